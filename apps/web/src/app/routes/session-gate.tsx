import type { ReactNode } from "react";
import { Navigate } from "react-router";
import { type Session, useSession } from "@/features/auth/api/get-session";
import { describeError } from "@/lib/api-errors";

/** Renders its children with the signed-in session, or sends the visitor where they belong. */
export function SessionGate({
  require,
  children,
}: {
  require: "signed-in" | "signed-out";
  children: (session: Session | null) => ReactNode;
}) {
  const session = useSession();
  if (session.isPending) {
    return (
      <p className="list-status" role="status">
        Loading…
      </p>
    );
  }
  // Only a session never loaded blocks the screen; a failed re-check keeps what is shown.
  if (session.isError && session.data === undefined) {
    return (
      <div className="list-status" role="alert">
        <p>{describeError(session.error)}</p>
        <button type="button" className="button" onClick={() => session.refetch()}>
          Try again
        </button>
      </div>
    );
  }
  const current = session.data ?? null;
  if (require === "signed-in" && !current) return <Navigate to="/sign-in" replace />;
  if (require === "signed-out" && current) return <Navigate to="/" replace />;
  return (
    <>
      {session.isError && (
        <div className="banner" role="alert">
          <span>Could not check your session: {describeError(session.error)}</span>
          <button type="button" className="button button-small" onClick={() => session.refetch()}>
            Try again
          </button>
        </div>
      )}
      {children(current)}
    </>
  );
}
