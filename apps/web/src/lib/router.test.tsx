import { act, fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Link, Navigate, navigate, useLocation, useSearchParams } from "./router";

function Where() {
  const { pathname, search } = useLocation();
  return <p>at {`${pathname}${search}`}</p>;
}

describe("router", () => {
  it("follows a plain click on a link in the page, and leaves a modified click to the browser", () => {
    window.history.replaceState(null, "", "/");
    render(
      <>
        <Link to="/sign-up">Sign up</Link>
        <Where />
      </>,
    );
    const link = screen.getByRole("link", { name: "Sign up" });
    expect(link).toHaveAttribute("href", "/sign-up");
    // A Ctrl-click (new tab) is not the page's business: jsdom ignores it, the location stays.
    fireEvent.click(link, { ctrlKey: true });
    expect(screen.getByText("at /")).toBeInTheDocument();
    fireEvent.click(link);
    expect(screen.getByText("at /sign-up")).toBeInTheDocument();
    expect(window.location.pathname).toBe("/sign-up");
  });

  it("updates the query from the current URL, pushing or replacing history entries", () => {
    window.history.replaceState(null, "", "/?status=pending");
    function Filters() {
      const [params, setParams] = useSearchParams();
      return (
        <button
          type="button"
          onClick={() =>
            setParams(
              (current) => {
                current.set("q", "milk");
                return current;
              },
              { replace: true },
            )
          }
        >
          {params.toString() || "none"}
        </button>
      );
    }
    render(<Filters />);
    const length = window.history.length;
    fireEvent.click(screen.getByRole("button", { name: "status=pending" }));
    expect(screen.getByRole("button", { name: "status=pending&q=milk" })).toBeInTheDocument();
    expect(window.history.length).toBe(length);
    act(() => navigate("/?status=completed"));
    expect(screen.getByRole("button", { name: "status=completed" })).toBeInTheDocument();
    expect(window.history.length).toBe(length + 1);
  });

  it("redirects with Navigate, replacing the entry", () => {
    window.history.replaceState(null, "", "/old");
    const length = window.history.length;
    render(<Navigate to="/" replace />);
    expect(window.location.pathname).toBe("/");
    expect(window.history.length).toBe(length);
  });
});
