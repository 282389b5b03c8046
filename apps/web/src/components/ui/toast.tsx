import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";

export interface ToastOptions {
  tone?: "info" | "error";
  durationMs?: number;
  action?: { label: string; onClick: () => void };
  /** Called when the toast goes away without its action being used (not on `dismissAll`). */
  onExpire?: () => void;
}

interface ToastItem extends ToastOptions {
  id: number;
  message: string;
}

export interface ToastApi {
  show(message: string, options?: ToastOptions): number;
  dismiss(id: number): void;
  /** Removes every toast without running `onExpire` (sign-out, another user). */
  dismissAll(): void;
}

const ToastContext = createContext<ToastApi | null>(null);

/** Toasts without an action beyond this many are dropped, oldest first. */
const MAX_PLAIN_TOASTS = 4;
export const UNDO_SHORTCUT = "Control+Z";

interface Timer {
  remaining: number;
  startedAt: number;
  handle: ReturnType<typeof setTimeout> | null;
  expire: () => void;
}

const isEditable = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));

export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const itemsRef = useRef<ToastItem[]>([]);
  itemsRef.current = items;
  const timers = useRef(new Map<number, Timer>());
  const nextId = useRef(0);
  // While the pointer is over the toasts or focus is inside them, no toast expires.
  const holds = useRef({ hover: false, focus: false });
  const region = useRef<HTMLElement>(null);

  const remove = useCallback((id: number) => {
    const timer = timers.current.get(id);
    if (timer?.handle) clearTimeout(timer.handle);
    timers.current.delete(id);
    setItems((current) => current.filter((item) => item.id !== id));
  }, []);

  const start = useCallback((timer: Timer) => {
    if (timer.handle || holds.current.hover || holds.current.focus) return;
    timer.startedAt = Date.now();
    timer.handle = setTimeout(timer.expire, timer.remaining);
  }, []);

  const setHold = useCallback(
    (kind: "hover" | "focus", held: boolean) => {
      holds.current[kind] = held;
      for (const timer of timers.current.values()) {
        if (held && timer.handle) {
          clearTimeout(timer.handle);
          timer.handle = null;
          timer.remaining = Math.max(0, timer.remaining - (Date.now() - timer.startedAt));
        } else if (!held) {
          start(timer);
        }
      }
    },
    [start],
  );

  const show = useCallback(
    (message: string, options: ToastOptions = {}) => {
      nextId.current += 1;
      const id = nextId.current;
      setItems((current) => {
        const next = [...current, { id, message, ...options }];
        // Never drop a toast with an action: its Undo must stay reachable.
        const plain = next.filter((item) => !item.action);
        const dropped = new Set(
          plain.slice(0, Math.max(0, plain.length - MAX_PLAIN_TOASTS)).map((item) => item.id),
        );
        for (const droppedId of dropped) {
          const timer = timers.current.get(droppedId);
          if (timer?.handle) clearTimeout(timer.handle);
          timers.current.delete(droppedId);
        }
        return next.filter((item) => !dropped.has(item.id));
      });
      const timer: Timer = {
        remaining: options.durationMs ?? (options.tone === "error" ? 6000 : 4000),
        startedAt: Date.now(),
        handle: null,
        expire: () => {
          remove(id);
          options.onExpire?.();
        },
      };
      timers.current.set(id, timer);
      start(timer);
      return id;
    },
    [remove, start],
  );

  const dismissAll = useCallback(() => {
    for (const timer of timers.current.values()) if (timer.handle) clearTimeout(timer.handle);
    timers.current.clear();
    holds.current = { hover: false, focus: false };
    setItems([]);
  }, []);

  const runAction = useCallback(
    (item: ToastItem) => {
      item.action?.onClick();
      remove(item.id);
    },
    [remove],
  );

  // Ctrl+Z (⌘Z) runs the newest toast action (Undo) from anywhere except a text field.
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key.toLowerCase() !== "z" || !(event.ctrlKey || event.metaKey)) return;
      if (event.shiftKey || event.altKey || isEditable(event.target)) return;
      const newest = itemsRef.current.findLast((item) => item.action);
      if (!newest) return;
      event.preventDefault();
      runAction(newest);
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [runAction]);

  // A toast removed under the pointer or with the focus takes them along without a leave or
  // blur event: check again whenever the toasts change.
  useEffect(() => {
    const element = region.current;
    if (!element || items.length < 0) return;
    if (holds.current.focus && !element.contains(document.activeElement)) setHold("focus", false);
    if (holds.current.hover && !element.matches(":hover")) setHold("hover", false);
  }, [items, setHold]);

  useEffect(() => {
    const all = timers.current;
    return () => {
      for (const timer of all.values()) if (timer.handle) clearTimeout(timer.handle);
    };
  }, []);

  const api = useMemo<ToastApi>(
    () => ({ show, dismiss: remove, dismissAll }),
    [show, remove, dismissAll],
  );

  return (
    <ToastContext.Provider value={api}>
      {children}
      <section
        ref={region}
        className="toasts"
        aria-label="Notifications"
        aria-live="polite"
        onPointerEnter={() => setHold("hover", true)}
        onPointerLeave={() => setHold("hover", false)}
        onFocus={() => setHold("focus", true)}
        onBlur={(event) => {
          const next = event.relatedTarget;
          if (next instanceof Node && event.currentTarget.contains(next)) return;
          setHold("focus", false);
        }}
      >
        {items.map((item) => (
          <div
            key={item.id}
            className={`toast toast-${item.tone ?? "info"}`}
            role={item.tone === "error" ? "alert" : "status"}
          >
            <span>{item.message}</span>
            {item.action && (
              <button
                type="button"
                className="button button-small"
                aria-keyshortcuts={UNDO_SHORTCUT}
                title="Ctrl+Z"
                onClick={() => runAction(item)}
              >
                {item.action.label}
              </button>
            )}
            <button
              type="button"
              className="icon-button"
              aria-label="Dismiss notification"
              onClick={() => {
                remove(item.id);
                item.onExpire?.();
              }}
            >
              ×
            </button>
          </div>
        ))}
      </section>
    </ToastContext.Provider>
  );
}

export function useToast(): ToastApi {
  const toast = useContext(ToastContext);
  if (!toast) throw new Error("useToast must be used inside <ToastProvider>");
  return toast;
}
