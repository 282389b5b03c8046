/** Event streams one user may hold open on one server process (decision 036). */
export const MAX_STREAMS_PER_USER = 10;

/**
 * Counts the open event streams of each user in this process. `take` returns the function that
 * gives the slot back, or undefined when the user already holds `max` of them.
 */
export function streamSlots(max = MAX_STREAMS_PER_USER) {
  const open = new Map<string, number>();
  return {
    take(userId: string): (() => void) | undefined {
      const count = open.get(userId) ?? 0;
      if (count >= max) return undefined;
      open.set(userId, count + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (open.get(userId) ?? 1) - 1;
        if (left > 0) open.set(userId, left);
        else open.delete(userId);
      };
    },
  };
}

export type StreamSlots = ReturnType<typeof streamSlots>;
