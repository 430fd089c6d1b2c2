/**
 * Benchmark (decision 0019): what the access row costs a chart read. Against the served app
 * (BENCH_BASE_URL on BENCH_DATABASE_URL), requested in turn (round-robin, so drifting load hits
 * each alike): the server time of the session chart page (/sessions/{id}) and of
 * GET /api/sessions/{id}, both writing their access row; and, in this process through the
 * app's own database client, the access row's INSERT alone (recordAccess). No switch turns
 * auditing off in the app: the page "without" is bounded from the same run as
 * page − INSERT (the INSERT is awaited, and on the chart it runs beside the names query, so
 * it adds at most its own time). Target: page with auditing ≤ 1.1 × the page without, i.e.
 * page / (page − INSERT) ≤ 1.1. Also checks that each request wrote exactly one access row.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { BASE, login, machine, percentile, round } from "./lib";

const dbUrl = process.env.BENCH_DATABASE_URL;
if (!dbUrl) throw new Error("BENCH_DATABASE_URL is required");
process.env.DATABASE_URL = dbUrl;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 60);

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  return { n: s.length, medianMs: round(percentile(s, 50), 2), p95Ms: round(percentile(s, 95), 2) };
}

async function main() {
  const { db } = await import("@/lib/server/db");
  const { recordAccess } = await import("@/lib/server/access-audit");
  const session = await db.infusionSession.findFirstOrThrow({
    where: { status: "IN_PROGRESS", clinic: { name: "Demo Pain Clinic" }, vitals: { some: {} } },
    select: { id: true, series: { select: { patientId: true } } },
  });
  const nurse = await db.user.findUniqueOrThrow({ where: { email: "nurse@demo.clinic" }, include: { clinic: true } });
  const actor = { userId: nurse.id, clinicId: nurse.clinicId, role: nurse.role, name: nurse.name, email: nurse.email, clinicTimezone: nurse.clinic.timezone };
  const cookie = await login("nurse@demo.clinic");
  const get = (path: string) => async () => {
    const res = await fetch(`${BASE}${path}`, { headers: { cookie } });
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    await res.arrayBuffer();
  };
  const page = get(`/sessions/${session.id}`);
  const api = get(`/api/sessions/${session.id}`);
  const insert = () => recordAccess(actor, { route: "bench", record: "InfusionSession", recordId: session.id, patientIds: [session.series.patientId] });

  for (let i = 0; i < 5; i++) { await page(); await api(); await insert(); } // warm-up
  const before = await db.auditEvent.count({ where: { action: "access.read", actorId: nurse.id, entityId: session.id } });
  const t = { page: [] as number[], api: [] as number[], insert: [] as number[] };
  for (let i = 0; i < ROUNDS; i++) {
    t.page.push(await timed(page));
    t.api.push(await timed(api));
    t.insert.push(await timed(insert));
  }
  const rows = (await db.auditEvent.count({ where: { action: "access.read", actorId: nurse.id, entityId: session.id } })) - before;
  const pageS = stats(t.page);
  const apiS = stats(t.api);
  const insertS = stats(t.insert);
  const bound = (with_: number) => round(with_ / Math.max(0.001, with_ - insertS.medianMs), 3);
  const result = {
    machine: machine(), loadAvg1m: round(os.loadavg()[0]!, 2), rounds: ROUNDS,
    sessionPage: pageS, sessionApi: apiS, accessInsert: insertS,
    pageWithOverWithoutAtMost: bound(pageS.medianMs), apiWithOverWithoutAtMost: bound(apiS.medianMs),
    accessRowsWritten: rows, accessRowsExpected: ROUNDS * 3,
  };
  console.log(`[access-audit] page ${pageS.medianMs} ms (p95 ${pageS.p95Ms}) | API ${apiS.medianMs} ms (p95 ${apiS.p95Ms}) | access INSERT ${insertS.medianMs} ms (p95 ${insertS.p95Ms}) | ` +
    `with ÷ without ≤ page ${result.pageWithOverWithoutAtMost}, API ${result.apiWithOverWithoutAtMost} (target ≤ 1.1) | rows ${rows}/${ROUNDS * 3} | load ${result.loadAvg1m}`);
  mkdirSync("bench/out", { recursive: true });
  writeFileSync("bench/out/access-audit.json", JSON.stringify(result, null, 2));
  if (rows !== ROUNDS * 3) throw new Error(`expected ${ROUNDS * 3} access rows, found ${rows}`);
  await db.$disconnect();
}

main().catch((err) => { console.error(err); process.exit(1); });
