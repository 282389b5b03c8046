import { VitePWA } from "vite-plugin-pwa";

/**
 * The installable app (decision 038): a manifest, and a service worker that precaches the app
 * shell (the built HTML, scripts, styles, icons) so the app opens without a network. It caches
 * nothing else: API answers (/api/*) always go to the network, and a navigation to an API or
 * server path is never answered with the shell. A new version waits until the user chooses
 * "Reload" (`registerType: "prompt"`). Workbox's runtime is inlined into sw.js, so the worker is
 * one file and the build downloads nothing.
 */
export function pwa() {
  return VitePWA({
    registerType: "prompt",
    // Registered by src/app/register-service-worker.ts, after the page has loaded.
    injectRegister: false,
    manifest: {
      name: "Todo",
      short_name: "Todo",
      description: "Your tasks, on every device, also offline.",
      id: "/",
      start_url: "/",
      scope: "/",
      display: "standalone",
      background_color: "#ffffff",
      theme_color: "#4f46e5",
      icons: [
        { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png" },
        { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png" },
        {
          src: "/icons/icon-maskable-512.png",
          sizes: "512x512",
          type: "image/png",
          purpose: "maskable",
        },
      ],
    },
    workbox: {
      // Precompressed copies (.br, .gz) are for the server; the worker stores each file once.
      globPatterns: ["**/*.{js,css,html,png,svg,webmanifest}"],
      navigateFallback: "/index.html",
      // Server paths that are not the web app: never answered from the cache.
      navigateFallbackDenylist: [
        /^\/api\//,
        /^\/docs/,
        /^\/openapi\.json/,
        /^\/health/,
        /^\/ready/,
        /^\/metrics/,
      ],
      // No runtimeCaching on purpose: nothing fetched at run time (the API above all) is cached.
      runtimeCaching: [],
      // Static routing: /api/* goes straight to the network, never through the worker.
      importScripts: ["/sw-network-routes.js"],
      cleanupOutdatedCaches: true,
      // The first worker takes the open page at once, so the app works offline after one visit.
      // An update still waits for "Reload" (registerType "prompt": no skipWaiting).
      clientsClaim: true,
      inlineWorkboxRuntime: true,
      sourcemap: false,
    },
  });
}
