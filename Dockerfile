# One image for every Meridian service; the command picks the service.
#   docker build -t meridian .
#   docker run meridian gateway|blob|manifest
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts=false && npm cache clean --force

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.base.json .swcrc ./
COPY apps ./apps
COPY libs ./libs
RUN mkdir -p /data/store && chown node:node /data/store
USER node
ENTRYPOINT ["/bin/sh", "-c", "exec node -r @swc-node/register apps/$0/src/main.ts"]
CMD ["gateway"]
