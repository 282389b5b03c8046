// Summarises what `npm run test:attack` measured: reads the figures each attack suite wrote to
// artifacts/attack/*.json, prints one table, and writes them together to artifacts/attack/latest.json.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
const rows = readdirSync(dir)
  .filter((file) => file.endsWith(".json") && file !== "latest.json")
  .map((file) => JSON.parse(readFileSync(join(dir, file), "utf8")))
  .sort((a, b) => `${a.suite}${a.engine}`.localeCompare(`${b.suite}${b.engine}`));
if (rows.length === 0) {
  process.stderr.write(`no attack figures in ${dir}: did the suites run?\n`);
  process.exit(1);
}
process.stdout.write("\nattack figures (npm run test:attack)\n");
for (const { suite, engine, ...figures } of rows) {
  const text = Object.entries(figures)
    .map(([name, value]) => `${name}=${value}`)
    .join("  ");
  process.stdout.write(`  ${suite.padEnd(18)} ${engine.padEnd(12)} ${text}\n`);
}
writeFileSync(
  join(dir, "latest.json"),
  `${JSON.stringify({ at: new Date().toISOString(), suites: rows }, null, 2)}\n`,
);
