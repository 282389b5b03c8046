import {
  ApiError,
  NetworkError,
  toApiError,
  UnauthorizedError,
  WrongUserError,
} from "./api-errors";
import { readJwtExpiry, readJwtSubject } from "./jwt";

export type QueryValue = string | number | boolean | undefined | null;

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Sent as JSON when defined. */
  body?: unknown;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Lets the request outlive the page (`fetch(…, { keepalive: true })`). */
  keepalive?: boolean;
}

export interface ApiResponse<T> {
  data: T;
  status: number;
  headers: Headers;
}

export interface ApiClient {
  request<T>(path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  /** A JWT valid for at least the refresh margin, fetched from `/api/auth/token` when needed. */
  getToken(options?: { force?: boolean }): Promise<string>;
  /** The cached token if still valid, without any request. */
  peekToken(): string | null;
  /** Forget the cached JWT (on sign-out); a token request still in flight is discarded too. */
  clearToken(): void;
}

export interface ApiClientOptions {
  /** Origin of the API; empty for same origin. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Called once a refreshed token is still refused: the single place that signs out. */
  onUnauthorized?: () => void;
  /** Refresh this many seconds before `exp`. */
  refreshMarginSeconds?: number;
  now?: () => number;
}

const TOKEN_PATH = "/api/auth/token";
const USER_PATH = /^\/api\/([^/]+)\/tasks(?:[/?]|$)/;

/** The user a task path belongs to (`/api/{user_id}/tasks…`), or null for other paths. */
export function pathUser(path: string): string | null {
  const match = USER_PATH.exec(path);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}
/** Lifetime assumed for a token whose `exp` cannot be read. */
const UNKNOWN_EXPIRY_SECONDS = 60;

function buildUrl(baseUrl: string, path: string, query?: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const search = params.toString();
  return `${baseUrl}${path}${search ? `?${search}` : ""}`;
}

export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const baseUrl = options.baseUrl ?? "";
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const now = options.now ?? (() => Date.now());
  const margin = options.refreshMarginSeconds ?? 60;

  let cached: { token: string; expiresAt: number } | null = null;
  let inflight: Promise<string> | null = null;
  // Bumped by clearToken: a token request started before it must not fill the cache after it.
  let generation = 0;

  const isFresh = (entry: { expiresAt: number }) => entry.expiresAt - margin * 1000 > now();

  async function fetchToken(): Promise<string> {
    const started = generation;
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}${TOKEN_PATH}`, {
        credentials: "include",
        headers: { Accept: "application/json" },
      });
    } catch (error) {
      throw new NetworkError(error);
    }
    if (response.status === 401 || response.status === 403) {
      if (started !== generation) throw new UnauthorizedError();
      cached = null;
      options.onUnauthorized?.();
      throw new UnauthorizedError();
    }
    if (!response.ok) throw await toApiError(response);
    const body: unknown = await response.json();
    if (typeof body !== "object" || body === null || !("token" in body)) {
      throw new ApiError(response.status, null, null);
    }
    const token = String(body.token);
    const exp = readJwtExpiry(token);
    if (started !== generation) return token;
    cached = {
      token,
      expiresAt: exp === null ? now() + (UNKNOWN_EXPIRY_SECONDS + margin) * 1000 : exp * 1000,
    };
    return token;
  }

  function getToken({ force = false }: { force?: boolean } = {}): Promise<string> {
    if (!force && cached && isFresh(cached)) return Promise.resolve(cached.token);
    if (!inflight) {
      const request = fetchToken().finally(() => {
        if (inflight === request) inflight = null;
      });
      inflight = request;
    }
    return inflight;
  }

  /** A token for the user the path names; a path for someone else is refused before sending. */
  async function tokenFor(path: string, force = false): Promise<string> {
    const token = await getToken({ force });
    const user = pathUser(path);
    if (user !== null) {
      const subject = readJwtSubject(token);
      if (subject !== null && subject !== user) throw new WrongUserError(user, subject);
    }
    return token;
  }

  async function send(token: string, path: string, opts: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = {
      Accept: "application/json",
      Authorization: `Bearer ${token}`,
      ...opts.headers,
    };
    const init: RequestInit = {
      method: opts.method ?? "GET",
      headers,
      credentials: "include",
    };
    if (opts.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.body);
    }
    if (opts.signal) init.signal = opts.signal;
    if (opts.keepalive) init.keepalive = true;
    try {
      return await doFetch(buildUrl(baseUrl, path, opts.query), init);
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      throw new NetworkError(error);
    }
  }

  async function request<T>(path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
    let response = await send(await tokenFor(path), path, opts);
    if (response.status === 401) {
      // The token may have been revoked or expired early: refresh once, then give up.
      response = await send(await tokenFor(path, true), path, opts);
      if (response.status === 401) {
        cached = null;
        options.onUnauthorized?.();
        throw new UnauthorizedError();
      }
    }
    if (!response.ok) throw await toApiError(response);
    const text = response.status === 204 ? "" : await response.text();
    const data = (text ? JSON.parse(text) : undefined) as T;
    return { data, status: response.status, headers: response.headers };
  }

  return {
    request,
    getToken,
    peekToken: () => (cached && isFresh(cached) ? cached.token : null),
    clearToken: () => {
      cached = null;
      inflight = null;
      generation += 1;
    },
  };
}
