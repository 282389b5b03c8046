import type { Task } from "@/lib/api-types";

/** A JWT-shaped string with the given `exp` (signature is not checked by the client). */
export function fakeJwt(exp: number, sub = "user-1"): string {
  const encode = (value: object) =>
    btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${encode({ alg: "EdDSA" })}.${encode({ sub, exp, iat: exp - 3600 })}.signature`;
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

export function problem(status: number, title: string, detail?: string): Response {
  return new Response(
    JSON.stringify({ type: "about:blank", title, status, detail, request_id: "req-1" }),
    {
      status,
      headers: { "Content-Type": "application/problem+json" },
    },
  );
}

let nextId = 1;
export function makeTask(overrides: Partial<Task> = {}): Task {
  const id = overrides.id ?? nextId++;
  const now = new Date(Date.UTC(2026, 10, 22, 10, 0, id)).toISOString();
  return {
    id,
    user_id: "user-1",
    title: `Task ${id}`,
    description: null,
    completed: false,
    completed_at: null,
    priority: "medium",
    tags: [],
    due_date: null,
    created_at: now,
    updated_at: now,
    version: 1,
    ...overrides,
  };
}

export interface RecordedRequest {
  method: string;
  path: string;
  search: string;
  body: unknown;
  headers: Headers;
}

type Override = (request: RecordedRequest) => Response | undefined | Promise<Response | undefined>;

const etagOf = (task: Task) => `"${task.id}-${task.version}"`;

/**
 * An in-memory task API behind a fetch function, enough for component tests. Like the real one,
 * every write bumps the task's version, `GET /tasks/{id}` sends its ETag, and a write whose
 * If-Match names another version gets a 412. `override` lets a test answer one request
 * differently (a refusal, a delay).
 */
export function createFakeApi(initial: Task[] = []) {
  let tasks: Task[] = initial.map((task) => ({ ...task, version: task.version ?? 1 }));
  /** Tasks in the trash (API decision 039), newest deleted first. */
  let trash: (Task & { deleted_at: string })[] = [];
  const requests: RecordedRequest[] = [];
  const overrides: Override[] = [];
  /**
   * Answers by Idempotency-Key (API decision 037): a retry of the same request gets the first
   * answer again and changes nothing; the same key on another request is a 422.
   */
  const answered = new Map<string, { request: string; status: number; body: string }>();

  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input), "http://localhost");
    const method = init.method ?? "GET";
    const body = typeof init.body === "string" ? (JSON.parse(init.body) as unknown) : undefined;
    const request: RecordedRequest = {
      method,
      path: url.pathname,
      search: url.search,
      body,
      headers: new Headers(init.headers),
    };
    requests.push(request);
    for (const override of overrides) {
      const response = await override(request);
      if (response) return response;
    }
    const key = method === "GET" ? null : request.headers.get("Idempotency-Key");
    if (key === null) return answer(request, url);
    const fingerprint = JSON.stringify([method, url.pathname, init.body ?? ""]);
    const first = answered.get(key);
    if (first && first.request !== fingerprint) return problem(422, "Idempotency-Key reused");
    if (first)
      return new Response(first.body, {
        status: first.status,
        headers: { "Content-Type": "application/json", "Idempotent-Replayed": "true" },
      });
    const response = await answer(request, url);
    if (response.status < 500)
      answered.set(key, {
        request: fingerprint,
        status: response.status,
        body: await response.clone().text(),
      });
    return response;
  };

  const answer = async (request: RecordedRequest, url: URL): Promise<Response> => {
    const { method, body } = request;
    if (url.pathname === "/api/auth/token")
      return json({ token: fakeJwt(Math.floor(Date.now() / 1000) + 3600) });

    const now = new Date().toISOString();
    const toTrash = (gone: Task[]) => {
      trash = [...gone.map((task) => ({ ...task, deleted_at: now })), ...trash];
    };
    const trashMatch = /^\/api\/([^/]+)\/trash(?:\/(\d+))?$/.exec(url.pathname);
    if (trashMatch) {
      const trashId = Number(trashMatch[2]);
      if (!trashMatch[2] && method === "GET") return json(trash);
      if (!trashMatch[2] && method === "DELETE") {
        const purged = trash.length;
        trash = [];
        return json({ purged });
      }
      if (!trash.some((task) => task.id === trashId)) return problem(404, "Not Found");
      trash = trash.filter((task) => task.id !== trashId);
      return new Response(null, { status: 204 });
    }
    const match =
      /^\/api\/([^/]+)\/tasks(?:\/(\d+|completed|complete-all))?(\/complete|\/restore|\/history)?$/.exec(
        url.pathname,
      );
    if (!match) return problem(404, "Not Found");
    const [, , idPart, suffix] = match;
    const complete = suffix === "/complete";
    const id = Number(idPart);
    const find = () => tasks.find((task) => task.id === id);
    if (suffix === "/restore") {
      const trashed = trash.find((task) => task.id === id);
      if (!trashed) return find() ? json(find()) : problem(404, "Not Found");
      const { deleted_at: _deletedAt, ...rest } = trashed;
      const restored = { ...rest, updated_at: now, version: (rest.version ?? 1) + 1 };
      trash = trash.filter((task) => task.id !== id);
      tasks.push(restored);
      return json(restored);
    }
    if (suffix === "/history") {
      const task = find() ?? trash.find((each) => each.id === id);
      if (!task) return problem(404, "Not Found");
      return json({
        entries: [
          {
            seq: 1,
            at: task.created_at,
            op: "create",
            changes: [{ field: "title", before: null, after: task.title }],
          },
        ],
      });
    }

    if (!idPart && method === "GET") {
      const status = url.searchParams.get("status");
      const q = url.searchParams.get("q")?.toLowerCase();
      const limit = Number(url.searchParams.get("limit") ?? 50);
      const matching = tasks
        .filter((task) => status !== "pending" || !task.completed)
        .filter((task) => status !== "completed" || task.completed)
        .filter((task) => !q || task.title.toLowerCase().includes(q))
        .sort((a, b) => b.id - a.id);
      return json(matching.slice(0, limit), 200, { "X-Total-Count": String(matching.length) });
    }
    if (!idPart && method === "POST") {
      const task = makeTask({
        ...(body as Partial<Task>),
        id: Math.max(0, ...tasks.map((t) => t.id), ...trash.map((t) => t.id)) + 1,
        version: 1,
      });
      tasks.push(task);
      return json(task, 201);
    }
    if (idPart === "complete-all") {
      const completed = (body as { completed?: boolean } | undefined)?.completed ?? true;
      const changing = tasks.filter((task) => task.completed !== completed);
      for (const task of changing)
        Object.assign(task, {
          completed,
          completed_at: completed ? now : null,
          updated_at: now,
          version: (task.version ?? 1) + 1,
        });
      return json({ updated: changing.length });
    }
    if (idPart === "completed") {
      const done = tasks.filter((task) => task.completed);
      tasks = tasks.filter((task) => !task.completed);
      toTrash(done);
      return json({ deleted: done.length });
    }
    const task = find();
    if (!task) return problem(404, "Not Found");
    const ifMatch = request.headers.get("If-Match");
    if (method !== "GET" && ifMatch !== null && ifMatch !== etagOf(task)) {
      return problem(412, "Precondition Failed", "The task has changed since you read it.");
    }
    const bump = { updated_at: now, version: (task.version ?? 1) + 1 };
    if (complete) {
      const completed = (body as { completed?: boolean } | undefined)?.completed ?? !task.completed;
      Object.assign(task, { completed, completed_at: completed ? now : null }, bump);
      return json(task);
    }
    if (method === "PUT") {
      Object.assign(task, body, bump);
      return json(task);
    }
    if (method === "DELETE") {
      tasks = tasks.filter((t) => t.id !== id);
      toTrash([task]);
      return new Response(null, { status: 204 });
    }
    return json(task, 200, { ETag: etagOf(task) });
  };

  return {
    fetch,
    requests,
    tasks: () => tasks,
    trash: () => trash,
    override(fn: Override) {
      overrides.push(fn);
    },
    writes: () => requests.filter((r) => r.method !== "GET"),
    /** Changes a task as another device would (its version moves on). */
    changeElsewhere(id: number, change: Partial<Task>) {
      const task = tasks.find((t) => t.id === id);
      if (!task) throw new Error(`no task ${id}`);
      Object.assign(task, change, { version: (task.version ?? 1) + 1 });
    },
  };
}
