import {
  type AnchorHTMLAttributes,
  type MouseEvent,
  useCallback,
  useEffect,
  useMemo,
  useSyncExternalStore,
} from "react";

/**
 * The app's router: three paths and filters in the query string need no more than the History API.
 * react-router cost 30 KB gzip on the sign-in screen, over a third of its budget (decision 023).
 */

export interface NavigateOptions {
  replace?: boolean;
}

const listeners = new Set<() => void>();
const notify = () => {
  for (const listener of listeners) listener();
};

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (listeners.size === 1) window.addEventListener("popstate", notify);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) window.removeEventListener("popstate", notify);
  };
}

const currentHref = () => `${window.location.pathname}${window.location.search}`;

export function navigate(to: string, { replace = false }: NavigateOptions = {}): void {
  if (replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  notify();
}

export function useLocation(): { pathname: string; search: string } {
  const href = useSyncExternalStore(subscribe, currentHref);
  return useMemo(() => {
    const url = new URL(href, "http://localhost");
    return { pathname: url.pathname, search: url.search };
  }, [href]);
}

export function useSearchParams(): [
  URLSearchParams,
  (next: (current: URLSearchParams) => URLSearchParams, options?: NavigateOptions) => void,
] {
  const { search } = useLocation();
  const params = useMemo(() => new URLSearchParams(search), [search]);
  const setParams = useCallback(
    (next: (current: URLSearchParams) => URLSearchParams, options?: NavigateOptions) => {
      // From the URL as it is now, not as last rendered: two quick updates must not undo each other.
      const query = next(new URLSearchParams(window.location.search)).toString();
      navigate(`${window.location.pathname}${query ? `?${query}` : ""}`, options);
    },
    [],
  );
  return [params, setParams];
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> & { to: string };

/** An ordinary link that navigates in the page; modified clicks (new tab…) stay the browser's. */
export function Link({ to, onClick, ...props }: LinkProps) {
  const click = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey ||
      (props.target && props.target !== "_self")
    )
      return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={click} {...props} />;
}

/** Navigates when rendered (a redirect). */
export function Navigate({ to, replace = false }: { to: string; replace?: boolean }) {
  useEffect(() => {
    navigate(to, { replace });
  }, [to, replace]);
  return null;
}
