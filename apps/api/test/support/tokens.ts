import {
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
  sign,
} from "node:crypto";
import { createServer as createHttpServer } from "node:http";
import { createServer as createNetServer } from "node:net";

/**
 * Hand-rolled JWT forging for the token tests. Nothing here goes through jose's signing API on
 * purpose: an attacker controls every header byte (alg `none`, `jku`, `jwk`, a stolen `kid`), and
 * jose would refuse to produce some of those tokens.
 */

export type JsonObject = Record<string, unknown>;

export function base64url(value: string | Uint8Array): string {
  return Buffer.from(value).toString("base64url");
}

function encodeJson(value: JsonObject): string {
  return base64url(JSON.stringify(value));
}

function parts(token: string): [string, string, string] {
  const [header, payload, signature, ...rest] = token.split(".");
  if (header === undefined || payload === undefined || signature === undefined || rest.length) {
    throw new Error(`not a compact JWS: ${token}`);
  }
  return [header, payload, signature];
}

export function decodeHeader(token: string): JsonObject {
  return JSON.parse(Buffer.from(parts(token)[0], "base64url").toString("utf8"));
}

export function decodePayload(token: string): JsonObject {
  return JSON.parse(Buffer.from(parts(token)[1], "base64url").toString("utf8"));
}

/** The `kid` of a real token's header (fails the test when there is none). */
export function kidOf(token: string): string {
  const kid = decodeHeader(token).kid;
  if (typeof kid !== "string") throw new Error("token has no kid");
  return kid;
}

/** An unsigned token: `alg: none` (or any spelling of it) and an empty signature. */
export function unsignedToken(payload: JsonObject, alg = "none"): string {
  return `${encodeJson({ alg, typ: "JWT" })}.${encodeJson(payload)}.`;
}

/** The same header and signature over a different payload. */
export function withPayload(token: string, payload: JsonObject): string {
  const [header, , signature] = parts(token);
  return `${header}.${encodeJson(payload)}.${signature}`;
}

/** The same payload and signature under a different header. */
export function withHeader(token: string, header: JsonObject): string {
  const [, payload, signature] = parts(token);
  return `${encodeJson(header)}.${payload}.${signature}`;
}

/** One token's header and payload with another token's signature. */
export function withSignatureOf(token: string, donor: string): string {
  const [header, payload] = parts(token);
  return `${header}.${payload}.${parts(donor)[2]}`;
}

export interface Ed25519Key {
  privateKey: KeyObject;
  /** The public key as a JWK, with `kid`, `alg` and `use` set. */
  publicJwk: JsonObject & { kid: string };
}

/** A fresh Ed25519 key pair that no server knows: the attacker's. */
export function foreignEd25519Key(kid: string = randomUUID()): Ed25519Key {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privateKey,
    publicJwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "EdDSA", use: "sig" },
  };
}

/** An EdDSA-signed token with exactly the header and payload given (alg defaults to EdDSA). */
export function signEdDSA(privateKey: KeyObject, header: JsonObject, payload: JsonObject): string {
  const input = `${encodeJson({ alg: "EdDSA", typ: "JWT", ...header })}.${encodeJson(payload)}`;
  return `${input}.${base64url(sign(null, Buffer.from(input), privateKey))}`;
}

/** An HMAC-signed token (HS256 by default) keyed with any bytes, with exactly this header and payload. */
export function signHmac(
  key: string | Uint8Array,
  payload: JsonObject,
  header: JsonObject = {},
  hash: "sha256" | "sha384" | "sha512" = "sha256",
): string {
  const alg = { sha256: "HS256", sha384: "HS384", sha512: "HS512" }[hash];
  const input = `${encodeJson({ alg, typ: "JWT", ...header })}.${encodeJson(payload)}`;
  return `${input}.${createHmac(hash, key).update(input).digest("base64url")}`;
}

/**
 * Byte strings an attacker could use as the HMAC key in an alg-confusion attack, all derived from
 * a server's public Ed25519 JWK: the raw key, its base64url text, the JWK JSON, the SPKI PEM/DER.
 */
export function publicKeyMaterials(jwk: JsonObject): { name: string; key: string | Uint8Array }[] {
  const x = jwk.x;
  if (typeof x !== "string") throw new Error("not an OKP public JWK");
  const publicKey = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
  return [
    { name: "raw 32-byte key", key: Buffer.from(x, "base64url") },
    { name: "base64url x", key: x },
    { name: "JWK JSON", key: JSON.stringify(jwk) },
    { name: "SPKI PEM", key: publicKey.export({ format: "pem", type: "spki" }).toString() },
    { name: "SPKI DER", key: publicKey.export({ format: "der", type: "spki" }) },
  ];
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A port that was free a moment ago (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return address.port;
}

export interface AttackerServer {
  /** e.g. http://127.0.0.1:40123 */
  origin: string;
  /** Every path requested, in order. */
  requests: string[];
  close: () => Promise<void>;
}

/**
 * A tiny HTTP server on 127.0.0.1 that serves `body` (or what `body()` returns at the time) as JSON
 * on every path and records each hit.
 */
export async function startJsonServer(body: unknown): Promise<AttackerServer> {
  const requests: string[] = [];
  const server = createHttpServer((request, response) => {
    requests.push(request.url ?? "");
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(typeof body === "function" ? body() : body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return {
    origin: `http://127.0.0.1:${address.port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
