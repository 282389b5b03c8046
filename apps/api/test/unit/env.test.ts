import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, MAX_WORKERS } from "../../src/env";

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe("loadConfig", () => {
  it("needs nothing: PGlite in ./data, port 3000, base URL on that port, 7-day JWTs", () => {
    const config = loadConfig({ INIT_CWD: "/srv/app" });
    expect(config).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      dataDir: "/srv/app/data",
      rateLimitPerMinute: 600,
      corsOrigins: [],
      auth: {
        baseUrl: "http://localhost:3000",
        issuer: "http://localhost:3000",
        audience: "http://localhost:3000",
        jwtExpiresIn: "7d",
        acceptHs256: false,
        jwksUrl: undefined,
      },
    });
  });

  it("reads the live-update settings: NOTIFY on and 30 days by default, off and other days when set", () => {
    expect(loadConfig({}).sync).toEqual({ notify: true, retentionDays: 30 });
    expect(loadConfig({ SYNC_NOTIFY: "off", SYNC_RETENTION_DAYS: "7" }).sync).toEqual({
      notify: false,
      retentionDays: 7,
    });
    const problems = problemsOf({ SYNC_NOTIFY: "maybe", SYNC_RETENTION_DAYS: "0" });
    expect(problems.map((problem) => problem.split(" ")[0]).sort()).toEqual([
      "SYNC_NOTIFY",
      "SYNC_RETENTION_DAYS",
    ]);
  });

  it("derives the base URL from PORT and trims a trailing slash from BETTER_AUTH_URL", () => {
    expect(loadConfig({ PORT: "8080" }).auth.baseUrl).toBe("http://localhost:8080");
    expect(loadConfig({ BETTER_AUTH_URL: "https://todo.example.com/" }).auth.baseUrl).toBe(
      "https://todo.example.com",
    );
  });

  it("treats empty variables as unset", () => {
    expect(loadConfig({ PORT: "", DATABASE_URL: "", CORS_ORIGINS: "" })).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      corsOrigins: [],
    });
  });

  it("normalises CORS_ORIGINS to origins", () => {
    expect(
      loadConfig({ CORS_ORIGINS: " https://a.example.com/ ,http://localhost:5173" }).corsOrigins,
    ).toEqual(["https://a.example.com", "http://localhost:5173"]);
  });

  it("issuer and audience follow the base URL unless set", () => {
    const config = loadConfig({
      BETTER_AUTH_URL: "https://api.example.com",
      AUTH_JWT_ISSUER: "https://auth.example.com",
      AUTH_JWKS_URL: "https://auth.example.com/api/auth/jwks",
    });
    expect(config.auth).toMatchObject({
      issuer: "https://auth.example.com",
      audience: "https://api.example.com",
    });
  });

  it("reports every problem at once, by variable name", () => {
    const problems = problemsOf({
      PORT: "70000",
      DATABASE_URL: "mysql://db",
      BETTER_AUTH_SECRET: "too-short",
      CORS_ORIGINS: "ftp://files.example.com",
      JWT_EXPIRES_IN: "forever",
      LOG_LEVEL: "loud",
      RATE_LIMIT_PER_MINUTE: "-1",
      AUTH_RATE_LIMIT: "sometimes",
      TRUST_PROXY: "true",
    });
    expect(problems.map((problem) => problem.split(" ")[0]).sort()).toEqual(
      [
        "BETTER_AUTH_SECRET",
        "CORS_ORIGINS",
        "DATABASE_URL",
        "JWT_EXPIRES_IN",
        "LOG_LEVEL",
        "PORT",
        "RATE_LIMIT_PER_MINUTE",
        "AUTH_RATE_LIMIT",
        "TRUST_PROXY",
      ].sort(),
    );
  });

  it("reports a missing production secret together with every other problem", () => {
    const problems = problemsOf({ NODE_ENV: "production", PORT: "abc", JWT_EXPIRES_IN: "7x" });
    expect(problems.map((problem) => problem.split(" ")[0]).sort()).toEqual([
      "BETTER_AUTH_SECRET",
      "JWT_EXPIRES_IN",
      "PORT",
    ]);
  });

  it("requires a strong secret in production, and a secret for HS256", () => {
    expect(problemsOf({ NODE_ENV: "production" })).toEqual([
      "BETTER_AUTH_SECRET is required when NODE_ENV=production (try: openssl rand -base64 32)",
    ]);
    expect(problemsOf({ AUTH_ACCEPT_HS256: "true" })[0]).toMatch(
      /^AUTH_ACCEPT_HS256 needs BETTER_AUTH_SECRET/,
    );
    expect(() =>
      loadConfig({ NODE_ENV: "production", BETTER_AUTH_SECRET: "x".repeat(32) }),
    ).not.toThrow();
  });

  it("refuses a plain-http public URL in production, but not on localhost", () => {
    const secret = { BETTER_AUTH_SECRET: "x".repeat(32) };
    for (const url of [
      "http://todo.example.com",
      "http://10.0.0.5:3000",
      "http://localhost.example.com",
    ]) {
      expect(problemsOf({ NODE_ENV: "production", BETTER_AUTH_URL: url, ...secret })).toEqual([
        expect.stringContaining("BETTER_AUTH_URL must be https:// when NODE_ENV=production"),
      ]);
    }
    for (const url of [
      "https://todo.example.com",
      "http://localhost:3000",
      "http://127.0.0.1:8080",
      "http://[::1]:3000",
    ]) {
      expect(
        loadConfig({ NODE_ENV: "production", BETTER_AUTH_URL: url, ...secret }).auth.baseUrl,
      ).toBe(url);
    }
    // Outside production, http anywhere is allowed (with a warning at start).
    expect(loadConfig({ BETTER_AUTH_URL: "http://todo.example.com" }).auth.baseUrl).toBe(
      "http://todo.example.com",
    );
  });

  it("turns the sign-in and sign-up limits on in production only, unless told otherwise", () => {
    const secret = { BETTER_AUTH_SECRET: "x".repeat(32) };
    expect(loadConfig({}).auth.rateLimit).toBe(false);
    expect(loadConfig({ NODE_ENV: "test" }).auth.rateLimit).toBe(false);
    expect(loadConfig({ NODE_ENV: "production", ...secret }).auth.rateLimit).toBe(true);
    expect(loadConfig({ AUTH_RATE_LIMIT: "true" }).auth.rateLimit).toBe(true);
    expect(
      loadConfig({ NODE_ENV: "production", AUTH_RATE_LIMIT: "false", ...secret }).auth.rateLimit,
    ).toBe(false);
  });

  it("reads TRUST_PROXY as a number of proxy hops, 0 by default", () => {
    expect(loadConfig({}).trustProxy).toBe(0);
    expect(loadConfig({ TRUST_PROXY: "2" }).trustProxy).toBe(2);
    for (const value of ["-1", "1.5", "true", "loopback"]) {
      expect(problemsOf({ TRUST_PROXY: value }), value).toEqual([
        "TRUST_PROXY must be a whole number of proxy hops (0, 1, 2…)",
      ]);
    }
  });

  it("reads the database's connection settings: a direct URL and the pool size, both optional", () => {
    expect(loadConfig({})).toMatchObject({
      databaseDirectUrl: undefined,
      databasePoolMax: undefined,
      databaseNamedStatements: true,
    });
    expect(loadConfig({ DATABASE_NAMED_STATEMENTS: "false" }).databaseNamedStatements).toBe(false);
    expect(problemsOf({ DATABASE_NAMED_STATEMENTS: "no" })).toEqual([
      "DATABASE_NAMED_STATEMENTS must be true or false",
    ]);
    expect(
      loadConfig({
        DATABASE_URL: "postgres://app@db.internal:6432/todo",
        DATABASE_DIRECT_URL: "postgresql://app@db.internal:5432/todo?sslmode=verify-full",
        DATABASE_POOL_MAX: "25",
      }),
    ).toMatchObject({
      databaseUrl: "postgres://app@db.internal:6432/todo",
      databaseDirectUrl: "postgresql://app@db.internal:5432/todo?sslmode=verify-full",
      databasePoolMax: 25,
    });
    for (const value of ["0", "-3", "2.5", "ten"]) {
      expect(problemsOf({ DATABASE_POOL_MAX: value }), value).toEqual([
        "DATABASE_POOL_MAX must be a whole number of connections (1 or more)",
      ]);
    }
    expect(problemsOf({ DATABASE_DIRECT_URL: "mysql://db" })).toEqual([
      "DATABASE_DIRECT_URL must start with postgres:// or postgresql://",
    ]);
  });

  it("admits twice the pool's connections at once unless MAX_REQUESTS_IN_PROGRESS says otherwise", () => {
    expect(loadConfig({}).maxRequestsInProgress).toBe(20);
    expect(loadConfig({ DATABASE_POOL_MAX: "4" }).maxRequestsInProgress).toBe(8);
    expect(
      loadConfig({ DATABASE_POOL_MAX: "4", MAX_REQUESTS_IN_PROGRESS: "50" }).maxRequestsInProgress,
    ).toBe(50);
    for (const value of ["0", "-1", "1.5", "many"]) {
      expect(problemsOf({ MAX_REQUESTS_IN_PROGRESS: value }), value).toEqual([
        "MAX_REQUESTS_IN_PROGRESS must be a whole number of requests (1 or more)",
      ]);
    }
  });

  it("refuses Neon's pooled endpoint without a direct URL for migrations and locks", () => {
    const pooled =
      "postgresql://alex:pw@ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech/todo?sslmode=require";
    expect(problemsOf({ DATABASE_URL: pooled })).toEqual([
      expect.stringMatching(/^DATABASE_DIRECT_URL is required when DATABASE_URL is Neon's pooled/),
    ]);
    expect(
      loadConfig({
        DATABASE_URL: pooled,
        DATABASE_DIRECT_URL: pooled.replace("-pooler", ""),
      }).databaseDirectUrl,
    ).toBe(
      "postgresql://alex:pw@ep-cool-darkness-123456.us-east-2.aws.neon.tech/todo?sslmode=require",
    );
    // The direct endpoint alone needs nothing more.
    expect(() => loadConfig({ DATABASE_URL: pooled.replace("-pooler", "") })).not.toThrow();
  });

  it("refuses a wildcard in CORS_ORIGINS, in production and out of it", () => {
    const secret = { BETTER_AUTH_SECRET: "x".repeat(32) };
    for (const value of ["*", "https://a.example.com, *", "https://*.example.com"]) {
      for (const env of [{}, { NODE_ENV: "production", ...secret }]) {
        expect(problemsOf({ CORS_ORIGINS: value, ...env }), value).toEqual([
          expect.stringMatching(/^CORS_ORIGINS may not contain ".*\*.*": list each origin/),
        ]);
      }
    }
  });

  it("refuses a short secret in production as well as a missing one", () => {
    expect(problemsOf({ NODE_ENV: "production", BETTER_AUTH_SECRET: "x".repeat(31) })).toEqual([
      "BETTER_AUTH_SECRET must be at least 32 characters (try: openssl rand -base64 32)",
    ]);
  });

  it("runs one process unless WEB_CONCURRENCY asks for workers, which need Postgres", () => {
    const postgres = { DATABASE_URL: "postgres://db.example.com/todo" };
    expect(loadConfig({}).workers).toBe(1);
    expect(loadConfig({ ...postgres, WEB_CONCURRENCY: "4" }).workers).toBe(4);
    expect(loadConfig({ WEB_CONCURRENCY: "1" }).workers).toBe(1);
    expect(loadConfig({ ...postgres, WEB_CONCURRENCY: String(MAX_WORKERS) }).workers).toBe(
      MAX_WORKERS,
    );
    for (const value of ["0", "-2", "1.5", "auto", "two", String(MAX_WORKERS + 1)]) {
      expect(problemsOf({ ...postgres, WEB_CONCURRENCY: value }), value).toEqual([
        expect.stringMatching(
          /^WEB_CONCURRENCY must be a whole number of worker processes from 1 to/,
        ),
      ]);
    }
    // The embedded database lives in one process: two workers cannot both open its directory.
    expect(problemsOf({ WEB_CONCURRENCY: "2" })).toEqual([
      expect.stringContaining("WEB_CONCURRENCY=2 needs DATABASE_URL"),
    ]);
  });

  it("reads LOG_FORMAT as json (the default) or pretty, and refuses anything else", () => {
    expect(loadConfig({}).logFormat).toBe("json");
    expect(loadConfig({ LOG_FORMAT: "pretty" }).logFormat).toBe("pretty");
    expect(loadConfig({ LOG_FORMAT: "" }).logFormat).toBe("json");
    for (const value of ["text", "JSON", "pino-pretty"]) {
      expect(problemsOf({ LOG_FORMAT: value }), value).toEqual([
        "LOG_FORMAT must be json or pretty",
      ]);
    }
  });

  it("allows pretty logs in production (the logger warns)", () => {
    const production = { NODE_ENV: "production", BETTER_AUTH_SECRET: "x".repeat(32) };
    expect(loadConfig({ ...production, LOG_FORMAT: "pretty" }).logFormat).toBe("pretty");
  });

  it("leaves metrics off without METRICS_TOKEN", () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: "" }).metricsToken).toBeUndefined();
  });

  it("takes a METRICS_TOKEN of 16 or more characters that a Bearer header can carry", () => {
    for (const token of [
      "0123456789abcdef",
      "a".repeat(64),
      "Zm9vYmFyYmF6cXV4cXV1eA==",
      "a.b-c_d~e+f/g-0123",
    ]) {
      expect(loadConfig({ METRICS_TOKEN: token }).metricsToken, token).toBe(token);
    }
  });

  it("refuses a short METRICS_TOKEN, in production and out of it", () => {
    const production = { NODE_ENV: "production", BETTER_AUTH_SECRET: "x".repeat(32) };
    for (const env of [{}, production]) {
      expect(problemsOf({ ...env, METRICS_TOKEN: "0123456789abcde" })).toEqual([
        "METRICS_TOKEN must be at least 16 characters (try: openssl rand -hex 32)",
      ]);
    }
  });

  it("refuses a METRICS_TOKEN that an Authorization: Bearer header could not carry", () => {
    for (const token of [
      "has spaces in it, sixteen+",
      'quote"0123456789abcdef',
      "ünïcode-0123456789",
      "==0123456789abcdef",
    ]) {
      expect(problemsOf({ METRICS_TOKEN: token }), token).toEqual([
        expect.stringMatching(/^METRICS_TOKEN may hold only letters, digits/),
      ]);
    }
  });

  it("keeps tasks in the trash 30 days unless TRASH_RETENTION_DAYS says otherwise", () => {
    expect(loadConfig({}).trashRetentionDays).toBe(30);
    expect(loadConfig({ TRASH_RETENTION_DAYS: "7" }).trashRetentionDays).toBe(7);
    for (const value of ["0", "-1", "1.5", "a week", "3651"]) {
      expect(problemsOf({ TRASH_RETENTION_DAYS: value }), value).toEqual([
        "TRASH_RETENTION_DAYS must be a whole number of days from 1 to 3650",
      ]);
    }
  });
});
