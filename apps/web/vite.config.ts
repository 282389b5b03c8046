import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { precompress } from "./build/precompress";
import { pwa } from "./build/pwa";

export default defineConfig({
  // pwa() before precompress(): sw.js and the manifest are written first, then compressed too.
  plugins: [react(), pwa(), precompress()],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 300 },
  server: {
    port: 5173,
    strictPort: true,
    // API_PROXY_TARGET lets the dev server talk to an API on another port.
    proxy: { "/api": { target: process.env.API_PROXY_TARGET ?? "http://localhost:3000" } },
  },
});
