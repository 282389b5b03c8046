import { useState } from "react";
import { SessionProvider } from "@/features/auth/api/session-context";
import { createSessionStore } from "@/features/auth/api/session-store";
import { AppRoutes } from "./app-routes";
import { Layout } from "./routes/layout";
import { SessionSync } from "./session-sync";
import { UpdatePrompt } from "./update-prompt";

/**
 * The shell: what the sign-in screen needs and no more (decision 023). The task screen, with
 * TanStack Query, the API client and the virtual list, is its own chunk (`tasks-screen.tsx`).
 */
export function App() {
  const [session] = useState(() => createSessionStore());
  return (
    <SessionProvider store={session}>
      <SessionSync />
      <Layout>
        <UpdatePrompt />
        <AppRoutes />
      </Layout>
    </SessionProvider>
  );
}
