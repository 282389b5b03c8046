import { describe, expect, it } from "vitest";
import { readCommittedApiTypes, renderApiTypes } from "../../scripts/api-types";

/** The first line where two texts differ, for a message that says where to look. */
function firstDifference(committed: string, current: string): string {
  const [a, b] = [committed.split("\n"), current.split("\n")];
  const line = a.findIndex((text, index) => text !== b[index]);
  const at = line === -1 ? a.length : line;
  return `line ${at + 1}: committed ${JSON.stringify(a[at])}, generated ${JSON.stringify(b[at])}`;
}

describe("the web app's generated API types (apps/web/src/lib/api-schema.d.ts)", () => {
  it("match what the API's /openapi.json generates now", async () => {
    const [committed, current] = await Promise.all([readCommittedApiTypes(), renderApiTypes()]);
    const stale = committed !== current;
    expect(
      stale,
      stale ? `stale, run \`npm run api:types\` (${firstDifference(committed, current)})` : "",
    ).toBe(false);
  }, 60_000);
});
