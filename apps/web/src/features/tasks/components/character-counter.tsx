import { COUNTER_FROM } from "@/lib/task-limits";

/**
 * How many characters are left once a field nears its limit, and how many are too many past it.
 * A polite live region that stays in the DOM (empty below the threshold), so screen readers
 * announce it as it appears and changes; the field points to it with aria-describedby.
 */
export function CharacterCounter({ id, length, max }: { id: string; length: number; max: number }) {
  const shown = length >= Math.ceil(max * COUNTER_FROM);
  const over = length > max;
  const left = max - length;
  return (
    <p id={id} className={`char-counter${over ? " char-counter-over" : ""}`} aria-live="polite">
      {!shown
        ? ""
        : over
          ? `${length - max} ${length - max === 1 ? "character" : "characters"} too many (${length}/${max})`
          : `${left} ${left === 1 ? "character" : "characters"} left (${length}/${max})`}
    </p>
  );
}

/** Space-separated ids for aria-describedby, or undefined when there are none. */
export function describedBy(...ids: (string | false | undefined)[]): string | undefined {
  const list = ids.filter((id): id is string => typeof id === "string" && id !== "");
  return list.length > 0 ? list.join(" ") : undefined;
}
