import { createContext, type ReactNode, useContext, useSyncExternalStore } from "react";
import type { OfflineState, OfflineWrites } from "./offline-writes";

const OfflineWritesContext = createContext<OfflineWrites | null>(null);

export function OfflineWritesProvider({
  writes,
  children,
}: {
  writes: OfflineWrites;
  children: ReactNode;
}) {
  return <OfflineWritesContext.Provider value={writes}>{children}</OfflineWritesContext.Provider>;
}

export function useOfflineWrites(): OfflineWrites {
  const writes = useContext(OfflineWritesContext);
  if (!writes) throw new Error("useOfflineWrites must be used inside <OfflineWritesProvider>");
  return writes;
}

export function useOfflineState(): OfflineState {
  const writes = useOfflineWrites();
  return useSyncExternalStore(writes.subscribe, writes.getState);
}
