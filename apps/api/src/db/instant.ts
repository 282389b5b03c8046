import { timestamp } from "drizzle-orm/pg-core";

// Millisecond precision: JSON and JS dates carry milliseconds, so keyset cursors built from them
// compare exactly with what is stored (microseconds would make pages skip or repeat rows).
export const instant = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });
