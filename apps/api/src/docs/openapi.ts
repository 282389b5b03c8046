import type { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import type { AppEnv } from "../app-env";

const DESCRIPTION = `Multi-user todo API. Every task route needs \`Authorization: Bearer <JWT>\` whose \`sub\`
is the path's \`user_id\`.

Get a JWT from Better Auth, mounted at \`/api/auth\`:
1. \`POST /api/auth/sign-up/email\` \`{ "email", "password", "name" }\` (or \`/sign-in/email\`), which
   answers with a session cookie and a \`set-auth-token\` header;
2. \`GET /api/auth/token\` with that cookie or \`Authorization: Bearer <set-auth-token>\` → \`{ "token" }\`.

Public keys: \`GET /api/auth/jwks\`. Errors are \`application/problem+json\` (RFC 9457).`;

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
  app.get("/docs", Scalar({ url: "/openapi.json", pageTitle: "hackathon-todo API" }));
}
