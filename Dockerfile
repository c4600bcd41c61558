# shadowsplit container image.
#
#   docker build -t shadowsplit .
#   docker run --rm -p 8080:8080 -p 127.0.0.1:9901:9901 \
#     -e SHADOWSPLIT_PRIMARY=http://primary:3000 -e SHADOWSPLIT_CANDIDATE=http://candidate:3000 \
#     -e SHADOWSPLIT_ADMIN_TOKEN="$(openssl rand -hex 24)" shadowsplit
#
# Ports: 8080 proxy listener (SHADOWSPLIT_LISTEN, default 0.0.0.0:8080); 9901 admin port (health, readiness,
# metrics, API, dashboard). The admin port binds 0.0.0.0 here so probes and Prometheus can reach it, and a
# non-loopback admin port needs SHADOWSPLIT_ADMIN_TOKEN (at least 16 characters): the container refuses to start
# without one (exit 2). /healthz, /readyz and /metrics stay readable without the token.
# Config: every flag has an env twin (SHADOWSPLIT_PRIMARY, SHADOWSPLIT_MODE, ...), or mount a file and set
# SHADOWSPLIT_CONFIG=/etc/shadowsplit/config.yaml. Env wins over the file, so the admin address set below
# overrides a file's adminListen: change it with SHADOWSPLIT_ADMIN_LISTEN (the HEALTHCHECK follows its port).
# Commands: the default is `serve`; `check` validates the config; `demo-service --version v1|v2 ...` runs the
# demo JSON service (compose.yaml uses it).
#
# Runtime base: node:24-slim rather than distroless nodejs24. Both carry the same Node 24; slim keeps a shell and
# apt for `docker exec` debugging and has the `node` user (uid 1000) built in, and the app is plain TypeScript
# sources run by Node's type stripping, so distroless would save little. Swap NODE_IMAGE to pin a digest.

ARG NODE_IMAGE=node:24-slim

# The dashboard bundle: every dependency (esbuild is a devDependency), then `npm run prepare` writes
# dist/dashboard. Install scripts are skipped: the `node` devDependency would download a second Node binary,
# and esbuild runs from its platform package without its postinstall check.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run prepare

# Production dependencies only, in a stage of their own so npm's cache never reaches the runtime image.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    SHADOWSPLIT_ADMIN_LISTEN=0.0.0.0:9901
WORKDIR /app
# Files stay owned by root: the process runs as `node` and cannot rewrite its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json LICENSE ./
COPY bin ./bin
COPY src ./src
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8080 9901
# No curl in the image: Node's fetch asks /healthz on the port SHADOWSPLIT_ADMIN_LISTEN names.
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "const a = process.env.SHADOWSPLIT_ADMIN_LISTEN || ''; const port = a.slice(a.lastIndexOf(':') + 1) || '9901'; fetch('http://127.0.0.1:' + port + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node runs as PID 1 and handles SIGTERM itself: in-flight requests drain (server.drainTimeout), exit 0.
ENTRYPOINT ["node", "bin/shadowsplit.js"]
CMD ["serve"]
