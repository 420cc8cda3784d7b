GO ?= go

# Tests use the local PostgreSQL and Redis; override these to point elsewhere.
OOPSIE_TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
OOPSIE_TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
export OOPSIE_TEST_POSTGRES_URL
export OOPSIE_TEST_REDIS_URL

GENERATE = $(GO) generate ./ent/... ./graph/...
# Directories whose content is produced by GENERATE.
GENERATED_DIRS = $(wildcard ent graph)

# check-generated regenerates code in place, so nothing may read it meanwhile.
.NOTPARALLEL:

.PHONY: run build dashboard dashboard-deps test-dashboard generate migrate-diff migrate-hash check-generated vet services test bench-ingest bench-query bench-live clean

run: dashboard
	$(GO) run ./cmd/oopsie serve

build: dashboard
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/oopsie ./cmd/oopsie

# The dashboard's node_modules, installed from the lock file when missing or
# older than it (npm ci writes node_modules/.package-lock.json).
dashboard/node_modules/.package-lock.json: dashboard/package-lock.json
	cd dashboard && npm ci --no-audit --no-fund
	@touch $@

dashboard-deps: dashboard/node_modules/.package-lock.json

# Builds the React app into dashboard/dist/app, which the binary embeds (see dashboard/README.md).
dashboard: dashboard-deps
	cd dashboard && npm run --silent build

# Typecheck, stale codegen check, unit tests, production build, then the
# browser tests against a freshly built binary on a fresh SQLite database.
test-dashboard: dashboard-deps
	cd dashboard && npm run --silent typecheck
	@set -e; cd dashboard; \
	sums() { find src/gql -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; }; \
	before=$$(sums); npm run --silent codegen >/dev/null; after=$$(sums); \
	if [ "$$before" != "$$after" ]; then \
		echo "test-dashboard: src/gql is stale; 'cd dashboard && npm run codegen' changed it. Commit the regenerated files." >&2; \
		exit 1; \
	fi; echo "test-dashboard: generated GraphQL types are up to date"
	cd dashboard && npx vitest run
	cd dashboard && npm run --silent build
	@set -e; bin=$$(mktemp -d); trap 'rm -rf "$$bin"' EXIT; \
	$(GO) build -o "$$bin/oopsie" ./cmd/oopsie; \
	cd dashboard && OOPSIE_BIN="$$bin/oopsie" node --test --test-concurrency=1 e2e/

generate:
	$(GENERATE)

migrate-diff:
	@if [ -z "$(name)" ]; then \
		echo "migrate-diff: name is required, e.g. make migrate-diff name=add_report_tags" >&2; \
		exit 2; \
	fi
	$(GO) run ./internal/database/migratediff -name '$(name)'

# After editing a migration by hand (say, the full-text search one), rewrite atlas.sum.
migrate-hash:
	$(GO) run ./internal/database/migratediff -rehash

check-generated:
	@set -e; \
	before=$$(mktemp); after=$$(mktemp); \
	trap 'rm -f "$$before" "$$after"' EXIT; \
	sums() { if [ -n "$(GENERATED_DIRS)" ]; then find $(GENERATED_DIRS) -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum; fi; }; \
	sums > "$$before"; \
	$(GENERATE); \
	sums > "$$after"; \
	if ! cmp -s "$$before" "$$after"; then \
		echo "check-generated: generated code is stale; 'make generate' changed:" >&2; \
		diff "$$before" "$$after" | sed -n 's/^[<>] [0-9a-f]*  /  /p' | LC_ALL=C sort -u >&2; \
		echo "Commit the regenerated files." >&2; \
		exit 1; \
	fi; \
	echo "check-generated: generated code is up to date"

vet:
	$(GO) vet ./...

# Installs and starts what the tests need (PostgreSQL, Redis, a C compiler for -race).
services:
	@bash .ci/services

test: services check-generated vet test-dashboard
	$(GO) test -race -count=1 ./...

# A benchmark, not a test: starts the server on a throwaway PostgreSQL database,
# loads it with realistic reports and crashes, and prints the figures beside the targets.
bench-ingest:
	$(GO) run ./internal/tools/benchingest

# A benchmark, not a test: seeds a throwaway PostgreSQL database with 1M reports and 1M crashes,
# times the dashboard's GraphQL queries against hand-written SQL, and prints them beside the targets.
bench-query:
	$(GO) run ./internal/tools/benchquery

# A benchmark, not a test: starts two replicas sharing Redis on a throwaway PostgreSQL database,
# times ingest → subscriber delivery over WebSocket and the RSS per idle subscriber, beside a bare
# gorilla/websocket hub, and prints them beside the targets.
bench-live:
	$(GO) run ./internal/tools/benchlive

clean:
	rm -rf bin/ dashboard/dist/app
