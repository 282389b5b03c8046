import { forgetOfflineData } from "@/lib/offline-databases";
import type { Session } from "./get-session";

const KEY = "todo-session";

/**
 * The last signed-in user of this browser (id, name, email; no token), so that the app opens
 * without a network on the data kept for them (decision 038). When the session ends or another
 * user signs in, the previous user's offline data is deleted.
 */
export function readRememberedSession(): Session | null {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(KEY) ?? "null");
    if (typeof value !== "object" || value === null || !("user" in value)) return null;
    const { user } = value as { user: Partial<Session["user"]> };
    if (typeof user?.id !== "string") return null;
    return { user: { id: user.id, name: user.name ?? "", email: user.email ?? "" } };
  } catch {
    return null;
  }
}

export function rememberSession(session: Session | null): void {
  const previous = readRememberedSession();
  if (previous && previous.user.id !== session?.user.id) {
    forgetOfflineData(previous.user.id).catch(() => undefined);
  }
  try {
    if (session) localStorage.setItem(KEY, JSON.stringify(session));
    else localStorage.removeItem(KEY);
  } catch {
    // Storage refused (private mode, quota): the app still works online.
  }
}
