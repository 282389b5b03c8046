import {
  createLocalJWKSet,
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
/** Keys are read again after this long, so that a key removed at the source stops being accepted. */
const KEYS_MAX_AGE_MS = 10 * 60_000;
/** A verified token is trusted from memory for at most this long (and never past its `exp`). */
const CACHE_TTL_MS = 5 * 60_000;
/** Well inside REQUEST_TIMEOUT_MS (5 s), so that a JWKS outage answers 503 on its own account. */
const REMOTE_TIMEOUT_MS = 3_000;

/** The key source could not be read: our problem (503), never the token's (401). */
class KeySourceUnavailable extends Error {
  constructor(cause: unknown) {
    super("the signing keys could not be loaded", { cause });
    this.name = "KeySourceUnavailable";
  }
}

async function fetchJwks(url: string): Promise<JSONWebKeySet> {
  const response = await fetch(url, {
    headers: { Accept: "application/json" },
    redirect: "error",
    signal: AbortSignal.timeout(REMOTE_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const body = (await response.json()) as Partial<JSONWebKeySet> | null;
  if (!Array.isArray(body?.keys)) throw new Error(`${url} did not answer a JSON Web Key Set`);
  return { keys: body.keys };
}

/**
 * Holds the last key set that loaded. Reads it again on an unknown `kid` (a rotated key) or when
 * it is older than KEYS_MAX_AGE_MS, but never more than once per cool-down, so that a flood of
 * made-up `kid`s cannot become a flood of reads, and keeps the old set while the source is down.
 */
function reloadingKeySet(load: () => Promise<JSONWebKeySet>, cooldownMs: number): JWTVerifyGetKey {
  type KeySet = ReturnType<typeof createLocalJWKSet>;
  let current: { keys: KeySet; loadedAt: number } | undefined;
  let attemptedAt = 0;
  let pending: Promise<KeySet> | undefined;

  const reload = () => {
    attemptedAt = Date.now();
    pending ??= load()
      .then((jwks) => {
        // A malformed set throws here: also the source's fault, not the token's.
        const keys = createLocalJWKSet(jwks);
        current = { keys, loadedAt: Date.now() };
        return keys;
      })
      .catch((error: unknown) => {
        throw new KeySourceUnavailable(error);
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
  const mayReload = () => Date.now() - attemptedAt >= cooldownMs;

  return async (header, token) => {
    if (!current) return (await reload())(header, token);
    if (Date.now() - current.loadedAt >= KEYS_MAX_AGE_MS && mayReload()) {
      await reload().catch(() => undefined);
    }
    try {
      return await current.keys(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey && mayReload())
        return (await reload())(header, token);
      throw error;
    }
  };
}

export function createJwtVerifier(options: JwtVerifierOptions): VerifyToken {
  const cooldownMs = options.reloadCooldownMs ?? DEFAULT_RELOAD_COOLDOWN_MS;
  const keys = options.keys;
  const eddsaKeys = reloadingKeySet(
    keys.source === "remote" ? () => fetchJwks(keys.url) : keys.load,
    cooldownMs,
  );
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
  if (error instanceof KeySourceUnavailable) {
    return problems.serviceUnavailable("The signing keys could not be loaded; retry shortly.");
  }
  if (error instanceof errors.JWTExpired) return problems.unauthorized("The token has expired.");
  if (error instanceof errors.JOSEError) return problems.unauthorized("The token is not valid.");
  return error instanceof Error ? error : new Error(String(error));
}
