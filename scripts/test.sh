#!/usr/bin/env bash
# `npm test`: the whole suite. Domain tests (Vitest), then the browser tests
# (Playwright, JavaScript off and on). With DATABASE_URL set, everything runs
# on that PostgreSQL server; without it, on the embedded PGlite.
set -euo pipefail
cd "$(dirname "$0")/.."

# The browser: Debian's Chromium (Playwright cannot download its own here).
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Chromium…"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
  else
    echo "Chromium is missing: install it (apt-get install -y chromium) or set CHROMIUM_PATH." >&2
    exit 1
  fi
fi

if [ -n "${DATABASE_URL:-}" ]; then echo "== Database: a PostgreSQL server"; else echo "== Database: the embedded PGlite"; fi
# TEST_REUSE_BUILD=1 (.ci/run's second run, on the same tree) keeps the typecheck and build of the first.
if [ -z "${TEST_REUSE_BUILD:-}" ]; then
  npx react-router typegen >/dev/null
  npx tsc
  # Built before Vitest: the fault test and the suites in tests/http run the built server.
  npx react-router build >/dev/null
fi
npx vitest run
npx playwright test
