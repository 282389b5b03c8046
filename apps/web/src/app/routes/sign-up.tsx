import { useEffect } from "react";
import { AuthForm } from "@/features/auth/components/auth-form";
import { navigate } from "@/lib/router";
import { SessionGate } from "./session-gate";
import { preloadTasksScreen } from "./tasks";

export function SignUpRoute() {
  useEffect(() => {
    document.title = "Sign up · Todo";
  }, []);
  return (
    <SessionGate require="signed-out">
      {() => (
        <AuthForm mode="sign-up" onAttempt={preloadTasksScreen} onSuccess={() => navigate("/")} />
      )}
    </SessionGate>
  );
}
