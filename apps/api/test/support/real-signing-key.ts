import { KeyObject, type webcrypto } from "node:crypto";
import { resolveSigningKey } from "better-auth/plugins/jwt";
import type { TestServer } from "./test-server";

/**
 * The test server's own signing key, as Better Auth holds it (decrypted from the `jwks` table),
 * for tokens the real key signs but Better Auth would never issue: no `exp`, `iat` in the
 * future, a `crit` header, an odd `kid`. They test the verifier's claim and header rules rather
 * than its signature check; an attacker with this key would not need them.
 */
export async function realSigningKey(server: TestServer): Promise<{ kid: string; key: KeyObject }> {
  // resolveSigningKey reads only the endpoint context's `context` (adapter, secret).
  const endpoint = { context: await server.auth.$context } as unknown as Parameters<
    typeof resolveSigningKey
  >[0];
  const resolved = await resolveSigningKey(endpoint);
  if (resolved?.alg !== "EdDSA" || resolved.privateKey instanceof Uint8Array) {
    throw new Error("the server has no EdDSA signing key");
  }
  return { kid: resolved.kid, key: KeyObject.from(resolved.privateKey as webcrypto.CryptoKey) };
}
