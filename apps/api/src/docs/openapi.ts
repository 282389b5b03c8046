import { createHash } from "node:crypto";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import { Hono } from "hono";
import type { AppEnv } from "../app-env";

const DESCRIPTION = `Multi-user todo API. Every task route needs \`Authorization: Bearer <JWT>\` whose \`sub\`
is the path's \`user_id\`.

Get a JWT from Better Auth, mounted at \`/api/auth\`:
1. \`POST /api/auth/sign-up/email\` \`{ "email", "password", "name" }\` (or \`/sign-in/email\`), which
   answers with a session cookie and a \`set-auth-token\` header;
2. \`GET /api/auth/token\` with that cookie or \`Authorization: Bearer <set-auth-token>\` → \`{ "token" }\`.

A JWT is refused once its session ends (sign-out, revocation, password change; within 30 s) or
at its \`exp\`: then get a new one.

Public keys: \`GET /api/auth/jwks\`. Errors are \`application/problem+json\` (RFC 9457).`;

/**
 * The viewer script, pinned to one version and checked by the browser against this hash
 * (Subresource Integrity): the CDN cannot serve us anything else. The hash is the sha384 of
 * dist/browser/standalone.js in the npm package of that version, which the CDN serves byte for
 * byte. To upgrade: `npm pack @scalar/api-reference@X`, then
 * `openssl dgst -sha384 -binary package/dist/browser/standalone.js | base64`.
 */
const VIEWER = {
  url: "https://cdn.jsdelivr.net/npm/@scalar/api-reference@1.76.0/dist/browser/standalone.js",
  integrity: "sha384-oH1C0RwqcwbVXkC+r8A+4qRoyEUQdtxAzOwumkxZtQBBcsy61FOoPt7B50OVJYYQ",
};

const OFFLINE_NOTE =
  'Loading the API reference viewer from cdn.jsdelivr.net… If this stays, the viewer cannot be reached from here: the OpenAPI document itself is at <a href="/openapi.json">/openapi.json</a>.';

const sha256 = (text: string) => createHash("sha256").update(text).digest("base64");

/**
 * Scalar's page with the viewer script pinned (integrity) and a Content-Security-Policy that allows
 * exactly that script and Scalar's own inline start-up script (by hash), nothing else: no other
 * third-party code, fonts or "try it" proxy.
 */
function docsPage(scalarHtml: string) {
  const html = scalarHtml
    .replace(
      `<script src="${VIEWER.url}"></script>`,
      `<script src="${VIEWER.url}" integrity="${VIEWER.integrity}" crossorigin="anonymous"></script>`,
    )
    // Scalar replaces the contents of #app once it loads; offline, say so instead of a blank page.
    .replace(
      '<div id="app"></div>',
      `<div id="app"><p style="font-family:sans-serif;margin:2rem">${OFFLINE_NOTE}</p></div>`,
    );
  const inlineScripts = [...html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)];
  if (!html.includes(VIEWER.integrity) || inlineScripts.length !== 1) {
    throw new Error("Scalar's page changed shape: the /docs integrity and CSP need a look");
  }
  const policy = [
    "default-src 'none'",
    `script-src ${VIEWER.url} ${inlineScripts.map(([, code]) => `'sha256-${sha256(code ?? "")}'`).join(" ")}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  return { html, policy };
}

/** `/openapi.json` generated from the same Zod schemas that validate requests; `/docs` renders it. */
export function mountOpenApi(app: OpenAPIHono<AppEnv>, serverUrl: string) {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: { title: "hackathon-todo API", version: "1.0.0", description: DESCRIPTION },
    servers: [{ url: serverUrl }],
  });
  const scalar = Scalar({
    url: "/openapi.json",
    pageTitle: "hackathon-todo API",
    cdn: VIEWER.url,
    withDefaultFonts: false,
  });
  // A plain Hono app: Scalar's middleware is typed for Hono's default environment.
  const docs = new Hono();
  let page: Promise<{ html: string; policy: string }> | undefined;
  docs.get("/docs", async (c, next) => {
    page ??= Promise.resolve(scalar(c, next)).then(async (response) => {
      if (!response) throw new Error("Scalar rendered no page");
      return docsPage(await response.text());
    });
    const { html, policy } = await page;
    c.header("Content-Security-Policy", policy);
    return c.html(html);
  });
  app.route("/", docs);
}
