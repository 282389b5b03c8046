import { announceSessionChange } from "@/lib/session-channel";
import { authRequest } from "./auth-request";
import type { SessionStore } from "./session-store";

export interface SignInInput {
  email: string;
  password: string;
}

export async function signIn(store: SessionStore, input: SignInInput): Promise<void> {
  await authRequest("sign-in/email", {
    method: "POST",
    body: { email: input.email.trim(), password: input.password },
  });
  await store.refresh({ fresh: true });
  announceSessionChange();
}
