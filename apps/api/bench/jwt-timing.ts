import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { createJwtVerifier } from "../src/auth/verify-jwt";

export interface JwtTiming {
  /** Every token new: the signature is checked (µs per call). */
  verify_us_signature_checked: number;
  /** The same tokens again, from the verifier's cache (µs per call). */
  verify_us_cached: number;
}

/** The API's JWT check in this process: 2,000 new EdDSA tokens, then the same ones five times. */
export async function jwtTiming(): Promise<JwtTiming> {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "EdDSA" };
  const verify = createJwtVerifier({
    issuer: "i",
    audience: "a",
    keys: { source: "local", load: async () => ({ keys: [jwk] }) },
  });
  const count = 2_000;
  const tokens = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      new SignJWT({})
        .setProtectedHeader({ alg: "EdDSA", kid: "k1" })
        .setSubject(`user-${i}`)
        .setIssuer("i")
        .setAudience("a")
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(privateKey),
    ),
  );
  await verify(tokens[0] ?? "");
  let start = performance.now();
  for (const token of tokens) await verify(token);
  const cold = ((performance.now() - start) * 1000) / count;
  start = performance.now();
  for (let i = 0; i < 5; i += 1) for (const token of tokens) await verify(token);
  const cached = ((performance.now() - start) * 1000) / (count * 5);
  return {
    verify_us_signature_checked: Math.round(cold),
    verify_us_cached: Math.round(cached * 100) / 100,
  };
}
