function readClaims(token: string): Record<string, unknown> | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    const claims: unknown = JSON.parse(atob(padded));
    return typeof claims === "object" && claims !== null
      ? (claims as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** Reads `exp` (seconds since the epoch) from a JWT without verifying it; null if unreadable. */
export function readJwtExpiry(token: string): number | null {
  const exp = readClaims(token)?.exp;
  return typeof exp === "number" ? exp : null;
}

/** Reads `sub` (the user id) from a JWT without verifying it; null if unreadable. */
export function readJwtSubject(token: string): string | null {
  const sub = readClaims(token)?.sub;
  return typeof sub === "string" ? sub : null;
}
