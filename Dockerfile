# syntax=docker/dockerfile:1
# brushwatch service image. bin/brushwatch.js runs the TypeScript sources through tsx (a runtime
# dependency), so the image ships src/ and production node_modules, no build output.
#   docker build -t brushwatch .
#   docker run --rm -p 9464:9464 -e BRUSHWATCH_KAFKA_BROKERS=host:9092 brushwatch
ARG NODE_IMAGE=node:20-bookworm-slim

# Stage 1: typecheck with the dev dependencies, so a broken tree never becomes an image.
FROM ${NODE_IMAGE} AS check
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.check.json ./
COPY bin ./bin
COPY src ./src
RUN npx tsc -p tsconfig.json --noEmit

# Stage 2: the runtime, production dependencies only.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    BRUSHWATCH_HTTP_HOST=0.0.0.0 \
    BRUSHWATCH_HTTP_PORT=9464
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
    && npm cache clean --force \
    && rm -rf /root/.npm /tmp/*
COPY tsconfig.json ./
COPY bin ./bin
COPY schemas ./schemas
COPY --from=check /src/src ./src
RUN ln -s /app/bin/brushwatch.js /usr/local/bin/brushwatch
# The base image's unprivileged "node" user (uid 1000); the k8s manifests pin the same uid.
USER 1000:1000
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.BRUSHWATCH_HTTP_PORT || 9464) + '/livez').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/brushwatch.js"]
CMD ["run"]
