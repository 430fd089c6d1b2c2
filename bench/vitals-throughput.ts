/**
 * Benchmark (decisions 0007, 0018): charting vitals through the full path (HTTP, session auth,
 * zod validation, clinic scope + share lock, flag rules, the unsealed audit row, commit) at 1,
 * 8 and 32 concurrent clients, in one clinic and spread over 8 clinics, beside a raw `pg`
 * single-row INSERT loop into the same table in the same run. Two floors are measured beside
 * them, to show where the time goes: the route answering 401 (Next's own request handling) and
 * the full path's SQL sent by `pg` without HTTP. The server's audit sealer runs throughout;
 * after each full-path and SQL-floor level the benchmark waits until every row is sealed and
 * records the sealing lag (sealedAt − at) of that level's audit rows.
 * Targets (decision 0018): p99 < 100 ms and throughput ≥ 0.6 × the route floor at 32 clients,
 * SQL floor ≥ 0.3 × raw, sealing lag p99 < 2 s.
 *
 * Needs the app served at BENCH_BASE_URL on BENCH_DATABASE_URL (bench/run.sh does both) and
 * wrk (Debian package `wrk`) as the HTTP load generator: Node's fetch costs ~1 ms of CPU per
 * request on these 2-core machines and took half the CPU from the server it measured.
 */
import { randomUUID } from "node:crypto";
import { execFileSync } from "node:child_process";
import { writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { createTestClinic } from "@/prisma/seed/factories";
import { BASE, login, machine, percentile, post, round, startSessions } from "./lib";

const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 10) * 1000;
const LEVELS = [1, 8, 32];
const SPREAD_CLINICS = 8;
const dbUrl = process.env.BENCH_DATABASE_URL;
if (!dbUrl) throw new Error("BENCH_DATABASE_URL is required");

type Level = { clients: number; requests: number; errors: number; throughputPerS: number; p50Ms: number; p99Ms: number };
type SealLag = { rows: number; p50Ms: number; p99Ms: number; maxMs: number; waitedMs: number };

async function prepareSessions(count: number, nurseEmail = "nurse@demo.clinic", physicianEmail = "physician@demo.clinic", adminEmail = "admin@demo.clinic"): Promise<string[]> {
  const [nurse, physician, admin] = [await login(nurseEmail), await login(physicianEmail), await login(adminEmail)];
  return startSessions({ nurse, physician, admin, count, protocol: /neuropathic/i, mrnPrefix: "BENCH" });
}

function vitalsBody(i: number) {
  return { at: new Date().toISOString(), systolicMmHg: 118 + (i % 10), diastolicMmHg: 76, heartRatePerMin: 72, spo2Pct: 98, respRatePerMin: 14 };
}

/** Runs wrk (a C load generator, so the client does not take the server's CPU) for one level. */
function wrk(clients: number, sessionIds: string[], cookie: string, cookies: string[] = []): { requests: number; durationUs: number; non2xx: number; socketErrors: number; p50Us: number; p99Us: number; maxUs: number } {
  const out = execFileSync("wrk", ["-t1", `-c${clients}`, `-d${DURATION_MS / 1000}s`, "--latency", "-s", "bench/vitals-wrk.lua", BASE], {
    env: { ...process.env, BENCH_SESSIONS: sessionIds.join(","), BENCH_COOKIE: cookie, BENCH_COOKIES: cookies.join("|") },
    encoding: "utf8",
  });
  const line = out.trim().split("\n").at(-1)!;
  return JSON.parse(line);
}

async function runFullPath(clients: number, sessionIds: string[], cookie: string, cookies: string[] = []): Promise<Level> {
  const r = wrk(clients, sessionIds, cookie, cookies);
  return {
    clients, requests: r.requests, errors: r.non2xx + r.socketErrors,
    throughputPerS: round(r.requests / (r.durationUs / 1e6)), p50Ms: round(r.p50Us / 1000, 2), p99Ms: round(r.p99Us / 1000, 2),
  };
}

/**
 * The floor under the full path, same route and load: a request without a session cookie is
 * answered 401 by the route before any database work. What Next's own request handling
 * costs on this machine; the full path can never be faster than this.
 */
async function runRouteFloor(clients: number, sessionIds: string[]): Promise<Level> {
  const r = wrk(clients, sessionIds, "");
  return {
    clients, requests: r.requests, errors: r.socketErrors,
    throughputPerS: round(r.requests / (r.durationUs / 1e6)), p50Ms: round(r.p50Us / 1000, 2), p99Ms: round(r.p99Us / 1000, 2),
  };
}

/** `clients` loops, each on its own connection, each running `step` until the deadline. */
async function runPgLoop(clients: number, sessionIds: string[], step: (db: pg.PoolClient, sessionId: string, i: number, c: number) => Promise<unknown>): Promise<Level> {
  const pool = new pg.Pool({ connectionString: dbUrl, max: clients });
  const latencies: number[] = [];
  const deadline = performance.now() + DURATION_MS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const sessionId = sessionIds[c % sessionIds.length]!;
      const conn = await pool.connect();
      let i = 0;
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await step(conn, sessionId, i++, c);
        latencies.push(performance.now() - t0);
      }
      conn.release();
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  await pool.end();
  latencies.sort((a, b) => a - b);
  return { clients, requests: latencies.length, errors: 0, throughputPerS: round(latencies.length / elapsedS), p50Ms: round(percentile(latencies, 50), 2), p99Ms: round(percentile(latencies, 99), 2) };
}

const INSERT_VITALS = `INSERT INTO "VitalSigns" (id, "sessionId", at, "systolicMmHg", "diastolicMmHg", "heartRatePerMin", "spo2Pct", "respRatePerMin", "enteredById")
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;

/** The baseline the issue names: a raw `pg` loop of single-row INSERTs into the same table. */
function runRawInsert(clients: number, sessionIds: string[], enteredById: string): Promise<Level> {
  return runPgLoop(clients, sessionIds, (db, sessionId, i) => {
    const v = vitalsBody(i);
    return db.query(INSERT_VITALS, [randomUUID(), sessionId, new Date(), v.systolicMmHg, v.diastolicMmHg, v.heartRatePerMin, v.spo2Pct, v.respRatePerMin, enteredById]);
  });
}

/**
 * The database's share of the full path, without HTTP, Next or Prisma: the statements one
 * charted vitals set sends (actor re-check, transaction, clinic-scoped share lock with the
 * protocol limits, the session's light vitals columns, the INSERT, the unsealed audit row,
 * commit), issued by `pg` directly. No server above the database can chart faster than this on
 * the same machine. `users[c % users.length]` charts session `c`: one user per clinic.
 */
function runSqlFloor(clients: number, sessionIds: string[], users: { id: string; clinicId: string }[]): Promise<Level> {
  return runPgLoop(clients, sessionIds, async (db, sessionId, i, c) => {
    const user = users[c % users.length]!;
    const v = vitalsBody(i);
    await db.query(`SELECT u.id, u."clinicId", u.role::text AS role, u.active, c.timezone, c."idleSignOutMin" FROM "User" u JOIN "Clinic" c ON c.id = u."clinicId" WHERE u.id = $1`, [user.id]);
    await db.query("BEGIN");
    await db.query(
      `SELECT s.id, s.status::text, s."openedAt", to_jsonb(pv) AS pv FROM "InfusionSession" s JOIN "Series" se ON se.id = s."seriesId"
         JOIN "ProtocolVersion" pv ON pv.id = se."protocolVersionId" WHERE s.id = $1 AND s."clinicId" = $2 FOR SHARE OF s`,
      [sessionId, user.clinicId],
    );
    await db.query(`SELECT id, at, "correctsId", "isRetraction", "isBaseline", "systolicMmHg", "diastolicMmHg" FROM "VitalSigns" WHERE "sessionId" = $1 ORDER BY at`, [sessionId]);
    const id = randomUUID().replaceAll("-", "");
    await db.query(INSERT_VITALS, [id, sessionId, new Date(), v.systolicMmHg, v.diastolicMmHg, v.heartRatePerMin, v.spo2Pct, v.respRatePerMin, user.id]);
    await db.query(
      `INSERT INTO "AuditEvent" ("clinicId", "actorId", action, "entityType", "entityId", at, after) VALUES ($1, $2, 'bench.vitals', 'VitalSigns', $3, clock_timestamp() AT TIME ZONE 'UTC', $4::jsonb)`,
      [user.clinicId, user.id, id, JSON.stringify({ id, sessionId, ...v })],
    );
    await db.query("COMMIT");
  });
}

/**
 * Waits until the server's sealer has sealed every audit row, then the lag (sealedAt − at) of
 * the rows of `action` written since `since`: how long an audit row stayed outside the chain.
 */
async function sealLag(db: pg.Client, action: string, since: Date): Promise<SealLag> {
  const t0 = performance.now();
  for (;;) {
    const n = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "AuditEvent" WHERE "seq" IS NULL`)).rows[0]!.n;
    if (n === 0) break;
    if (performance.now() - t0 > 120_000) throw new Error(`${n} audit rows still unsealed after 120 s: is the server's sealer running?`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const waitedMs = round(performance.now() - t0);
  const lags = (await db.query<{ ms: number }>(
    `SELECT extract(epoch FROM "sealedAt" - "at") * 1000 AS ms FROM "AuditEvent" WHERE "action" = $1 AND "at" >= $2::timestamp ORDER BY 1`,
    [action, since.toISOString().replace("Z", "")],
  )).rows.map((r) => Number(r.ms));
  return { rows: lags.length, p50Ms: round(percentile(lags, 50)), p99Ms: round(percentile(lags, 99)), maxMs: round(lags.at(-1) ?? NaN), waitedMs };
}

async function main() {
  // Separate sessions for each loop: the raw INSERT loop adds thousands of rows a second, and
  // a charting write reads its session's vitals, so sharing sessions would slow the full
  // path with rows no real session has (a 5-day session holds ~500 sets).
  const sessionIds = await prepareSessions(32);
  const rawSessionIds = await prepareSessions(32);
  const sqlSessionIds = await prepareSessions(32);
  // Spread over 8 clinics: the demo clinic and 7 more (factories, the demo password), 4 sessions
  // each for the full path and 4 for the SQL floor, each charted by its own clinic's nurse.
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: dbUrl!, max: 2 }) });
  const extra = [];
  for (let i = 1; i < SPREAD_CLINICS; i++) extra.push(await createTestClinic(prisma, `bench${i}-${randomUUID().slice(0, 6)}`));
  await prisma.$disconnect();
  const spreadNurses = ["nurse@demo.clinic", ...extra.map((c) => c.nurse.email)];
  const spreadPhysicians = ["physician@demo.clinic", ...extra.map((c) => c.physician.email)];
  const spreadAdmins = ["admin@demo.clinic", ...extra.map((c) => c.admin.email)];
  const spread: { sessionId: string; cookie: string }[] = [];
  const spreadSql: { sessionId: string; user: { id: string; clinicId: string } }[] = [];
  for (let k = 0; k < SPREAD_CLINICS; k++) {
    const cookie = await login(spreadNurses[k]!);
    for (const id of await prepareSessions(4, spreadNurses[k], spreadPhysicians[k], spreadAdmins[k])) spread.push({ sessionId: id, cookie });
    for (const id of await prepareSessions(4, spreadNurses[k], spreadPhysicians[k], spreadAdmins[k])) spreadSql.push({ sessionId: id, user: { id: "", clinicId: "" } });
  }
  // interleave the clinics, so any 8 consecutive requests reach 8 clinics
  const byClinic = <T,>(xs: T[]) => Array.from({ length: xs.length }, (_, i) => xs[(i % SPREAD_CLINICS) * 4 + Math.floor(i / SPREAD_CLINICS)]!);
  const spreadOrdered = byClinic(spread);
  const spreadSqlOrdered = byClinic(spreadSql);
  // wrk's Lua stamps whole seconds: wait so no vitals time falls before a session opened
  await new Promise((r) => setTimeout(r, 1100));
  const cookie = await login("nurse@demo.clinic");
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  const nurse = (await c.query(`SELECT id, "clinicId" FROM "User" WHERE email = 'nurse@demo.clinic'`)).rows[0] as { id: string; clinicId: string };
  const nurseByEmail = new Map((await c.query<{ email: string; id: string; clinicId: string }>(
    `SELECT email, id, "clinicId" FROM "User" WHERE email = ANY($1::text[])`, [spreadNurses])).rows.map((u) => [u.email, { id: u.id, clinicId: u.clinicId }]));
  spreadSqlOrdered.forEach((s, i) => { s.user = nurseByEmail.get(spreadNurses[i % SPREAD_CLINICS]!)!; });
  // warm-up: JIT, connection pools, route compilation
  const check = await post<unknown>(cookie, `/api/sessions/${sessionIds[0]}/vitals`, vitalsBody(0));
  if (check.status !== 201) throw new Error(`a vitals POST answered ${check.status}: ${JSON.stringify(check.body)}`);
  await runFullPath(4, sessionIds, cookie);
  await sealLag(c, "vitals.chart", new Date());
  type Row = {
    mode: "one clinic" | "8 clinics"; full: Level; raw: Level; routeFloor: Level; sqlFloor: Level;
    ratio: number; routeFloorRatio: number; sqlFloorRatio: number; fullOverRouteFloor: number; fullSealLag: SealLag; sqlSealLag: SealLag; loadAvg1m: number;
  };
  const results: Row[] = [];
  for (const mode of ["one clinic", "8 clinics"] as const) {
    for (const clients of LEVELS) {
      const t0 = new Date();
      const full = mode === "one clinic"
        ? await runFullPath(clients, sessionIds, cookie)
        : await runFullPath(clients, spreadOrdered.map((s) => s.sessionId), cookie, spreadOrdered.map((s) => s.cookie));
      const fullSealLag = await sealLag(c, "vitals.chart", t0);
      const raw = await runRawInsert(clients, rawSessionIds, nurse.id);
      const routeFloor = await runRouteFloor(clients, sessionIds);
      const t1 = new Date();
      const sqlFloor = mode === "one clinic"
        ? await runSqlFloor(clients, sqlSessionIds, [nurse])
        : await runSqlFloor(clients, spreadSqlOrdered.map((s) => s.sessionId), spreadSqlOrdered.map((s) => s.user));
      const sqlSealLag = await sealLag(c, "bench.vitals", t1);
      const r = (x: Level) => round(x.throughputPerS / raw.throughputPerS, 3);
      const loadAvg1m = round(os.loadavg()[0]!, 2);
      results.push({ mode, full, raw, routeFloor, sqlFloor, ratio: r(full), routeFloorRatio: r(routeFloor), sqlFloorRatio: r(sqlFloor),
        fullOverRouteFloor: round(full.throughputPerS / routeFloor.throughputPerS, 3), fullSealLag, sqlSealLag, loadAvg1m });
      const fmt = (x: Level) => `${x.throughputPerS}/s p50 ${x.p50Ms} ms p99 ${x.p99Ms} ms`;
      const lag = (l: SealLag) => `seal lag p50 ${l.p50Ms} p99 ${l.p99Ms} max ${l.maxMs} ms (${l.rows} rows)`;
      console.log(`[${mode}] ${clients} clients | full ${fmt(full)} (errors ${full.errors}) ÷ route floor ${round(full.throughputPerS / routeFloor.throughputPerS, 3)} ÷ raw ${r(full)} | ${lag(fullSealLag)} | load ${loadAvg1m}`);
      console.log(`   route floor (401, no DB) ${fmt(routeFloor)} | SQL floor (pg, no HTTP) ${fmt(sqlFloor)} ÷ raw ${r(sqlFloor)}, ${lag(sqlSealLag)} | raw ${fmt(raw)}`);
    }
  }
  await c.end();
  mkdirSync("bench/out", { recursive: true });
  writeFileSync("bench/out/vitals-throughput.json", JSON.stringify({ machine: machine(), durationS: DURATION_MS / 1000, results }, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
