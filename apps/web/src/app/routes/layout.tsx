import { Link, Outlet, useNavigate } from "react-router";
import { ThemeSwitcher } from "@/components/ui/theme-switcher";
import { useToast } from "@/components/ui/toast";
import { useSession } from "@/features/auth/api/get-session";
import { useSignOut } from "@/features/auth/api/sign-out";
import { usePendingDeletes } from "@/features/tasks/hooks/pending-deletes-context";
import { describeError } from "@/lib/api-errors";

export function Layout() {
  const session = useSession();
  const pendingDeletes = usePendingDeletes();
  // Deletes still in their undo window go out with this user's token before the session ends.
  const signOut = useSignOut({ beforeSignOut: () => pendingDeletes.flush() });
  const navigate = useNavigate();
  const toast = useToast();
  const user = session.data?.user;

  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="app-header">
        <div className="app-header-inner">
          <Link to="/" className="brand">
            <span aria-hidden="true" className="brand-mark">
              ✓
            </span>
            <span className="brand-name">Todo</span>
          </Link>
          <div className="header-actions">
            <ThemeSwitcher />
            {user && (
              <>
                <span className="user-name" title={user.email}>
                  {user.name}
                </span>
                <button
                  type="button"
                  className="button button-small"
                  disabled={signOut.isPending}
                  onClick={() =>
                    signOut.mutate(undefined, {
                      onSuccess: () => navigate("/sign-in"),
                      onError: (error) =>
                        toast.show(`Could not sign out: ${describeError(error)}`, {
                          tone: "error",
                        }),
                    })
                  }
                >
                  Sign out
                </button>
              </>
            )}
          </div>
        </div>
      </header>
      <main id="main" className="app-main">
        <Outlet />
      </main>
    </>
  );
}
