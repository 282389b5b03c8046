import type { ReactNode } from "react";
import type { Session } from "@/features/auth/api/get-session";
import { useSession, useSessionStore } from "@/features/auth/api/session-context";
import { describeError } from "@/lib/api-errors";
import { Navigate } from "@/lib/router";

/** Renders its children with the signed-in session, or sends the visitor where they belong. */
export function SessionGate({
  require,
  children,
}: {
  require: "signed-in" | "signed-out";
  children: (session: Session | null) => ReactNode;
}) {
  const state = useSession();
  const store = useSessionStore();
  if (state.status === "pending") {
    return (
      <p className="list-status" role="status">
        Loading…
      </p>
    );
  }
  // Only a session never loaded blocks the screen; a failed re-check keeps what is shown.
  if (state.status === "failed") {
    return (
      <div className="list-status" role="alert">
        <p>{describeError(state.error)}</p>
        <button type="button" className="button" onClick={() => store.refresh()}>
          Try again
        </button>
      </div>
    );
  }
  const current = state.session;
  if (require === "signed-in" && !current) return <Navigate to="/sign-in" replace />;
  if (require === "signed-out" && current) return <Navigate to="/" replace />;
  return (
    <>
      {state.error !== null && (
        <div className="banner" role="alert">
          <span>Could not check your session: {describeError(state.error)}</span>
          <button type="button" className="button button-small" onClick={() => store.refresh()}>
            Try again
          </button>
        </div>
      )}
      {children(current)}
    </>
  );
}
