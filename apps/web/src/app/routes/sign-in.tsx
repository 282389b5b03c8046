import { useEffect } from "react";
import { AuthForm } from "@/features/auth/components/auth-form";
import { navigate } from "@/lib/router";
import { SessionGate } from "./session-gate";
import { preloadTasksScreen } from "./tasks";

export function SignInRoute() {
  useEffect(() => {
    document.title = "Sign in · Todo";
  }, []);
  return (
    <SessionGate require="signed-out">
      {() => (
        <AuthForm mode="sign-in" onAttempt={preloadTasksScreen} onSuccess={() => navigate("/")} />
      )}
    </SessionGate>
  );
}
