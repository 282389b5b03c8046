import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  jwtVerify,
} from "jose";
import { LRUCache } from "lru-cache";
import { problems } from "../http/problem";

export interface VerifiedToken {
  sub: string;
  /** Seconds since the epoch. */
  exp: number;
}

export type VerifyToken = (token: string) => Promise<VerifiedToken>;

export interface JwtVerifierOptions {
  issuer: string;
  audience: string;
  /** Where the EdDSA public keys come from: this server's key table, or another server's JWKS. */
  keys: { source: "local"; load: () => Promise<JSONWebKeySet> } | { source: "remote"; url: string };
  /** When set, HS256 tokens signed with this shared secret are accepted too. */
  hs256Secret?: string;
  /** How long an unknown `kid` waits before the key set is read again. */
  reloadCooldownMs?: number;
}

const DEFAULT_RELOAD_COOLDOWN_MS = 30_000;
/** A verified token is trusted from memory for at most this long (and never past its `exp`). */
const CACHE_TTL_MS = 5 * 60_000;

/**
 * Reads the key set once, and again on an unknown `kid` (a rotated key) at most once per
 * cool-down, so that a flood of tokens with made-up `kid`s cannot turn into a flood of reads.
 */
function reloadingKeySet(load: () => Promise<JSONWebKeySet>, cooldownMs: number): JWTVerifyGetKey {
  let keySet: ReturnType<typeof createLocalJWKSet> | undefined;
  let loadedAt = 0;
  let pending: Promise<ReturnType<typeof createLocalJWKSet>> | undefined;

  const reload = () => {
    pending ??= load()
      .then((jwks) => {
        keySet = createLocalJWKSet(jwks);
        loadedAt = Date.now();
        return keySet;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };

  return async (header, token) => {
    const current = keySet ?? (await reload());
    try {
      return await current(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey && Date.now() - loadedAt >= cooldownMs) {
        return (await reload())(header, token);
      }
      throw error;
    }
  };
}

/**
 * Verifies a bearer JWT: algorithms pinned, issuer and audience checked, `exp`, `iat` and `sub`
 * required. Keys come only from the configured key set; header fields that point elsewhere
 * (`jku`, `x5u`, `jwk`) are never used, so a token cannot make the server fetch anything.
 */
export function createJwtVerifier(options: JwtVerifierOptions): VerifyToken {
  const cooldownMs = options.reloadCooldownMs ?? DEFAULT_RELOAD_COOLDOWN_MS;
  const eddsaKeys =
    options.keys.source === "remote"
      ? createRemoteJWKSet(new URL(options.keys.url), {
          cooldownDuration: cooldownMs,
          cacheMaxAge: 10 * 60_000,
          timeoutDuration: 5_000,
        })
      : reloadingKeySet(options.keys.load, cooldownMs);
  const hmacKey = options.hs256Secret ? new TextEncoder().encode(options.hs256Secret) : undefined;
  const algorithms = hmacKey ? ["EdDSA", "HS256"] : ["EdDSA"];
  const getKey: JWTVerifyGetKey = (header, token) =>
    header.alg === "HS256" && hmacKey ? hmacKey : eddsaKeys(header, token);

  const verified = new LRUCache<string, VerifiedToken>({ max: 10_000 });

  return async (token) => {
    const cached = verified.get(token);
    if (cached && cached.exp * 1000 > Date.now()) return cached;

    const payload = await jwtVerify(token, getKey, {
      algorithms,
      issuer: options.issuer,
      audience: options.audience,
      requiredClaims: ["exp", "iat", "sub"],
    }).then(
      (result) => result.payload,
      (error: unknown) => {
        throw toProblem(error);
      },
    );
    if (typeof payload.sub !== "string" || payload.sub === "" || typeof payload.exp !== "number") {
      throw problems.unauthorized("The token has no subject.");
    }
    const result = { sub: payload.sub, exp: payload.exp };
    verified.set(token, result, { ttl: Math.min(CACHE_TTL_MS, payload.exp * 1000 - Date.now()) });
    return result;
  };
}

/** Any fault of the token is a 401; failing to get keys at all is ours, and stays a 5xx. */
function toProblem(error: unknown): Error {
  if (error instanceof errors.JWKSTimeout) {
    return problems.serviceUnavailable("The signing keys could not be fetched; retry shortly.");
  }
  if (error instanceof errors.JWTExpired) return problems.unauthorized("The token has expired.");
  if (error instanceof errors.JOSEError) return problems.unauthorized("The token is not valid.");
  return error instanceof Error ? error : new Error(String(error));
}
