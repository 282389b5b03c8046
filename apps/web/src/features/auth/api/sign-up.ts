import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useApiClient } from "@/lib/api-client-context";
import { authClient } from "@/lib/auth-client";
import { announceSessionChange } from "@/lib/session-channel";
import { unwrapAuth } from "../utils/auth-error";
import { sessionQueryKey } from "./get-session";

export interface SignUpInput {
  name: string;
  email: string;
  password: string;
}

export function signUp(input: SignUpInput) {
  return unwrapAuth(() =>
    authClient.signUp.email({
      name: input.name.trim(),
      email: input.email.trim(),
      password: input.password,
    }),
  );
}

export function useSignUp() {
  const queryClient = useQueryClient();
  const api = useApiClient();
  return useMutation({
    mutationFn: signUp,
    onSuccess: async () => {
      api.clearToken();
      queryClient.removeQueries({ queryKey: ["tasks"] });
      await queryClient.invalidateQueries({ queryKey: sessionQueryKey });
      announceSessionChange();
    },
  });
}
