// `npm start`: build whatever is missing or older than its sources, then run the server in this
// very process (one pid owns the port, and signals reach the server's graceful shutdown).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const at = (path) => join(root, path);

const builds = [
  {
    workspace: "apps/web",
    output: "apps/web/dist/index.html",
    sources: [
      "apps/web/src",
      "apps/web/public",
      "apps/web/index.html",
      "apps/web/vite.config.ts",
      "apps/web/build",
      "package-lock.json",
    ],
  },
  {
    workspace: "apps/api",
    output: "apps/api/dist/index.js",
    // The lock file too: an updated dependency must not leave an old bundle in place.
    sources: ["apps/api/src", "apps/api/drizzle", "package-lock.json"],
  },
];

function newestChange(path) {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(
    stats.mtimeMs,
    ...readdirSync(path).map((entry) => newestChange(join(path, entry))),
  );
}

for (const build of builds) {
  const output = at(build.output);
  const stale =
    !existsSync(output) ||
    Math.max(...build.sources.map((source) => newestChange(at(source)))) > statSync(output).mtimeMs;
  if (stale) {
    process.stdout.write(`Building ${build.workspace}…\n`);
    execFileSync("npm", ["run", "build", "--silent", "-w", build.workspace], {
      cwd: root,
      stdio: "inherit",
    });
  }
}

await import(at("apps/api/dist/index.js"));
