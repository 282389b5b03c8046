import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { precompress } from "./build/precompress";

export default defineConfig({
  plugins: [react(), precompress()],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 300 },
  server: {
    port: 5173,
    strictPort: true,
    // API_PROXY_TARGET lets the dev server talk to an API on another port.
    proxy: { "/api": { target: process.env.API_PROXY_TARGET ?? "http://localhost:3000" } },
  },
});
