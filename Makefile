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

.PHONY: run build sdk sdk-deps test-sdk bench-sdk dashboard dashboard-deps test-dashboard docs docs-deps test-docs generate migrate-diff migrate-hash check-generated vet services test bench-ingest bench-query bench-live clean

run: sdk dashboard
	$(GO) run ./cmd/oopsie serve

build: sdk dashboard
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/oopsie ./cmd/oopsie

# The SDK's dependencies, installed from the lock file when missing or older than it. Not
# `npm ci`: this machine's npm (omit-lockfile-registry-resolved) writes lock files whose
# other-platform optional packages `npm ci` then reports as missing; `npm install` reads them.
sdk-deps:
	@cd sdk && if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
		npm install --no-audit --no-fund; \
	fi

# Builds the SDK into sdk/dist/: ESM, CJS, types, and the CDN build the server embeds.
sdk: sdk-deps
	cd sdk && npm run build

# Typecheck, unit tests, the build (which must leave the committed CDN build unchanged), its
# size budget, then the browser tests in Chromium against the real server.
test-sdk: sdk-deps
	cd sdk && npm run typecheck
	cd sdk && npm test
	@set -e; cd sdk; \
	before=$$(sha256sum dist/oopsie.js 2>/dev/null || true); \
	npm run build >/dev/null; \
	if [ "$$before" != "$$(sha256sum dist/oopsie.js)" ]; then \
		echo "test-sdk: sdk/dist/oopsie.js is stale: 'make sdk' changed it; commit the rebuilt file." >&2; \
		exit 1; \
	fi; \
	echo "test-sdk: the committed CDN build is up to date"
	cd sdk && npm run size
	cd sdk && GO=$(GO) npm run test:browser

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

# The documentation site's node_modules, installed from the lock file when missing or
# older than it (npm ci writes node_modules/.package-lock.json).
docs/node_modules/.package-lock.json: docs/package-lock.json
	cd docs && npm ci --no-audit --no-fund
	@touch $@

docs-deps: docs/node_modules/.package-lock.json

# Builds the documentation site (Astro) into docs/dist, which is git-ignored (see docs/README.md).
docs: docs-deps
	cd docs && npm run --silent build

# Builds the site, then checks it: every internal link and anchor resolves, and the pages cover
# every environment variable of internal/config, REST route of the OpenAPI document and SDK option.
test-docs: docs
	cd docs && npm test

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

# go vet, and actionlint on the GitHub workflows, which cannot run here.
vet:
	$(GO) vet ./...
	$(GO) run github.com/rhysd/actionlint/cmd/actionlint@v1.7.7 .github/workflows/*.yml

# Installs and starts what the tests need (PostgreSQL, Redis, a C compiler for -race).
services:
	@bash .ci/services

test: services check-generated vet test-sdk test-dashboard test-docs
	$(GO) test -race -count=1 ./...

# A benchmark, not a test: what capturing a click, a navigation, a console error or a failed
# request costs a page with the SDK, against the page alone, in happy-dom and in Chromium.
bench-sdk: sdk-deps
	cd sdk && npm run bench
	cd sdk && OOPSIE_BENCH=1 GO=$(GO) npx vitest run --config vitest.browser.config.ts e2e/capture-cost.e2e.ts

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
	rm -rf bin/ dashboard/dist/app docs/dist
