import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, TEST_BASE_URL, type TestServer } from "../support/test-server";

let server: TestServer;
beforeAll(async () => {
  server = await createTestServer({ CORS_ORIGINS: "https://frontend.example.com" });
});
afterAll(() => server.close());

describe("health", () => {
  it("/health answers 200 while the process is up", async () => {
    const response = await server.request("/health");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: "ok" });
  });

  it("/ready answers 200 when the database answers and is migrated", async () => {
    const response = await server.request("/ready");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: "ready" });
  });

  it("/ready answers 503 with Retry-After when a migration is missing", async () => {
    const pending = await createTestServer();
    try {
      await pending.database.db.execute("delete from drizzle.__drizzle_migrations");
      const response = await pending.request("/ready");
      expect(response.status).toBe(503);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(response.headers.get("retry-after")).toBe("5");
      expect(response.body.detail).toMatch(/migrations/);
    } finally {
      await pending.close();
    }
  });
});

describe("OpenAPI and docs", () => {
  it("/openapi.json documents every task route with bearer security", async () => {
    const response = await server.request("/openapi.json");
    expect(response.status).toBe(200);
    const doc = response.body;
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        "/api/{user_id}/changes",
        "/api/{user_id}/events",
        "/api/{user_id}/tasks",
        "/api/{user_id}/tasks/complete-all",
        "/api/{user_id}/tasks/completed",
        "/api/{user_id}/tasks/{id}",
        "/api/{user_id}/tasks/{id}/complete",
        "/api/{user_id}/tasks/{id}/history",
        "/api/{user_id}/tasks/{id}/restore",
        "/api/{user_id}/trash",
        "/api/{user_id}/trash/{id}",
        "/health",
        "/ready",
      ].sort(),
    );
    expect(Object.keys(doc.paths["/api/{user_id}/tasks/{id}"]).sort()).toEqual([
      "delete",
      "get",
      "put",
    ]);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({
      type: "http",
      scheme: "bearer",
    });
    expect(doc.components.schemas.Task.required).toContain("due_date");
    expect(Object.keys(doc.paths["/api/{user_id}/events"].get.responses["200"].content)).toEqual([
      "text/event-stream",
    ]);
    expect(doc.paths["/api/{user_id}/events"].get.responses).toHaveProperty("410");
    expect(doc.paths["/api/{user_id}/changes"].get.responses).toHaveProperty("410");
    expect(doc.components.schemas.TrashedTask.allOf).toEqual([
      { $ref: "#/components/schemas/Task" },
      expect.objectContaining({ required: ["deleted_at"] }),
    ]);
    expect(Object.keys(doc.paths["/api/{user_id}/trash"]).sort()).toEqual(["delete", "get"]);
    for (const [path, item] of Object.entries<Record<string, { security?: unknown }>>(doc.paths)) {
      if (!path.startsWith("/api/")) continue;
      for (const [method, operation] of Object.entries(item)) {
        expect(operation.security, `${method} ${path}`).toEqual([{ bearerAuth: [] }]);
      }
    }
    expect(
      doc.paths["/api/{user_id}/tasks"].get.parameters.map((p: { name: string }) => p.name),
    ).toEqual(
      expect.arrayContaining([
        "status",
        "q",
        "priority",
        "tag",
        "due_before",
        "due_after",
        "sort",
        "order",
        "limit",
        "cursor",
      ]),
    );
  });

  it("/docs serves an HTML page that loads /openapi.json", async () => {
    const response = await server.request("/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/text\/html/);
    expect(response.body).toContain("/openapi.json");
    expect(response.body).toContain("Scalar.createApiReference");
    // Offline, the page explains itself instead of staying blank.
    expect(response.body).toMatch(/<div id="app"><p[^>]*>Loading the API reference viewer/);
  });

  it("/docs loads only a pinned viewer script checked by Subresource Integrity, under a CSP that allows nothing else", async () => {
    const response = await server.request("/docs");
    const scripts = [...String(response.body).matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    const external = scripts.filter(([, attributes]) => /src=/.test(attributes ?? ""));
    expect(external).toHaveLength(1);
    const attributes = external[0]?.[1] ?? "";
    const src = /src="([^"]+)"/.exec(attributes)?.[1] ?? "";
    expect(src).toMatch(
      /^https:\/\/cdn\.jsdelivr\.net\/npm\/@scalar\/api-reference@\d+\.\d+\.\d+\//,
    );
    expect(attributes).toMatch(/integrity="sha384-[A-Za-z0-9+/]{64}"/);
    expect(attributes).toContain('crossorigin="anonymous"');

    const policy = response.headers.get("content-security-policy") ?? "";
    const scriptSrc = policy.split(";").find((part) => part.trim().startsWith("script-src")) ?? "";
    // Every inline script runs only because its exact hash is allowed; nothing from anywhere else.
    const inline = scripts.filter(([, attributes]) => !/src=/.test(attributes ?? ""));
    expect(inline.length).toBeGreaterThan(0);
    for (const [, , code] of inline) {
      const hash = createHash("sha256")
        .update(code ?? "")
        .digest("base64");
      expect(scriptSrc).toContain(`'sha256-${hash}'`);
    }
    expect(scriptSrc.trim().split(/\s+/).slice(1).sort()).toEqual(
      [
        src,
        ...inline.map(
          ([, , code]) =>
            `'sha256-${createHash("sha256")
              .update(code ?? "")
              .digest("base64")}'`,
        ),
      ].sort(),
    );
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(response.body).not.toContain("fonts.scalar.com");
  });
});

describe("cross-cutting headers", () => {
  it("every response carries a request id (security headers, set outside the app: security-headers and http-wire tests)", async () => {
    const response = await server.request("/health");
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("API answers are not stored by caches: tasks, tokens, sessions, errors", async () => {
    const user = await server.signUp();
    const task = await server.createTask(user);
    const answers = [
      await server.call("GET", `/api/${user.id}/tasks`, { token: user.jwt }),
      await server.call("GET", `/api/${user.id}/tasks/${task.id}`, { token: user.jwt }),
      await server.request("/api/auth/token", {
        headers: { Authorization: `Bearer ${user.sessionToken}`, Origin: TEST_BASE_URL },
      }),
      await server.request("/api/auth/get-session", {
        headers: { Authorization: `Bearer ${user.sessionToken}`, Origin: TEST_BASE_URL },
      }),
      await server.call("GET", "/api/nobody/tasks"),
    ];
    for (const answer of answers) {
      expect(answer.status).toBeLessThan(500);
      expect(answer.headers.get("cache-control")).toMatch(/(^|, )no-store(,|$)/);
    }
  });

  it("an error's request_id is the X-Request-Id the client sent", async () => {
    const response = await server.request("/api/nobody/tasks", {
      headers: { "X-Request-Id": "trace-me-123" },
    });
    expect(response.status).toBe(401);
    expect(response.body.request_id).toBe("trace-me-123");
    expect(response.headers.get("x-request-id")).toBe("trace-me-123");
  });

  it("CORS answers listed origins with credentials and exposes the paging headers", async () => {
    const preflight = await server.request("/api/someone/tasks", {
      method: "OPTIONS",
      headers: {
        Origin: "https://frontend.example.com",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(
      "https://frontend.example.com",
    );
    expect(preflight.headers.get("access-control-allow-credentials")).toBe("true");

    const simple = await server.request("/api/someone/tasks", {
      headers: { Origin: "https://frontend.example.com" },
    });
    expect(simple.headers.get("access-control-expose-headers")).toMatch(/Link/);
    expect(simple.headers.get("access-control-expose-headers")).toMatch(/X-Total-Count/);
  });

  it("CORS gives unlisted origins nothing", async () => {
    const response = await server.request("/api/someone/tasks", {
      method: "OPTIONS",
      headers: { Origin: "https://evil.example.com", "Access-Control-Request-Method": "GET" },
    });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("compression", () => {
  it("gzips responses for clients that accept it, and only for them", async () => {
    const large = await server.app.request("/openapi.json", {
      headers: { "Accept-Encoding": "gzip" },
    });
    expect(large.headers.get("content-encoding")).toBe("gzip");
    const unzipped = large.body?.pipeThrough(new DecompressionStream("gzip"));
    expect(JSON.parse(await new Response(unzipped).text()).openapi).toBe("3.1.0");
    const plain = await server.app.request("/openapi.json");
    expect(plain.headers.get("content-encoding")).toBeNull();
  });
});
