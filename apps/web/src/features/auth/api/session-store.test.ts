import { afterEach, describe, expect, it, vi } from "vitest";
import { json } from "@/test/fake-api";
import { deferred } from "@/test/render";
import { createSessionStore } from "./session-store";

const ann = { session: { id: "s1" }, user: { id: "u1", name: "Ann", email: "ann@example.com" } };
const annSession = { user: { id: "u1", name: "Ann", email: "ann@example.com" } };

/** Each get-session call waits for the test to answer it. */
function pendingAnswers() {
  const answers: ReturnType<typeof deferred<Response>>[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(() => {
      const answer = deferred<Response>();
      answers.push(answer);
      return answer.promise;
    }),
  );
  return answers;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("session store", () => {
  it("shares one request between reads made at the same time", async () => {
    const answers = pendingAnswers();
    const store = createSessionStore();
    const first = store.refresh();
    const second = store.refresh();
    expect(answers).toHaveLength(1);
    answers[0]?.resolve(json(ann));
    await Promise.all([first, second]);
    expect(store.getState()).toEqual({ status: "ready", session: annSession, error: null });
  });

  it("never lets a read started before sign-out bring the session back", async () => {
    const answers = pendingAnswers();
    const store = createSessionStore();
    const read = store.refresh();
    store.set(null);
    answers[0]?.resolve(json(ann));
    await read;
    expect(store.getState()).toEqual({ status: "ready", session: null, error: null });
  });

  it("reads again after signing in instead of taking an answer already on its way", async () => {
    const answers = pendingAnswers();
    const store = createSessionStore();
    const before = store.refresh();
    const after = store.refresh({ fresh: true });
    expect(answers).toHaveLength(2);
    answers[1]?.resolve(json(ann));
    answers[0]?.resolve(json(null));
    await Promise.all([before, after]);
    expect(store.getState()).toMatchObject({ status: "ready", session: annSession });
  });

  it("keeps the session when a re-check fails, and retries a lost connection once", async () => {
    const fetch = vi.fn(async () => json(ann));
    vi.stubGlobal("fetch", fetch);
    const store = createSessionStore({ retryDelayMs: 0 });
    await store.refresh();
    fetch.mockRejectedValue(new TypeError("Failed to fetch"));
    await store.refresh();
    expect(fetch).toHaveBeenCalledTimes(3);
    const state = store.getState();
    expect(state).toMatchObject({ status: "ready", session: annSession });
    expect(state.status === "ready" && state.error).toBeInstanceOf(Error);
  });

  it("reports a first read that fails, and runs the hooks registered before a change", async () => {
    vi.stubGlobal("fetch", async () => json({ code: "X", message: "refused" }, 400));
    const store = createSessionStore();
    await store.refresh();
    expect(store.getState()).toMatchObject({ status: "failed" });
    const hook = vi.fn(async () => undefined);
    const stop = store.beforeChange(hook);
    await store.runBeforeChange();
    stop();
    await store.runBeforeChange();
    expect(hook).toHaveBeenCalledTimes(1);
  });
});
