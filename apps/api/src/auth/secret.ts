import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Config } from "../env";

/** The secret generated outside production; db:backup carries it along (decision 033). */
export const authSecretFile = (dataDir: string) => join(dataDir, "auth-secret");

/**
 * BETTER_AUTH_SECRET when set (always, in production: env.ts insists). Otherwise a random secret
 * made on first start and kept in DATA_DIR, so sessions and the encrypted signing keys survive
 * restarts of a development server with no setup at all.
 */
export async function resolveAuthSecret(config: Config): Promise<string> {
  if (config.auth.secret) return config.auth.secret;
  const file = authSecretFile(config.dataDir);
  try {
    return (await readFile(file, "utf8")).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  await mkdir(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  try {
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
    return secret;
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === "EEXIST")
      return (await readFile(file, "utf8")).trim();
    throw error;
  }
}
