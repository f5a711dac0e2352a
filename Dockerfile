# syntax=docker/dockerfile:1
#
# Evrmore Accounts: two stages. The build stage compiles the TypeScript with the dev
# dependencies and packs the app with `npm pack` (package.json "files" decides what ships);
# the runtime stage installs that package with production dependencies only, from the lock
# file, and runs it as the unprivileged `node` user. No key, secret or client file is baked
# in: configuration comes from the environment (config/production.env.example).
#
# test/deploy/runtime-stage.test.ts reproduces the runtime stage without Docker, and
# test/deploy/dockerfile.test.ts lints this file and checks what the image must guarantee.
#
# Pinned to an exact Node.js 24 LTS release, the same as the `node` package the project builds
# and tests with. Pin the digest too where you build (node:24.21.0-bookworm-slim@sha256:…).

FROM node:24.21.0-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Install scripts stay off: no runtime dependency needs one, and the `node` package's would
# download a second Node binary; npm scripts here run on the image's own Node.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY views ./views
COPY public ./public
COPY config ./config
RUN npm run build \
    && npm pack --pack-destination /tmp \
    && mkdir /app \
    && tar -xzf /tmp/evrmore-accounts-*.tgz -C /app --strip-components=1 \
    && cp package-lock.json /app/

FROM node:24.21.0-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
# Owned by root and read-only for the process: the app cannot rewrite its own code.
COPY --from=build /app ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && npm cache clean --force
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 CMD ["node", "dist/healthcheck.js"]
# node itself as PID 1 (no npm wrapper), so SIGTERM reaches the graceful shutdown.
CMD ["node", "dist/server.js"]
