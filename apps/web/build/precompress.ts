import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { Plugin } from "vite";

/** Text files worth compressing; index.html is left out: the server keeps it in memory. */
const TEXT_FILE = /\.(?:js|mjs|css|svg|json|txt|xml|webmanifest)$/;

function* filesUnder(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else yield path;
  }
}

/**
 * Writes `.br` and `.gz` beside every text file of the build (public/ files included), at the
 * highest levels, once at build time. The API server serves them as they are (serveStatic's
 * `precompressed`): small files such as theme-init.js are compressed too, which the server's
 * on-the-fly compression skips under 1 KiB (decision 051), and brotli is smaller than its gzip
 * (decision 023).
 */
export function precompress(): Plugin {
  let outDir = "";
  return {
    name: "todo:precompress",
    apply: "build",
    // After every other plugin's output (the service worker and manifest of build/pwa.ts).
    enforce: "post",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle: {
      order: "post",
      sequential: true,
      handler() {
        for (const file of filesUnder(outDir)) {
          if (!TEXT_FILE.test(extname(file))) continue;
          const source = readFileSync(file);
          const encodings = {
            gz: gzipSync(source, { level: 9 }),
            br: brotliCompressSync(source, {
              params: {
                [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
                [constants.BROTLI_PARAM_SIZE_HINT]: source.length,
              },
            }),
          };
          for (const [suffix, compressed] of Object.entries(encodings)) {
            // A file too small to shrink is served as it is.
            if (compressed.length < source.length) writeFileSync(`${file}.${suffix}`, compressed);
          }
        }
      },
    },
  };
}
