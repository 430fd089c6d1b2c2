#!/usr/bin/env bash
# `npm test`: the whole suite. Unit (pure domain), integration (services against real
# PostgreSQL, in a database of their own) and end-to-end (the built app on a fresh seeded
# database, driven by Playwright in Debian's Chromium, plus the JSON API over HTTP).
# Needs PostgreSQL at TEST_PG_URL (default postgresql://postgres@127.0.0.1:5432/postgres)
# and Chromium at CHROMIUM_PATH (default /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
PG_SERVER_URL="${TEST_PG_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
E2E_PORT="${E2E_PORT:-3100}"
E2E_DB="titrate_e2e_$$_$(date +%s)"
E2E_URL="$(node -e 'const u=new URL(process.argv[1]);u.pathname="/"+process.argv[2];console.log(u.toString())' "$PG_SERVER_URL" "$E2E_DB")"
E2E_PORT_2=$((E2E_PORT + 1))
SERVER_PID=""
SERVER_PID_2=""

cleanup() {
  # the servers and anything they spawned
  if [ -n "$SERVER_PID" ]; then pkill -P "$SERVER_PID" 2>/dev/null || true; kill "$SERVER_PID" 2>/dev/null || true; fi
  if [ -n "$SERVER_PID_2" ]; then pkill -P "$SERVER_PID_2" 2>/dev/null || true; kill "$SERVER_PID_2" 2>/dev/null || true; fi
  node -e '
    const pg=require("pg");const c=new pg.Client({connectionString:process.argv[1]});
    c.connect().then(()=>c.query(`DROP DATABASE IF EXISTS "${process.argv[2]}" WITH (FORCE)`)).then(()=>c.end()).catch(()=>process.exit(0));
  ' "$PG_SERVER_URL" "$E2E_DB" || true
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }

step "Type check"
npx tsc --noEmit -p .

step "Lint (layer boundaries, import cycles, React hooks)"
npm run lint

step "Unit tests (lib/domain)"
npx vitest run --project unit

step "Integration tests (real PostgreSQL)"
npx vitest run --project integration

step "End-to-end: database $E2E_DB"
node -e '
  const pg=require("pg");const c=new pg.Client({connectionString:process.argv[1]});
  c.connect().then(()=>c.query(`CREATE DATABASE "${process.argv[2]}"`)).then(()=>c.end()).catch(e=>{console.error(e.message);process.exit(1)});
' "$PG_SERVER_URL" "$E2E_DB"
DATABASE_URL="$E2E_URL" npx prisma migrate deploy
DATABASE_URL="$E2E_URL" npx tsx --conditions=react-server prisma/seed.ts

step "End-to-end: build and serve on :$E2E_PORT"
for port in "$E2E_PORT" "$E2E_PORT_2"; do
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
    echo "Port $port is already in use: stop that server or set E2E_PORT (the suite uses it and the next one)." >&2
    exit 1
  fi
done
# the type check ran first (set -e stopped us otherwise): TITRATE_TYPECHECKED=1 tells
# next.config.js to skip the build's own second pass over the same files
DATABASE_URL="$E2E_URL" TITRATE_TYPECHECKED=1 npx next build
# the public check-in routes' rate limits (decision 0020) are proven by the integration tests;
# here the fuzz sends thousands of check-ins through one token and one address
export TITRATE_CHECK_IN_TOKEN_LIMIT=1000000 TITRATE_CHECK_IN_ADDRESS_LIMIT=1000000
# one secret for both instances: a sign-in on one is valid on the other (README "Several instances")
E2E_SECRET="e2e-secret-$$-$RANDOM"
# the first instance also runs the bedside monitor listener, for e2e/monitor-vitals.spec.ts
E2E_MLLP_PORT="${E2E_MLLP_PORT:-2577}"
DATABASE_URL="$E2E_URL" NEXTAUTH_SECRET="$E2E_SECRET" NEXTAUTH_URL="http://127.0.0.1:$E2E_PORT" HL7_MLLP_PORT="$E2E_MLLP_PORT" \
  TITRATE_LOG_FILE="${TITRATE_LOG_FILE:-test-results/server.log}" \
  node_modules/.bin/next start -p "$E2E_PORT" -H 127.0.0.1 > >(mkdir -p test-results; tee test-results/server.log) 2>&1 &
SERVER_PID=$!
mkdir -p test-results
# a second instance on the same database, for e2e/live.spec.ts (a write through one reaches the other)
DATABASE_URL="$E2E_URL" NEXTAUTH_SECRET="$E2E_SECRET" NEXTAUTH_URL="http://127.0.0.1:$E2E_PORT_2" \
  node_modules/.bin/next start -p "$E2E_PORT_2" -H 127.0.0.1 > test-results/server-2.log 2>&1 &
SERVER_PID_2=$!
for port in "$E2E_PORT" "$E2E_PORT_2"; do
  for _ in $(seq 1 120); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/login" && break
    sleep 0.5
  done
  curl -fsS -o /dev/null "http://127.0.0.1:$port/login"
done

step "End-to-end: Playwright (Chromium)"
E2E_BASE_URL="http://127.0.0.1:$E2E_PORT" E2E_BASE_URL_2="http://127.0.0.1:$E2E_PORT_2" E2E_DATABASE_URL="$E2E_URL" E2E_MLLP_PORT="$E2E_MLLP_PORT" npx playwright test

step "No patient data in the server log"
E2E_DATABASE_URL="$E2E_URL" npx tsx scripts/scan-server-log.ts test-results/server.log test-results/server-2.log

step "No lost writes: SIGKILL during concurrent charting (own server and database)"
# stop the e2e server first: two servers on 2 cores would slow both
if [ -n "$SERVER_PID" ]; then pkill -P "$SERVER_PID" 2>/dev/null || true; kill "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; fi
if [ -n "$SERVER_PID_2" ]; then pkill -P "$SERVER_PID_2" 2>/dev/null || true; kill "$SERVER_PID_2" 2>/dev/null || true; SERVER_PID_2=""; fi
TEST_PG_URL="$PG_SERVER_URL" npx tsx scripts/crash-test.ts

step "The demo command on the embedded database (PGlite)"
npx tsx scripts/demo-smoke.ts
