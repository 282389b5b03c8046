import { useEffect } from "react";
import { useNavigate } from "react-router";
import { AuthForm } from "@/features/auth/components/auth-form";
import { SessionGate } from "./session-gate";

export function SignInRoute() {
  const navigate = useNavigate();
  useEffect(() => {
    document.title = "Sign in · Todo";
  }, []);
  return (
    <SessionGate require="signed-out">
      {() => <AuthForm mode="sign-in" onSuccess={() => navigate("/")} />}
    </SessionGate>
  );
}
