# Dumpling: `dumpling serve` by default; `dumpling snapshot` for a container job
# (ECS task, Kubernetes Job or CronJob). See README, "Docker image".

# --- build: compile TypeScript and the ISA-L gzip addon ----------------------------
FROM node:22-bookworm-slim AS build
# A C compiler and ISA-L's headers for native/isal-gzip (README, "Fast compression").
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev libisal-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build-native.mjs ./scripts/
COPY native ./native
COPY src ./src
# The build skips the addon when it cannot make it; the image must have it.
RUN npm run build && test -f dist/native/isal-gzip.node

# --- runtime --------------------------------------------------------------------
FROM node:22-bookworm-slim

# pg_dump must be at least the production server's major version, and the test
# restore needs the server binaries (initdb, pg_ctl, postgres). Empty: Debian's
# own PostgreSQL (15 on bookworm). A number (e.g. 17): that major from the
# PostgreSQL project's apt repository (PGDG), set up by the script Debian's
# postgresql-common package ships for it. libisal2: the ISA-L library the
# snapshot's gzip addon (dist/native/isal-gzip.node) loads.
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
 && apt-get install -y --no-install-recommends libisal2 \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
# dist/ holds dist/native/isal-gzip.node, the ISA-L addon (it links libisal2, above).
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
