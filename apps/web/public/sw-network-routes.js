// Imported by the service worker (decision 038). API requests never pass through the worker:
// with static routing the browser sends them itself, which also keeps a `keepalive` request sent
// as the page unloads (a pending delete) from being lost on its way through a worker that is
// starting up. Browsers without static routing still reach the network: the worker has no route
// for /api/ and answers none of them.
self.addEventListener("install", (event) => {
  if (typeof event.addRoutes !== "function" || typeof URLPattern !== "function") return;
  event.waitUntil(
    event.addRoutes([
      { condition: { urlPattern: new URLPattern({ pathname: "/api/*" }) }, source: "network" },
    ]),
  );
});
