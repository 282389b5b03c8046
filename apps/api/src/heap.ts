import v8 from "node:v8";

/**
 * How far V8 lets the heap grow past what survived the last full collection: 20%.
 *
 * V8's default factor (up to 4× when collections are quick) suits batch work. A server under load
 * keeps each request's objects alive while it waits for the database, so they reach the old
 * generation, and the default let a worker grow to 300+ MB of mostly garbage after a minute at
 * 500 connections, with ~60 MB live. 20% keeps it near what it uses (RSS ~175 MB in the same
 * run) at the cost of more frequent full collections. Not a cap: the heap still grows as far as
 * live data needs, so a burst of large answers slows down instead of crashing.
 * V8 reads this flag whenever it sets a new limit, so setting it after start-up takes effect.
 * See docs/decisions/034-heap-growth.md.
 */
export const HEAP_GROWING_PERCENT = 20;

export function keepHeapNearLiveData(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
