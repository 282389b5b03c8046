import { describe, expect, it, vi } from "vitest";
import { fakeJwt, json, problem } from "@/test/fake-api";
import { deferred } from "@/test/render";
import { createApiClient } from "./api-client";
import { ApiError, NetworkError, UnauthorizedError, WrongUserError } from "./api-errors";

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const inSeconds = (seconds: number) => Math.floor(NOW / 1000) + seconds;

function setup(handler: (url: string, init: RequestInit) => Response | Promise<Response>) {
  let now = NOW;
  const fetch = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) =>
    handler(String(input), init),
  );
  const onUnauthorized = vi.fn();
  const client = createApiClient({
    fetch,
    onUnauthorized,
    now: () => now,
    refreshMarginSeconds: 60,
  });
  const tokenCalls = () =>
    fetch.mock.calls.filter(([url]) => String(url).endsWith("/api/auth/token")).length;
  const authHeader = (index: number) =>
    new Headers(fetch.mock.calls[index]?.[1]?.headers).get("Authorization");
  return {
    client,
    fetch,
    onUnauthorized,
    tokenCalls,
    authHeader,
    advance: (ms: number) => (now += ms),
  };
}

describe("api client", () => {
  it("fetches a JWT once and sends it as a Bearer token on every request", async () => {
    const token = fakeJwt(inSeconds(3600));
    const { client, tokenCalls, authHeader } = setup((url) =>
      url.endsWith("/token") ? json({ token }) : json([]),
    );
    await client.request("/api/user-1/tasks");
    await client.request("/api/user-1/tasks");
    expect(tokenCalls()).toBe(1);
    expect(authHeader(1)).toBe(`Bearer ${token}`);
    expect(authHeader(2)).toBe(`Bearer ${token}`);
  });

  it("refreshes the token shortly before it expires", async () => {
    const tokens = [fakeJwt(inSeconds(300)), fakeJwt(inSeconds(7200))];
    const { client, tokenCalls, advance, authHeader } = setup((url) =>
      url.endsWith("/token") ? json({ token: tokens.shift() }) : json([]),
    );
    await client.request("/api/user-1/tasks");
    advance(200_000); // 100 s left: still outside the 60 s margin
    await client.request("/api/user-1/tasks");
    expect(tokenCalls()).toBe(1);
    advance(50_000); // 50 s left: inside the margin
    await client.request("/api/user-1/tasks");
    expect(tokenCalls()).toBe(2);
    expect(authHeader(4)).toContain(String(fakeJwt(inSeconds(7200))));
  });

  it("shares one token request between concurrent calls", async () => {
    const { client, tokenCalls } = setup((url) =>
      url.endsWith("/token") ? json({ token: fakeJwt(inSeconds(3600)) }) : json([]),
    );
    await Promise.all([client.request("/a"), client.request("/b"), client.request("/c")]);
    expect(tokenCalls()).toBe(1);
  });

  it("on a 401 refreshes the token once and retries the request", async () => {
    const stale = fakeJwt(inSeconds(3600));
    const fresh = fakeJwt(inSeconds(7200));
    const tokens = [stale, fresh];
    const { client, onUnauthorized, tokenCalls } = setup((url, init) => {
      if (url.endsWith("/token")) return json({ token: tokens.shift() });
      const auth = new Headers(init.headers).get("Authorization");
      return auth === `Bearer ${fresh}` ? json([{ id: 1 }]) : problem(401, "Unauthorized");
    });
    const result = await client.request<{ id: number }[]>("/api/user-1/tasks");
    expect(result.data).toEqual([{ id: 1 }]);
    expect(tokenCalls()).toBe(2);
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it("signs out in one place when the refreshed token is refused too", async () => {
    const { client, onUnauthorized, fetch } = setup((url) =>
      url.endsWith("/token")
        ? json({ token: fakeJwt(inSeconds(3600)) })
        : problem(401, "Unauthorized"),
    );
    await expect(client.request("/api/user-1/tasks")).rejects.toBeInstanceOf(UnauthorizedError);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    // token, request, token, retry: never a loop
    expect(fetch).toHaveBeenCalledTimes(4);
    expect(client.peekToken()).toBeNull();
  });

  it("signs out when the session cookie no longer yields a token", async () => {
    const { client, onUnauthorized } = setup(() => json({ code: "UNAUTHORIZED" }, 401));
    await expect(client.request("/api/user-1/tasks")).rejects.toBeInstanceOf(UnauthorizedError);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it("turns problem+json into a typed ApiError", async () => {
    const { client } = setup((url) => {
      if (url.endsWith("/token")) return json({ token: fakeJwt(inSeconds(3600)) });
      return new Response(
        JSON.stringify({
          type: "about:blank",
          title: "Unprocessable Content",
          status: 422,
          detail: "Validation failed",
          request_id: "r1",
          errors: [{ path: "title", message: "Too long" }],
        }),
        { status: 422, headers: { "Content-Type": "application/problem+json" } },
      );
    });
    const error = await client
      .request("/api/user-1/tasks", { method: "POST", body: { title: "x" } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 422,
      problem: { errors: [{ path: "title", message: "Too long" }] },
    });
  });

  it("reports Retry-After on 429", async () => {
    const { client } = setup((url) =>
      url.endsWith("/token")
        ? json({ token: fakeJwt(inSeconds(3600)) })
        : new Response(JSON.stringify({ type: "x", title: "Too Many Requests", status: 429 }), {
            status: 429,
            headers: { "Retry-After": "7" },
          }),
    );
    await expect(client.request("/x")).rejects.toMatchObject({ status: 429, retryAfterSeconds: 7 });
  });

  it("reports a lost connection as a NetworkError", async () => {
    const { client } = setup(() => {
      throw new TypeError("Failed to fetch");
    });
    await expect(client.request("/api/user-1/tasks")).rejects.toBeInstanceOf(NetworkError);
  });

  it("sends JSON bodies and query strings, and returns undefined for 204", async () => {
    const { client, fetch } = setup((url) =>
      url.endsWith("/token")
        ? json({ token: fakeJwt(inSeconds(3600)) })
        : new Response(null, { status: 204 }),
    );
    const result = await client.request("/api/user-1/tasks/1", {
      method: "DELETE",
      query: { a: "1", empty: "", none: undefined },
    });
    expect(result.data).toBeUndefined();
    expect(String(fetch.mock.calls[1]?.[0])).toBe("/api/user-1/tasks/1?a=1");
    await client.request("/api/user-1/tasks", { method: "POST", body: { title: "t" } });
    const init = fetch.mock.calls[2]?.[1];
    expect(init?.body).toBe('{"title":"t"}');
    expect(new Headers(init?.headers).get("Content-Type")).toBe("application/json");
  });

  it("never sends a request for another user than the token's subject", async () => {
    const { client, fetch } = setup((url) =>
      url.endsWith("/token") ? json({ token: fakeJwt(inSeconds(3600), "user-b") }) : json([]),
    );
    await expect(
      client.request("/api/user-a/tasks/8", { method: "DELETE" }),
    ).rejects.toBeInstanceOf(WrongUserError);
    expect(fetch.mock.calls.map(([url]) => String(url))).toEqual(["/api/auth/token"]);
    await client.request("/api/user-b/tasks");
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it("drops a token request still in flight when the token is cleared", async () => {
    const late = deferred<Response>();
    const tokens = [late.promise, json({ token: fakeJwt(inSeconds(3600), "user-b") })];
    const { client, authHeader } = setup((url) =>
      url.endsWith("/token") ? (tokens.shift() ?? json({})) : json([]),
    );
    const previous = client.getToken();
    client.clearToken(); // user A signed out while A's token was being fetched
    await client.request("/api/user-b/tasks");
    late.resolve(json({ token: fakeJwt(inSeconds(3600), "user-a") }));
    await previous;
    await client.request("/api/user-b/tasks");
    expect(authHeader(3)).toBe(`Bearer ${fakeJwt(inSeconds(3600), "user-b")}`);
  });
});
