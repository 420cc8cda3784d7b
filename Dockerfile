# syntax=docker/dockerfile:1

# ---- web: build the dashboard and the SDK ----
FROM node:20-bookworm-slim AS web
WORKDIR /src
COPY . .
RUN set -eu; \
    for dir in sdk dashboard; do \
      ( cd "$dir" && if [ -f package.json ]; then \
          npm install --no-audit --no-fund; \
          npm run build; \
        fi ); \
    done; \
    mkdir -p sdk/dist dashboard/dist; \
    test -f dashboard/dist/app/index.html

# ---- build: the Go binary, with the built dashboard embedded ----
FROM golang:1.26 AS build
ARG VERSION=dev
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# dashboard/dist is embedded with go:embed, so the web build must be in place first.
RUN rm -rf dashboard/dist sdk/dist
COPY --from=web /src/dashboard/dist ./dashboard/dist
COPY --from=web /src/sdk/dist ./sdk/dist
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /oopsie ./cmd/oopsie \
 && mkdir -p /out/data

# ---- runtime: static binary on distroless, running as nonroot (uid 65532) ----
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /oopsie /oopsie
# The data directory must exist and belong to nonroot, so that a fresh volume is writable.
COPY --from=build --chown=65532:65532 /out/data /data
ENV OOPSIE_DATA_DIR=/data \
    OOPSIE_ADDR=:8080
VOLUME /data
EXPOSE 8080
# No HEALTHCHECK: distroless has no shell or curl to run one. Orchestrators should probe
# GET /healthz (liveness) and GET /readyz (readiness: database reachable, migrations applied).
ENTRYPOINT ["/oopsie"]
CMD ["serve"]
