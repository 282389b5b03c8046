import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Figures of an attack suite's run (operations tried, 5xx seen, …). `npm run test:attack` sets
 * ATTACK_MODE=long and ATTACK_REPORT_DIR, and summarises the files it finds there; in `npm test`
 * nothing is written.
 */
export function reportAttackFigures(
  suite: string,
  engine: string,
  figures: Record<string, number | string>,
) {
  const dir = process.env.ATTACK_REPORT_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${suite}.${engine}.json`),
    JSON.stringify({ suite, engine, ...figures }),
  );
}

/** How many runs an attack suite makes: `quick` in `npm test`, `long` under test:attack. */
export function attackRuns(quick: number, long: number): number {
  return process.env.ATTACK_MODE === "long" ? long : quick;
}
