# The image of hackathon-todo: `docker build -t hackathon-todo .` (decision 027).
# apps/api/test/process/docker-image.test.ts replays these steps outside Docker and runs the
# result; it refuses instructions and flags it does not know, so keep to the forms used here.

# Node 20's last release, pinned by tag (a digest cannot be checked from the machines we test on).
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
# The manifests alone first, so that the dependency layer is rebuilt only when they change.
COPY package.json package-lock.json ./
COPY apps/api/package.json apps/api/
COPY apps/web/package.json apps/web/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20.20.2-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=3000 DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps/api/package.json apps/api/
COPY apps/web/package.json apps/web/
# The server's dependencies only. --omit=optional as well: better-auth lists vitest, vite and
# drizzle-kit as optional peers, and --omit=dev alone would still install them (201 MB, not 92 MB).
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --omit=optional --workspace=apps/api --no-audit --no-fund
COPY --from=build /app/apps/api/dist apps/api/dist
COPY --from=build /app/apps/api/drizzle apps/api/drizzle
COPY --from=build /app/apps/web/dist apps/web/dist
# The embedded database's directory, for runs without DATABASE_URL; the code stays root's.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
# The base image's `node` user, by number so that Kubernetes' runAsNonRoot can check it.
USER 1000:1000
EXPOSE 3000
# The server drains in at most 8 s and exits within 9 s (decision 020): inside `docker stop`'s 10 s.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 3000}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "apps/api/dist/index.js"]
