# syntax=docker/dockerfile:1
#
# Evrmore Accounts: two stages. The build stage compiles the TypeScript with the dev
# dependencies and packs the app with `npm pack` (package.json "files" decides what ships);
# the runtime stage installs that package with production dependencies only, from the lock
# file, and runs it as the unprivileged `node` user. No key, secret or client file is baked
# in: configuration comes from the environment (config/production.env.example).
#
# test/deploy/container-image.test.ts builds this file with podman and runs the image as
# docker-compose.yml does; test/deploy/dockerfile.test.ts lints it and checks its promises.
#
# Behind a TLS-intercepting proxy or with a private registry, npm needs that CA: give it as a
# build secret (`--secret id=build_ca,src=ca.pem`), which exists only while `npm ci` runs and
# never lands in a layer. Without the secret the build uses Node's own CAs.
#
# Pinned to an exact Node.js 24 LTS release, the same as the `node` package the project builds
# and tests with. Pin the digest too where you build (node:24.21.0-bookworm-slim@sha256:…).

FROM node:24.21.0-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Install scripts stay off: no runtime dependency needs one, and the `node` package's would
# download a second Node binary; npm scripts here run on the image's own Node.
RUN --mount=type=secret,id=build_ca \
    if [ -s /run/secrets/build_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/build_ca; fi \
    && npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY views ./views
COPY public ./public
COPY config ./config
COPY docs ./docs
RUN npm run build \
    && npm pack --pack-destination /tmp \
    && mkdir /app \
    && tar -xzf /tmp/evrmore-accounts-*.tgz -C /app --strip-components=1 \
    && cp package-lock.json /app/

FROM node:24.21.0-bookworm-slim AS runtime
# V8's heap is capped for a small host that also runs Redis (docs/deploying.md, "Memory"): the
# product's heap peaks well below it under load, and a runaway process ends at the cap (and is
# restarted) instead of pushing Redis out of memory. `npm run bench` runs the product with it.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    NODE_OPTIONS="--max-old-space-size=256"
WORKDIR /app
# Owned by root and read-only for the process: the app cannot rewrite its own code.
COPY --from=build /app ./
RUN --mount=type=secret,id=build_ca \
    if [ -s /run/secrets/build_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/build_ca; fi \
    && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && rm -rf /root/.npm /tmp/*
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 CMD ["node", "dist/healthcheck.js"]
# node itself as PID 1 (no npm wrapper), so SIGTERM reaches the graceful shutdown.
CMD ["node", "dist/server.js"]
