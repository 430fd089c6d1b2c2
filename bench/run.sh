#!/usr/bin/env bash
# Runs the benchmarks against a production build on a fresh, seeded PostgreSQL database.
# Usage: bash bench/run.sh   (after `npm run build`; results in bench/out/*.json, summarised
# by hand in bench/RESULTS.md with the machine and date).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
PG="${TEST_PG_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
DB="titrate_bench_$$"
URL="$(node -e 'const u=new URL(process.argv[1]);u.pathname="/"+process.argv[2];console.log(u.toString())' "$PG" "$DB")"
PORT="${BENCH_PORT:-3400}"
node -e 'const pg=require("pg");const c=new pg.Client({connectionString:process.argv[1]});c.connect().then(()=>c.query(`CREATE DATABASE "${process.argv[2]}"`)).then(()=>c.end())' "$PG" "$DB"
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true
  node -e 'const pg=require("pg");const c=new pg.Client({connectionString:process.argv[1]});c.connect().then(()=>c.query(`DROP DATABASE IF EXISTS "${process.argv[2]}" WITH (FORCE)`)).then(()=>c.end())' "$PG" "$DB" || true
}
trap cleanup EXIT
DATABASE_URL="$URL" npx prisma migrate deploy >/dev/null
DATABASE_URL="$URL" npx tsx --conditions=react-server prisma/seed.ts
[ -f .next/BUILD_ID ] || DATABASE_URL="$URL" npx next build
# the bedside monitor listener, for bench/hl7-ingest.ts
export BENCH_MLLP_PORT="${BENCH_MLLP_PORT:-2575}"
DATABASE_URL="$URL" NEXTAUTH_SECRET="bench-$$" NEXTAUTH_URL="http://127.0.0.1:$PORT" HL7_MLLP_PORT="$BENCH_MLLP_PORT" node_modules/.bin/next start -p "$PORT" -H 127.0.0.1 >"/tmp/titrate-bench-server-$PORT.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 120); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/login" && break; sleep 0.5; done
export BENCH_BASE_URL="http://127.0.0.1:$PORT" BENCH_DATABASE_URL="$URL"
for b in "${@:-vitals-throughput session-open}"; do
  for name in $b; do
    echo "== bench/$name =="
    npx tsx --conditions=react-server "bench/$name.ts"
  done
done
