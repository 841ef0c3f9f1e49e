# Dumpling: `dumpling serve` by default; `dumpling snapshot` for a container job
# (ECS task, Kubernetes Job or CronJob). See README, "Docker image".

# --- build: compile TypeScript --------------------------------------------------
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime --------------------------------------------------------------------
FROM node:22-bookworm-slim

# pg_dump must be at least the production server's major version, and the test
# restore needs the server binaries (initdb, pg_ctl, postgres). Empty: Debian's
# own PostgreSQL (15 on bookworm). A number (e.g. 17): that major from the
# PostgreSQL project's apt repository (PGDG), set up by the script Debian's
# postgresql-common package ships for it.
ARG PG_MAJOR=""

SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
 && if [ -n "$PG_MAJOR" ]; then \
      apt-get install -y --no-install-recommends ca-certificates gnupg postgresql-common \
      && sh /usr/share/postgresql-common/pgdg/apt.*.sh -y \
      && apt-get install -y --no-install-recommends "postgresql-$PG_MAJOR" "postgresql-client-$PG_MAJOR"; \
    else \
      apt-get install -y --no-install-recommends postgresql postgresql-client; \
    fi \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
RUN chmod 0755 dist/cli/index.js && ln -s /app/dist/cli/index.js /usr/local/bin/dumpling

# The node image's unprivileged user; initdb and pg_ctl refuse to run as root anyway.
USER node
ENV PORT=3000
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 3000}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["dumpling"]
CMD ["serve"]
