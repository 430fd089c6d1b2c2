/**
 * Issue 3 benchmark: charting vitals through the full path (HTTP, session auth, zod
 * validation, clinic scope + share lock, flag rules, audit row with its hash chain, commit)
 * at 1, 8 and 32 concurrent clients, beside a raw `pg` single-row INSERT loop into the same
 * table in the same run. Target: full path >= 0.3 x raw throughput at 32 clients, p99 < 100 ms.
 *
 * Needs the app served at BENCH_BASE_URL on BENCH_DATABASE_URL (bench/run.sh does both).
 */
import { randomUUID } from "node:crypto";
import { writeFileSync, mkdirSync } from "node:fs";
import pg from "pg";
import { BASE, login, machine, percentile, post, round } from "./lib";

const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 10) * 1000;
const LEVELS = [1, 8, 32];
const dbUrl = process.env.BENCH_DATABASE_URL;
if (!dbUrl) throw new Error("BENCH_DATABASE_URL is required");

type Level = { clients: number; requests: number; errors: number; throughputPerS: number; p50Ms: number; p99Ms: number };

async function prepareSessions(count: number): Promise<string[]> {
  const nurse = await login("nurse@demo.clinic");
  const physician = await login("physician@demo.clinic");
  const protocols = (await (await fetch(`${BASE}/api/protocols`, { headers: { cookie: nurse } })).json()) as { protocols: { name: string; versions: { id: string }[] }[] };
  const neuro = protocols.protocols.find((p) => /neuropathic/i.test(p.name))!.versions[0]!.id;
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const p = await post<{ patient: { id: string } }>(nurse, "/api/patients", {
      mrn: `BENCH-${randomUUID().slice(0, 8)}`, givenName: "Bench", familyName: `Patient ${i}`, birthDate: "1980-01-01", sex: "UNKNOWN", consentOnFile: true,
    });
    const s = await post<{ series: { id: string } }>(physician, `/api/patients/${p.body.patient.id}/series`, { protocolVersionId: neuro, plannedSessions: 5, startDate: new Date().toISOString().slice(0, 10) });
    const sess = await post<{ session: { id: string } }>(nurse, `/api/series/${s.body.series.id}/sessions`, { weightKg: 70, concentrationMgPerMl: 1 });
    if (sess.status !== 201) throw new Error(`could not start a session: ${JSON.stringify(sess.body)}`);
    ids.push(sess.body.session.id);
  }
  return ids;
}

function vitalsBody(i: number) {
  return { at: new Date().toISOString(), systolicMmHg: 118 + (i % 10), diastolicMmHg: 76, heartRatePerMin: 72, spo2Pct: 98, respRatePerMin: 14 };
}

async function runFullPath(clients: number, sessionIds: string[], cookie: string): Promise<Level> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + DURATION_MS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const sessionId = sessionIds[c % sessionIds.length]!;
      let i = 0;
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const res = await fetch(`${BASE}/api/sessions/${sessionId}/vitals`, {
          method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify(vitalsBody(i++)),
        });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.status !== 201) errors++;
      }
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { clients, requests: latencies.length, errors, throughputPerS: round(latencies.length / elapsedS), p50Ms: round(percentile(latencies, 50), 2), p99Ms: round(percentile(latencies, 99), 2) };
}

async function runRawInsert(clients: number, sessionIds: string[], enteredById: string): Promise<Level> {
  const pool = new pg.Pool({ connectionString: dbUrl, max: clients });
  const latencies: number[] = [];
  const deadline = performance.now() + DURATION_MS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const sessionId = sessionIds[c % sessionIds.length]!;
      let i = 0;
      while (performance.now() < deadline) {
        const v = vitalsBody(i++);
        const t0 = performance.now();
        await pool.query(
          `INSERT INTO "VitalSigns" (id, "sessionId", at, "systolicMmHg", "diastolicMmHg", "heartRatePerMin", "spo2Pct", "respRatePerMin", "enteredById")
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [randomUUID(), sessionId, new Date(), v.systolicMmHg, v.diastolicMmHg, v.heartRatePerMin, v.spo2Pct, v.respRatePerMin, enteredById],
        );
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  await pool.end();
  latencies.sort((a, b) => a - b);
  return { clients, requests: latencies.length, errors: 0, throughputPerS: round(latencies.length / elapsedS), p50Ms: round(percentile(latencies, 50), 2), p99Ms: round(percentile(latencies, 99), 2) };
}

async function main() {
  const sessionIds = await prepareSessions(32);
  const cookie = await login("nurse@demo.clinic");
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  const nurseId = (await c.query(`SELECT id FROM "User" WHERE email = 'nurse@demo.clinic'`)).rows[0].id as string;
  await c.end();
  // warm-up: JIT, connection pools, route compilation
  await runFullPath(4, sessionIds, cookie);
  const results: { full: Level; raw: Level; ratio: number }[] = [];
  for (const clients of LEVELS) {
    const full = await runFullPath(clients, sessionIds, cookie);
    const raw = await runRawInsert(clients, sessionIds, nurseId);
    results.push({ full, raw, ratio: round(full.throughputPerS / raw.throughputPerS, 3) });
    console.log(`${clients} clients: full ${full.throughputPerS}/s p50 ${full.p50Ms} ms p99 ${full.p99Ms} ms (errors ${full.errors}) | raw ${raw.throughputPerS}/s p50 ${raw.p50Ms} ms p99 ${raw.p99Ms} ms | ratio ${results.at(-1)!.ratio}`);
  }
  mkdirSync("bench/out", { recursive: true });
  writeFileSync("bench/out/vitals-throughput.json", JSON.stringify({ machine: machine(), durationS: DURATION_MS / 1000, results }, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
