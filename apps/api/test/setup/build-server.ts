import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { apiRoot, serverEntry } from "../support/server-process";

/** Builds dist/index.js once for every file of the process project (they run in parallel). */
export default function setup() {
  execFileSync("npm", ["run", "build", "--silent"], { cwd: apiRoot, stdio: "pipe" });
  if (!existsSync(serverEntry)) throw new Error(`the build did not produce ${serverEntry}`);
}
