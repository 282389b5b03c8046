import { copyFile, mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import dockerignore from "@balena/dockerignore";

/** The repository root, where the Dockerfile, .dockerignore and docker-compose.yml live. */
export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

/** The repository's .dockerignore, matched the way Docker matches it. */
export async function loadDockerignore(root = repoRoot) {
  const patterns = await readFile(join(root, ".dockerignore"), "utf8");
  return { patterns, matcher: dockerignore().add(patterns) };
}

/**
 * Copies what `docker build` would send as its context: every file of `root` that .dockerignore
 * does not exclude, whether git tracks it or not (an untracked .env is exactly what must stay out).
 * An excluded directory is skipped whole, which is exact because .dockerignore has no `!` lines.
 * Returns the copied paths, relative and with forward slashes.
 */
export async function copyBuildContext(root: string, target: string): Promise<string[]> {
  const { patterns, matcher } = await loadDockerignore(root);
  if (/^\s*!/m.test(patterns)) {
    throw new Error(".dockerignore has a `!` line: skipping excluded directories would be wrong");
  }
  const copied: string[] = [];
  async function walk(relative: string): Promise<void> {
    for (const entry of await readdir(join(root, relative), { withFileTypes: true })) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (matcher.ignores(path)) continue;
      if (entry.isDirectory()) {
        await mkdir(join(target, path), { recursive: true });
        await walk(path);
      } else if (entry.isFile()) {
        await copyFile(join(root, path), join(target, path));
        copied.push(path);
      } else {
        throw new Error(
          `${path}: neither a file nor a directory; the context copy does not know it`,
        );
      }
    }
  }
  await mkdir(target, { recursive: true });
  await walk("");
  return copied;
}
