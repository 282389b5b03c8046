import { Link, Outlet, useNavigate } from "react-router";
import { ThemeSwitcher } from "@/components/ui/theme-switcher";
import { useSession } from "@/features/auth/api/get-session";
import { useSignOut } from "@/features/auth/api/sign-out";

export function Layout() {
  const session = useSession();
  const signOut = useSignOut();
  const navigate = useNavigate();
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
            Todo
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
                  onClick={() =>
                    signOut.mutate(undefined, { onSettled: () => navigate("/sign-in") })
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
