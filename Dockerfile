# basehttp service image.
#
#   docker build -t basehttp .                  # or: docker compose build
#   docker run --rm -p 8000:8000 -p 9464:9464 basehttp
#
# Two stages: `build` installs every dependency and compiles src/ to dist/ with tsc;
# the runtime stage holds production dependencies and dist/ only (no TypeScript, no
# sources, no tests). Works with the classic builder and with BuildKit: no RUN --mount,
# no heredocs, no `# syntax=` line.
#
# The base image is a build argument, so another Node major or a pinned digest needs no
# edit here: docker build --build-arg NODE_IMAGE=node:22-bookworm-slim .
ARG NODE_IMAGE=node:24-bookworm-slim

# ---------------------------------------------------------------- build
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Manifests first: the `npm ci` layer is reused until they change. --ignore-scripts: the
# `prepare` script (the build) runs below, once the sources are here.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

# ---------------------------------------------------------------- runtime
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no lifecycle script may run here, they would need dev dependencies.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
COPY --from=build /app/dist ./dist

# Files stay root-owned and read-only for the process; it writes only to stdout/stderr
# (ERROR_LOG_FILE, if set, must point into a writable volume).
USER node
# 8000: the app (PORT), 9464: /metrics, /healthz, /readyz (METRICS_PORT)
EXPOSE 8000 9464
# Slim images have no curl: a node script GETs /healthz on METRICS_PORT.
# Docker 20.10 and later: no --start-interval (Docker 25+ only).
HEALTHCHECK --interval=10s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "dist/service/healthcheck.js"]
# Exec form: node itself receives SIGTERM (docker stop) and drains; no shell in between.
CMD ["node", "dist/main.js"]
