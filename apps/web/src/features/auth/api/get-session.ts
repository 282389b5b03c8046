import { queryOptions, useQuery } from "@tanstack/react-query";
import { authClient } from "@/lib/auth-client";
import { unwrapAuth } from "../utils/auth-error";

export type Session = typeof authClient.$Infer.Session;

export const sessionQueryKey = ["session"] as const;

export function getSession(): Promise<Session | null> {
  return unwrapAuth(() => authClient.getSession());
}

export const sessionQueryOptions = () =>
  queryOptions({
    queryKey: sessionQueryKey,
    queryFn: getSession,
    staleTime: 5 * 60 * 1000,
    retry: 1,
  });

export function useSession() {
  return useQuery(sessionQueryOptions());
}
