import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useApiClient } from "@/lib/api-client-context";
import { authClient } from "@/lib/auth-client";
import { announceSessionChange } from "@/lib/session-channel";
import { unwrapAuth } from "../utils/auth-error";
import { sessionQueryKey } from "./get-session";

export function signOut() {
  return unwrapAuth(() => authClient.signOut());
}

export interface SignOutOptions {
  /** Work that needs the session one last time (pending deletes), run before signing out. */
  beforeSignOut?: () => Promise<unknown>;
}

/** Signs out; the user's data is only dropped once the server has ended the session. */
export function useSignOut({ beforeSignOut }: SignOutOptions = {}) {
  const queryClient = useQueryClient();
  const api = useApiClient();
  return useMutation({
    mutationFn: async () => {
      await beforeSignOut?.();
      return signOut();
    },
    onSuccess: () => {
      api.clearToken();
      queryClient.removeQueries({ queryKey: ["tasks"] });
      queryClient.setQueryData(sessionQueryKey, null);
      announceSessionChange();
    },
  });
}
