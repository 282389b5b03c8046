import { createContext, type ReactNode, useContext } from "react";
import type { PendingDeletes } from "../utils/pending-deletes";

const PendingDeletesContext = createContext<PendingDeletes | null>(null);

/** The app's one store of deletes waiting for their undo window (created in `app/providers`). */
export function PendingDeletesProvider({
  store,
  children,
}: {
  store: PendingDeletes;
  children: ReactNode;
}) {
  return <PendingDeletesContext.Provider value={store}>{children}</PendingDeletesContext.Provider>;
}

export function usePendingDeletes(): PendingDeletes {
  const store = useContext(PendingDeletesContext);
  if (!store) throw new Error("usePendingDeletes must be used inside <PendingDeletesProvider>");
  return store;
}
