import type { BetterAuthOptions } from "better-auth";
import type { CounterStore } from "./counter-store";
import { CREDENTIAL_PATHS } from "./credential-limits";

type RateLimitOptions = NonNullable<BetterAuthOptions["rateLimit"]>;

/**
 * Better Auth's own limiter, kept for every auth path except the two ours govern, and counted in
 * the same shared store instead of its per-process memory. Its default rule for sign-in and
 * sign-up (3 requests per 10 s per address) would lock out everyone behind one office NAT while
 * one of them mistypes; credential-limiter.ts counts those per account and per address instead.
 */
export function betterAuthLimits(
  store: CounterStore,
): Pick<RateLimitOptions, "customStorage" | "customRules"> {
  return {
    customRules: { [CREDENTIAL_PATHS.signIn]: false, [CREDENTIAL_PATHS.signUp]: false },
    customStorage: {
      async consume(key, rule) {
        const verdict = await store.consume([
          { key: `better-auth:${key}`, max: rule.max, windowSeconds: rule.window },
        ]);
        return verdict.allowed
          ? { allowed: true, retryAfter: null }
          : { allowed: false, retryAfter: verdict.retryAfterSeconds };
      },
    },
  };
}
