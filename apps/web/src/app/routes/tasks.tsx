import { useEffect, useState } from "react";
import { SessionGate } from "./session-gate";

type TasksScreenModule = typeof import("../tasks-screen");

let loaded: TasksScreenModule | null = null;
const loadTasksScreen = () =>
  import("../tasks-screen").then((module) => {
    loaded = module;
    return module;
  });

/**
 * Starts loading the task screen's chunk before it is needed (while signing in, or while the
 * session is read); a failure is shown by the route, which tries again.
 */
export function preloadTasksScreen(): void {
  loadTasksScreen().catch(() => undefined);
}

/**
 * The task screen's chunk, loaded without React.lazy: a lazy component suspends even when its
 * chunk is already here, and React then holds the screen back by its Suspense fallback throttle
 * (300 ms on every warm load, measured by the benchmark).
 */
function useTasksScreenModule() {
  const [state, setState] = useState<{ module: TasksScreenModule | null; error: unknown }>({
    module: loaded,
    error: null,
  });
  useEffect(() => {
    if (state.module) return;
    let active = true;
    loadTasksScreen().then(
      (module) => active && setState({ module, error: null }),
      (error: unknown) => active && setState({ module: null, error }),
    );
    return () => {
      active = false;
    };
  }, [state.module]);
  return state;
}

export function TasksRoute() {
  const screen = useTasksScreenModule();
  useEffect(() => {
    document.title = "Tasks · Todo";
  }, []);
  return (
    <SessionGate require="signed-in">
      {(session) => {
        if (!session) return null;
        if (screen.module) {
          const { TasksScreen } = screen.module;
          // One set of caches, API client and pending deletes per user: a new user remounts.
          return <TasksScreen key={session.user.id} userId={session.user.id} />;
        }
        if (screen.error !== null) {
          return (
            <div className="list-status" role="alert">
              <p>Could not load this screen. Check your connection and reload the page.</p>
              <button type="button" className="button" onClick={() => window.location.reload()}>
                Reload
              </button>
            </div>
          );
        }
        return (
          <p className="list-status" role="status">
            Loading tasks…
          </p>
        );
      }}
    </SessionGate>
  );
}
