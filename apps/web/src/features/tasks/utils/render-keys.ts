/**
 * A task added offline is shown under a temporary id until the server gives it one. React keys
 * its card by the temporary id even after that, so a card being edited as the task reaches the
 * server is not remounted (the half-typed edit would be lost). Kept for the page's life: one
 * entry per task added from this page.
 */
const keysByServerId = new Map<number, number>();

export function keepRenderKey(serverId: number, localId: number): void {
  keysByServerId.set(serverId, localId);
}

export function renderKey(taskId: number): number {
  return keysByServerId.get(taskId) ?? taskId;
}
