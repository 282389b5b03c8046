import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useApiClient } from "@/lib/api-client-context";
import { authClient } from "@/lib/auth-client";
import { announceSessionChange } from "@/lib/session-channel";
import { unwrapAuth } from "../utils/auth-error";
import { sessionQueryKey } from "./get-session";

export interface SignInInput {
  email: string;
  password: string;
}

export function signIn(input: SignInInput) {
  return unwrapAuth(() =>
    authClient.signIn.email({ email: input.email.trim(), password: input.password }),
  );
}

export function useSignIn() {
  const queryClient = useQueryClient();
  const api = useApiClient();
  return useMutation({
    mutationFn: signIn,
    onSuccess: async () => {
      api.clearToken();
      queryClient.removeQueries({ queryKey: ["tasks"] });
      await queryClient.invalidateQueries({ queryKey: sessionQueryKey });
      announceSessionChange();
    },
  });
}
