import { createBrowserRouter, Navigate } from "react-router";
import { Layout } from "./routes/layout";
import { SignInRoute } from "./routes/sign-in";
import { SignUpRoute } from "./routes/sign-up";
import { TasksRoute } from "./routes/tasks";

export const routes = [
  {
    element: <Layout />,
    children: [
      { path: "/", element: <TasksRoute /> },
      { path: "/sign-in", element: <SignInRoute /> },
      { path: "/sign-up", element: <SignUpRoute /> },
      { path: "*", element: <Navigate to="/" replace /> },
    ],
  },
];

export function createAppRouter() {
  return createBrowserRouter(routes);
}
