import type { ReactNode } from "react";
import { ThemeSwitcher } from "@/components/ui/theme-switcher";
import { useSession } from "@/features/auth/api/session-context";
import { useSignOut } from "@/features/auth/api/sign-out";
import { describeError } from "@/lib/api-errors";
import { Link, navigate } from "@/lib/router";

export function Layout({ children }: { children: ReactNode }) {
  const session = useSession();
  const signOut = useSignOut();
  const user = session.status === "ready" ? session.session?.user : undefined;

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
                  onClick={async () => {
                    if (await signOut.run()) navigate("/sign-in");
                  }}
                >
                  Sign out
                </button>
              </>
            )}
          </div>
        </div>
      </header>
      <main id="main" className="app-main">
        {signOut.error !== null && (
          <div className="banner" role="alert">
            <span>Could not sign out: {describeError(signOut.error)}</span>
            <button type="button" className="button button-small" onClick={signOut.dismissError}>
              Dismiss
            </button>
          </div>
        )}
        {children}
      </main>
    </>
  );
}
