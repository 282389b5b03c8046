import { useEffect } from "react";
import { useNavigate } from "react-router";
import { AuthForm } from "@/features/auth/components/auth-form";
import { SessionGate } from "./session-gate";

export function SignUpRoute() {
  const navigate = useNavigate();
  useEffect(() => {
    document.title = "Sign up · Todo";
  }, []);
  return (
    <SessionGate require="signed-out">
      {() => <AuthForm mode="sign-up" onSuccess={() => navigate("/")} />}
    </SessionGate>
  );
}
