import { announceSessionChange } from "@/lib/session-channel";
import { authRequest } from "./auth-request";
import type { SessionStore } from "./session-store";

export interface SignUpInput {
  name: string;
  email: string;
  password: string;
}

export async function signUp(store: SessionStore, input: SignUpInput): Promise<void> {
  await authRequest("sign-up/email", {
    method: "POST",
    body: { name: input.name.trim(), email: input.email.trim(), password: input.password },
  });
  await store.refresh({ fresh: true });
  announceSessionChange();
}
