import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, it } from "vitest";
import {
  baseUrl,
  launchChromium,
  openPage,
  seedTasks,
  signUp,
  skipReason,
  uniqueEmail,
} from "./helpers";
import { repoRoot } from "./paths";

/**
 * A benchmark, not a test: it records how soon the sign-in form and the first task card show, on
 * a cold and a warm HTTP cache, and what JavaScript each screen loads; it asserts nothing about
 * time. Figures go to artifacts/bench/web-first-load.json and the README quotes them.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

/** Records (in the page) when a selector first appears, at the next frame: about when it paints. */
function watchFor(marks: Record<string, string>) {
  const recorded: Record<string, number> = {};
  Object.defineProperty(window, "__firstLoadMarks", { value: recorded });
  const check = () => {
    for (const [name, selector] of Object.entries(marks)) {
      if (name in recorded || !document.querySelector(selector)) continue;
      recorded[name] = -1;
      requestAnimationFrame(() => {
        recorded[name] = performance.now();
      });
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
}

const MARKS = {
  signInForm: "form input[type=email]",
  firstCard: ".task-list article.task-card",
};

async function timeTo(
  context: BrowserContext,
  path: string,
  mark: keyof typeof MARKS,
): Promise<number> {
  const page = await context.newPage();
  await page.goto(path);
  const at = await page.waitForFunction(
    (name) => {
      const value = Reflect.get(window, "__firstLoadMarks")?.[name];
      return typeof value === "number" && value > 0 ? value : null;
    },
    mark,
    { timeout: 20_000 },
  );
  const value = Number(await at.jsonValue());
  await page.close();
  return value;
}

function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return {
    median_ms: Math.round(median),
    min_ms: Math.round(sorted[0] ?? 0),
    max_ms: Math.round(sorted.at(-1) ?? 0),
    runs: sorted.map(Math.round),
  };
}

async function sizesOf(paths: string[]) {
  return Promise.all(
    paths.map(async (path) => {
      const body = Buffer.from(
        await (
          await fetch(`${baseUrl}${path}`, { headers: { "Accept-Encoding": "identity" } })
        ).arrayBuffer(),
      );
      return {
        path,
        bytes: body.length,
        gzip: gzipSync(body, { level: 9 }).length,
        brotli: brotliCompressSync(body).length,
      };
    }),
  );
}

describe.skipIf(skipReason !== "")("first load (benchmark)", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("records the time to the sign-in form and to the first task card", async () => {
    // Other work on the machine skews every figure: recorded with them.
    const loadBefore = loadavg().map((value) => Number(value.toFixed(2)));
    const contextOptions = { baseURL: baseUrl, viewport: { width: 1280, height: 860 } };
    // A user with a screenful of tasks, and their signed-in cookies.
    const setup = await openPage(browser);
    await signUp(setup.page, "Bench Mark", uniqueEmail("bench"));
    await seedTasks(
      setup.page,
      Array.from({ length: 30 }, (_, i) => ({ title: `Benchmark task ${i + 1}`, tags: ["bench"] })),
    );
    const signedIn = await setup.context.storageState();
    await setup.context.close();

    // Which scripts each screen loads.
    const probe = await browser.newContext(contextOptions);
    await probe.addInitScript(watchFor, MARKS);
    const scripts: string[] = [];
    probe.on("request", (request) => {
      if (request.resourceType() === "script") scripts.push(new URL(request.url()).pathname);
    });
    await timeTo(probe, "/sign-in", "signInForm");
    const signInScripts = [...scripts];
    await probe.addCookies(signedIn.cookies);
    await timeTo(probe, "/", "firstCard");
    const taskScripts = scripts
      .slice(signInScripts.length)
      .filter((p) => !signInScripts.includes(p));
    await probe.close();

    const measure = async (
      path: string,
      mark: keyof typeof MARKS,
      cookies: typeof signedIn.cookies,
    ) => {
      const cold: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        // A new context has an empty HTTP cache.
        const context = await browser.newContext(contextOptions);
        await context.addInitScript(watchFor, MARKS);
        await context.addCookies(cookies);
        cold.push(await timeTo(context, path, mark));
        await context.close();
      }
      const context = await browser.newContext(contextOptions);
      await context.addInitScript(watchFor, MARKS);
      await context.addCookies(cookies);
      await timeTo(context, path, mark); // fills the cache
      const warm: number[] = [];
      for (let run = 0; run < RUNS; run++) warm.push(await timeTo(context, path, mark));
      await context.close();
      return { cold: summary(cold), warm: summary(warm) };
    };

    const result = {
      measured_at: new Date().toISOString(),
      machine: `${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, Node ${process.version}, Chromium headless`,
      load_average_1_5_15_min: {
        before: loadBefore,
        after: loadavg().map((v) => Number(v.toFixed(2))),
      },
      method:
        "ms from navigation start to the frame after the element is in the DOM; median of runs; new context per cold run",
      sign_in_form: await measure("/sign-in", "signInForm", []),
      first_task_card: await measure("/", "firstCard", signedIn.cookies),
      javascript: {
        sign_in: await sizesOf(signInScripts),
        added_by_task_screen: await sizesOf(taskScripts),
      },
    };
    const dir = join(repoRoot, "artifacts", "bench");
    mkdirSync(dir, { recursive: true });
    const label = process.env.BENCH_LABEL ? `-${process.env.BENCH_LABEL}` : "";
    writeFileSync(join(dir, `web-first-load${label}.json`), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`\n${JSON.stringify(result, null, 2)}\n`);
  });
});
