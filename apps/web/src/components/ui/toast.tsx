import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useMemo,
  useRef,
  useState,
} from "react";

export interface ToastOptions {
  tone?: "info" | "error";
  durationMs?: number;
  action?: { label: string; onClick: () => void };
  /** Called when the toast goes away without its action being used. */
  onExpire?: () => void;
}

interface ToastItem extends ToastOptions {
  id: number;
  message: string;
}

export interface ToastApi {
  show(message: string, options?: ToastOptions): number;
  dismiss(id: number): void;
}

const ToastContext = createContext<ToastApi | null>(null);

export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());
  const nextId = useRef(0);

  const remove = useCallback((id: number) => {
    const timer = timers.current.get(id);
    if (timer) clearTimeout(timer);
    timers.current.delete(id);
    setItems((current) => current.filter((item) => item.id !== id));
  }, []);

  const show = useCallback(
    (message: string, options: ToastOptions = {}) => {
      nextId.current += 1;
      const id = nextId.current;
      setItems((current) => [...current.slice(-3), { id, message, ...options }]);
      const duration = options.durationMs ?? (options.tone === "error" ? 6000 : 4000);
      timers.current.set(
        id,
        setTimeout(() => {
          remove(id);
          options.onExpire?.();
        }, duration),
      );
      return id;
    },
    [remove],
  );

  const api = useMemo<ToastApi>(() => ({ show, dismiss: remove }), [show, remove]);

  return (
    <ToastContext.Provider value={api}>
      {children}
      <section className="toasts" aria-label="Notifications" aria-live="polite">
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
                onClick={() => {
                  item.action?.onClick();
                  remove(item.id);
                }}
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
