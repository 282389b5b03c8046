import { useEffect } from "react";
import { TasksView } from "@/features/tasks/components/tasks-view";
import { SessionGate } from "./session-gate";

export function TasksRoute() {
  useEffect(() => {
    document.title = "Tasks · Todo";
  }, []);
  return (
    <SessionGate require="signed-in">
      {(session) =>
        session && (
          <>
            <h1 className="visually-hidden">Your tasks</h1>
            <TasksView key={session.user.id} userId={session.user.id} />
          </>
        )
      }
    </SessionGate>
  );
}
