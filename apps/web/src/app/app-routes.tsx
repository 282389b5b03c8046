import { Navigate, useLocation } from "@/lib/router";
import { SignInRoute } from "./routes/sign-in";
import { SignUpRoute } from "./routes/sign-up";
import { TasksRoute } from "./routes/tasks";

export function AppRoutes() {
  const { pathname } = useLocation();
  switch (pathname) {
    case "/":
    case "/trash":
      return <TasksRoute />;
    case "/sign-in":
      return <SignInRoute />;
    case "/sign-up":
      return <SignUpRoute />;
    default:
      return <Navigate to="/" replace />;
  }
}
