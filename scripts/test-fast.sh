#!/usr/bin/env bash
# `npm run test:fast`: the inner loop. Type check, lint, unit and integration tests (real
# PostgreSQL at TEST_PG_URL); no build, no browser. `npm test` is the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }
step "Type check"
npx tsc --noEmit -p .
step "Lint"
npm run --if-present lint
step "Unit tests"
npx vitest run --project unit
step "Integration tests (real PostgreSQL)"
npx vitest run --project integration
