import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useApiClient } from "@/lib/api-client-context";
import { authClient } from "@/lib/auth-client";
import { unwrapAuth } from "../utils/auth-error";
import { sessionQueryKey } from "./get-session";

export function signOut() {
  return unwrapAuth(() => authClient.signOut());
}

export function useSignOut() {
  const queryClient = useQueryClient();
  const api = useApiClient();
  return useMutation({
    mutationFn: signOut,
    onSettled: () => {
      api.clearToken();
      queryClient.removeQueries({ queryKey: ["tasks"] });
      queryClient.setQueryData(sessionQueryKey, null);
    },
  });
}
