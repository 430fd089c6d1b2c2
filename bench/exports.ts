/**
 * Benchmark (decision 0006): streamed exports of 10,000 session summaries through the full path
 * (HTTP, session auth, filter, keyset batches of 200 with their charted rows, summary row
 * builder, format writer, audit row at the end). Target: CSV >= 5,000 rows/s with resident
 * memory growth of the server < 150 MB; FHIR and PDF throughput recorded with their memory.
 *
 * Memory is the server process's VmRSS (/proc/<pid>/status), sampled every 50 ms before,
 * during and after each export. The server is the process listening on BENCH_BASE_URL's port.
 * Needs the app served at BENCH_BASE_URL on BENCH_DATABASE_URL (bench/run.sh does both).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import pg from "pg";
import { BASE, login, machine, round } from "./lib";

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10_000);
const dbUrl = process.env.BENCH_DATABASE_URL;
if (!dbUrl) throw new Error("BENCH_DATABASE_URL is required");
// The bench sessions live in 2025, before the demo data: the filter selects exactly them.
const FILTER = "from=2025-01-01&to=2025-12-31&status=all";

/** Inserts SESSIONS signed sessions, each with 3 dose events, 4 vitals, 2 pain scores and a side effect, in set-based SQL. */
async function insertSessions() {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  const { rows: [ctx] } = await c.query(`
    SELECT s.id AS "seriesId", s."clinicId", u.id AS "nurseId"
    FROM "Series" s JOIN "User" u ON u."clinicId" = s."clinicId" AND u.email = 'nurse@demo.clinic' LIMIT 1`);
  const t0 = performance.now();
  await c.query("BEGIN");
  // one session every 50 minutes through 2025: 10,000 fit in the year
  await c.query(`
    INSERT INTO "InfusionSession" (id, "clinicId", "seriesId", sequence, "weightG", "concentrationUgPerMl", status, "consentConfirmed", "screeningReviewed", "openedAt", "nurseId", "completedAt", "dischargeReady", "signedAt", "signedById")
    SELECT 'bench' || g, $1, $2, 100000 + g, 60000 + (g % 400) * 100, 1000, 'SIGNED', true, true,
           timestamp '2025-01-01 14:00' + g * interval '50 minutes', $3,
           timestamp '2025-01-01 16:10' + g * interval '50 minutes', true,
           timestamp '2025-01-01 16:20' + g * interval '50 minutes', $3
    FROM generate_series(1, $4::int) g`, [ctx.clinicId, ctx.seriesId, ctx.nurseId, SESSIONS]);
  await c.query(`
    INSERT INTO "DoseEvent" (id, "sessionId", type, at, "rateUgPerKgPerH", "enteredById")
    SELECT 'bench' || g || '-' || k, 'bench' || g, (ARRAY['START','RATE_CHANGE','STOP'])[k]::"DoseEventType",
           timestamp '2025-01-01 14:05' + g * interval '50 minutes' + (ARRAY[0, 30, 120])[k] * interval '1 minute',
           (ARRAY[150 + g % 100, 250 + g % 100, NULL])[k], $1
    FROM generate_series(1, $2::int) g, generate_series(1, 3) k`, [ctx.nurseId, SESSIONS]);
  await c.query(`
    INSERT INTO "VitalSigns" (id, "sessionId", at, "systolicMmHg", "diastolicMmHg", "heartRatePerMin", "spo2Pct", "respRatePerMin", "isBaseline", "enteredById")
    SELECT 'bench' || g || '-' || k, 'bench' || g, timestamp '2025-01-01 14:05' + g * interval '50 minutes' + k * interval '30 minutes',
           118 + (g + k) % 30, 70 + k, 70 + (g % 20), 95 + k % 4, 14, k = 0, $1
    FROM generate_series(1, $2::int) g, generate_series(0, 3) k`, [ctx.nurseId, SESSIONS]);
  await c.query(`
    INSERT INTO "PainScore" (id, "seriesId", "sessionId", at, score, scale, phase, "enteredById")
    SELECT 'bench' || g || '-' || k, $1, 'bench' || g, timestamp '2025-01-01 14:00' + g * interval '50 minutes' + k * interval '125 minutes',
           CASE k WHEN 0 THEN 7 + g % 3 ELSE 2 + g % 4 END, 'NRS', (ARRAY['PRE','POST'])[k + 1]::"PainPhase", $2
    FROM generate_series(1, $3::int) g, generate_series(0, 1) k`, [ctx.seriesId, ctx.nurseId, SESSIONS]);
  await c.query(`
    INSERT INTO "SideEffect" (id, "sessionId", at, kind, severity, intervention, "enteredById")
    SELECT 'bench' || g, 'bench' || g, timestamp '2025-01-01 14:45' + g * interval '50 minutes', 'NAUSEA_VOMITING', 1 + g % 3, 'ONDANSETRON', $1
    FROM generate_series(1, $2::int) g`, [ctx.nurseId, SESSIONS]);
  await c.query("COMMIT");
  await c.query("ANALYZE");
  await c.end();
  return round((performance.now() - t0) / 1000, 2);
}

/** The pid of the process listening on the app's port (the next-server, not its npx parent). */
function serverPid(): number {
  const port = new URL(BASE).port;
  const out = execFileSync("ss", ["-ltnpH", `sport = :${port}`], { encoding: "utf8" });
  const m = /pid=(\d+)/.exec(out);
  if (!m) throw new Error(`no process listens on port ${port}: ${out}`);
  return Number(m[1]);
}

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

type Run = { format: string; sessions: number; bytes: number; seconds: number; rowsPerS: number; mibPerS: number; rssBeforeMiB: number; rssPeakMiB: number; rssAfterMiB: number; growthMiB: number };

async function runExport(cookie: string, format: "csv" | "fhir" | "pdf", pid: number): Promise<Run> {
  const before = rssMiB(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 50);
  const t0 = performance.now();
  const res = await fetch(`${BASE}/api/exports/sessions?format=${format}&${FILTER}`, { headers: { cookie } });
  if (!res.ok || !res.body) throw new Error(`${format}: HTTP ${res.status} ${await res.text()}`);
  const total = Number(res.headers.get("x-total-count"));
  const reader = res.body.getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength; // counted and dropped: the client holds nothing
  }
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, rssMiB(pid));
  await new Promise((r) => setTimeout(r, 2000));
  const after = rssMiB(pid);
  return {
    format, sessions: total, bytes, seconds: round(seconds, 2), rowsPerS: round(total / seconds), mibPerS: round(bytes / 2 ** 20 / seconds, 2),
    rssBeforeMiB: round(before), rssPeakMiB: round(peak), rssAfterMiB: round(after), growthMiB: round(peak - before),
  };
}

async function main() {
  const insertS = await insertSessions();
  console.log(`inserted ${SESSIONS} sessions with their charted rows in ${insertS} s`);
  const cookie = await login("admin@demo.clinic");
  const pid = serverPid();
  // warm-up: route compilation, JIT, pools (a small range)
  await (await fetch(`${BASE}/api/exports/sessions?format=csv&from=2025-01-01&to=2025-01-03&status=all`, { headers: { cookie } })).arrayBuffer();
  await (await fetch(`${BASE}/api/exports/sessions?format=pdf&from=2025-01-01&to=2025-01-02&status=all`, { headers: { cookie } })).arrayBuffer();
  const results: Run[] = [];
  // BENCH_FORMATS=csv,csv runs a subset (default: CSV twice, FHIR, PDF)
  const formats = (process.env.BENCH_FORMATS ?? "csv,csv,fhir,pdf").split(",") as ("csv" | "fhir" | "pdf")[];
  for (const format of formats) {
    const r = await runExport(cookie, format, pid);
    results.push(r);
    console.log(`${format}: ${r.sessions} sessions, ${round(r.bytes / 2 ** 20, 1)} MiB in ${r.seconds} s = ${r.rowsPerS} sessions/s (${r.mibPerS} MiB/s); server RSS ${r.rssBeforeMiB} -> peak ${r.rssPeakMiB} -> after ${r.rssAfterMiB} MiB (growth ${r.growthMiB} MiB)`);
  }
  const csvRuns = results.filter((r) => r.format === "csv");
  if (csvRuns.length) {
    // every CSV run must meet the target, not only the warmest one
    const slowest = Math.min(...csvRuns.map((r) => r.rowsPerS));
    const growthMB = Math.max(...csvRuns.map((r) => r.growthMiB)) * 1.048576;
    console.log(`CSV target >= 5000 rows/s: ${slowest >= 5000 ? "met" : "MISSED"} (slowest run ${slowest}); memory growth < 150 MB: ${growthMB < 150 ? "met" : "MISSED"} (largest ${round(growthMB)} MB)`);
  }
  mkdirSync("bench/out", { recursive: true });
  writeFileSync("bench/out/exports.json", JSON.stringify({ machine: machine(), sessions: SESSIONS, insertS, results }, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
