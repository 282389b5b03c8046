import { lazy, Suspense, useEffect } from "react";
import { LoadErrorBoundary } from "@/components/ui/load-error-boundary";
import { SessionGate } from "./session-gate";

const loadTasksScreen = () => import("../tasks-screen");
const TasksScreen = lazy(() =>
  loadTasksScreen().then((module) => ({ default: module.TasksScreen })),
);

/**
 * Starts loading the task screen's chunk before it is needed (while signing in, or while the
 * session is read); a failure here is left to the lazy component, which shows it.
 */
export function preloadTasksScreen(): void {
  loadTasksScreen().catch(() => undefined);
}

export function TasksRoute() {
  useEffect(() => {
    document.title = "Tasks · Todo";
    preloadTasksScreen();
  }, []);
  return (
    <SessionGate require="signed-in">
      {(session) =>
        session && (
          <LoadErrorBoundary>
            <Suspense
              fallback={
                <p className="list-status" role="status">
                  Loading tasks…
                </p>
              }
            >
              {/* One set of caches, API client and pending deletes per user: a new user remounts. */}
              <TasksScreen key={session.user.id} userId={session.user.id} />
            </Suspense>
          </LoadErrorBoundary>
        )
      }
    </SessionGate>
  );
}
