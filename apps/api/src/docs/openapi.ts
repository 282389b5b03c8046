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

const OFFLINE_NOTE =
  'Loading the API reference viewer from cdn.jsdelivr.net… If this stays, the viewer cannot be reached from here: the OpenAPI document itself is at <a href="/openapi.json">/openapi.json</a>.';

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
  const scalar = Scalar({ url: "/openapi.json", pageTitle: "hackathon-todo API" });
  // A plain Hono app: Scalar's middleware is typed for Hono's default environment.
  const docs = new Hono();
  docs.get("/docs", async (c, next) => {
    const page = await scalar(c, next);
    if (!page) return c.notFound();
    // Scalar's viewer script comes from a CDN; offline, say so instead of showing a blank page.
    // Scalar replaces the contents of #app once it loads.
    const html = (await page.text()).replace(
      '<div id="app"></div>',
      `<div id="app"><p style="font-family:sans-serif;margin:2rem">${OFFLINE_NOTE}</p></div>`,
    );
    return c.html(html);
  });
  app.route("/", docs);
}
