import {
  createLocalJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  jwtVerify,
} from "jose";
import { LRUCache } from "lru-cache";
import { problems } from "../http/problem";
import type { SessionCheck } from "./live-sessions";

export interface VerifiedToken {
  sub: string;
  /** Seconds since the epoch. */
  exp: number;
}

export type VerifyToken = (token: string) => Promise<VerifiedToken>;

export interface JwtVerifierOptions {
  issuer: string;
  audience: string;
  /**
   * Where the EdDSA public keys come from: this server's key table, or another server's JWKS.
   * With `sessions`, a token signed with the local keys must name a live session (`sid`) of its
   * `sub`; tokens from a remote JWKS name sessions in another database and are not checked.
   */
  keys:
    | { source: "local"; load: () => Promise<JSONWebKeySet>; sessions?: SessionCheck }
    | { source: "remote"; url: string };
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
/** How far ahead of ours another server's clock may be when it issues a token. */
const MAX_CLOCK_SKEW_MS = 60_000;

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

  const sessions = keys.source === "local" ? keys.sessions : undefined;

  /** A verified token, and the session that must still be live on every use (when bound). */
  type Verified = { token: VerifiedToken; sid?: string };
  const verified = new LRUCache<string, Verified>({ max: 10_000 });

  // Checked on cache hits too: the cache skips the signature, never the session (decision 019).
  const requireLiveSession = async ({ token, sid }: Verified): Promise<VerifiedToken> => {
    if (sid !== undefined && sessions && !(await sessions(sid, token.sub))) {
      throw problems.unauthorized(
        "The token's session has ended (signed out, revoked, expired or password changed).",
      );
    }
    return token;
  };

  return async (token) => {
    const cached = verified.get(token);
    if (cached && cached.token.exp * 1000 > Date.now()) return requireLiveSession(cached);

    const { payload, protectedHeader } = await jwtVerify(token, getKey, {
      algorithms,
      issuer: options.issuer,
      audience: options.audience,
      requiredClaims: ["exp", "iat", "sub"],
    }).catch((error: unknown) => {
      throw toProblem(error);
    });
    if (typeof payload.sub !== "string" || payload.sub === "" || typeof payload.exp !== "number") {
      throw problems.unauthorized("The token has no subject.");
    }
    // jose checks that `iat` is a number, not when it was: a token "issued" in the future was made
    // by a clock we do not trust, or by someone keeping a stolen key's tokens for later.
    if (typeof payload.iat === "number" && payload.iat * 1000 > Date.now() + MAX_CLOCK_SKEW_MS) {
      throw problems.unauthorized("The token was issued in the future.");
    }
    const result: Verified = { token: { sub: payload.sub, exp: payload.exp } };
    // HS256 tokens come from whoever shares the secret, whose sessions may live anywhere: only
    // tokens signed with our own keys are bound to our session table.
    if (sessions && protectedHeader.alg !== "HS256") {
      if (typeof payload.sid !== "string" || payload.sid === "") {
        throw problems.unauthorized("The token is not bound to a session; fetch a new one.");
      }
      result.sid = payload.sid;
    }
    verified.set(token, result, { ttl: Math.min(CACHE_TTL_MS, payload.exp * 1000 - Date.now()) });
    return requireLiveSession(result);
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
