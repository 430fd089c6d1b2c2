/**
 * Benchmark (docs/decisions/0014-live-events.md): the live event path.
 *
 * 1. Write-to-screen latency: a clinic charting 40 running chairs' vitals every 15 s (one write
 *    every 375 ms, staggered), each POSTed to instance A; the time until its `change` event
 *    arrives on an SSE client connected to instance A and to instance B (same database).
 *    Measured from the moment the write is sent (so the write's own time is included) and
 *    from its answer (the commit); p50/p99. Target p99 < 1 s.
 * 2. Memory of 200 open event streams: instance B's RSS before and after opening them.
 * 3. The triggers' cost on the vitals write path, in the same run: the same writes with the
 *    titrate_events triggers enabled and disabled, alternating blocks (ABAB...), both raw SQL
 *    (one INSERT per transaction, as bench/vitals-throughput.ts's raw loop) and the full HTTP path.
 *
 * Needs two app instances on one database: BENCH_BASE_URL (A), BENCH_BASE_URL_2 (B),
 * BENCH_DATABASE_URL, and BENCH_SERVER_PID_2 (B's process id, for its RSS).
 */
import { randomUUID } from "node:crypto";
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import pg from "pg";
import { machine, percentile, round, startSessions } from "./lib";

const A = process.env.BENCH_BASE_URL ?? "http://127.0.0.1:3500";
const B = process.env.BENCH_BASE_URL_2 ?? "http://127.0.0.1:3501";
const dbUrl = process.env.BENCH_DATABASE_URL;
const pidB = Number(process.env.BENCH_SERVER_PID_2);
if (!dbUrl || !pidB) throw new Error("BENCH_DATABASE_URL and BENCH_SERVER_PID_2 are required");
const CHAIRS = Number(process.env.BENCH_CHAIRS ?? 40);
const PERIOD_MS = 15_000;
const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 60) * 1000;
const STREAMS = Number(process.env.BENCH_STREAMS ?? 200);

async function login(base: string, email: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => { for (const c of res.headers.getSetCookie()) { const [pair] = c.split(";"); const i = pair!.indexOf("="); jar.set(pair!.slice(0, i), pair!.slice(i + 1)); } };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const csrfRes = await fetch(`${base}/api/auth/csrf`); keep(csrfRes);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  keep(await fetch(`${base}/api/auth/callback/credentials`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie() }, body: new URLSearchParams({ csrfToken, email, password: "titrate-demo", json: "true" }) }));
  return cookie();
}

async function post<T>(base: string, cookie: string, path: string, body: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, { method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as T };
}

type Arrival = { kind: string; sessionId: string | null; atMs: number };

/** An SSE client: records every change event's arrival time. */
async function stream(base: string, cookie: string, onEvent?: (a: Arrival) => void): Promise<{ ready: Promise<void>; close: () => void }> {
  const abort = new AbortController();
  const res = await fetch(`${base}/api/events`, { headers: { cookie, accept: "text/event-stream" }, signal: abort.signal });
  if (res.status !== 200) throw new Error(`stream answered ${res.status}`);
  let markReady: () => void = () => {};
  const ready = new Promise<void>((r) => { markReady = r; });
  void (async () => {
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let buf = "";
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let end: number;
        while ((end = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, end); buf = buf.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          if (event === "ready") markReady();
          if (event === "change" && onEvent) {
            const data = JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as { kind: string; sessionId: string | null };
            onEvent({ kind: data.kind, sessionId: data.sessionId, atMs: performance.now() });
          }
        }
      }
    } catch { /* closed */ }
  })();
  return { ready, close: () => abort.abort() };
}

const vitals = (i: number) => ({ at: new Date().toISOString(), systolicMmHg: 118 + (i % 10), diastolicMmHg: 76, heartRatePerMin: 72, spo2Pct: 98, respRatePerMin: 14 });

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m![1]);
}

const stats = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return { n: s.length, p50Ms: round(percentile(s, 50)), p99Ms: round(percentile(s, 99)), maxMs: round(s[s.length - 1] ?? NaN) }; };

async function latency(nurse: string, physicianA: string, physicianB: string, sessionIds: string[]) {
  const pending = new Map<string, { sentMs: number; answeredMs?: number; gotA?: number; gotB?: number }>();
  const done: { sentMs: number; answeredMs: number; gotA: number; gotB: number }[] = [];
  const settle = (sessionId: string, side: "gotA" | "gotB", atMs: number) => {
    const w = pending.get(sessionId);
    if (!w || w[side] !== undefined) return;
    w[side] = atMs;
    if (w.gotA !== undefined && w.gotB !== undefined && w.answeredMs !== undefined) { done.push(w as never); pending.delete(sessionId); }
  };
  const sa = await stream(A, physicianA, (e) => { if (e.kind === "vitals" && e.sessionId) settle(e.sessionId, "gotA", e.atMs); });
  const sb = await stream(B, physicianB, (e) => { if (e.kind === "vitals" && e.sessionId) settle(e.sessionId, "gotB", e.atMs); });
  await Promise.all([sa.ready, sb.ready]);
  const stepMs = PERIOD_MS / sessionIds.length;
  const started = performance.now();
  let n = 0;
  const writes: Promise<void>[] = [];
  let lost = 0;
  while (performance.now() - started < DURATION_MS) {
    const sessionId = sessionIds[n % sessionIds.length]!;
    const due = started + n * stepMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (pending.has(sessionId)) { lost += 1; pending.delete(sessionId); }
    const w = { sentMs: performance.now() } as { sentMs: number; answeredMs?: number };
    pending.set(sessionId, w);
    const i = n;
    writes.push(post(A, nurse, `/api/sessions/${sessionId}/vitals`, vitals(i)).then((r) => {
      if (r.status !== 201) throw new Error(`vitals answered ${r.status}`);
      w.answeredMs = performance.now();
      const cur = pending.get(sessionId);
      if (cur === w && (cur as { gotA?: number }).gotA !== undefined && (cur as { gotB?: number }).gotB !== undefined) { done.push(cur as never); pending.delete(sessionId); }
    }));
    n += 1;
  }
  await Promise.all(writes);
  await new Promise((r) => setTimeout(r, 2_000));
  lost += pending.size;
  sa.close(); sb.close();
  return {
    writes: n, writesPerS: round(n / (DURATION_MS / 1000), 2), eventsMissing: lost,
    fromSendA: stats(done.map((d) => d.gotA - d.sentMs)), fromSendB: stats(done.map((d) => d.gotB - d.sentMs)),
    fromAnswerA: stats(done.map((d) => d.gotA - d.answeredMs)), fromAnswerB: stats(done.map((d) => d.gotB - d.answeredMs)),
    writeMs: stats(done.map((d) => d.answeredMs - d.sentMs)),
  };
}

async function memory(physicianB: string) {
  const warm = await stream(B, physicianB);
  await warm.ready;
  await new Promise((r) => setTimeout(r, 2_000));
  const beforeKiB = rssKiB(pidB);
  const open: { close: () => void }[] = [];
  for (let i = 0; i < STREAMS; i += 20) {
    const batch = await Promise.all(Array.from({ length: Math.min(20, STREAMS - i) }, () => stream(B, physicianB)));
    await Promise.all(batch.map((s) => s.ready));
    open.push(...batch);
  }
  await new Promise((r) => setTimeout(r, 5_000));
  const afterKiB = rssKiB(pidB);
  for (const s of [...open, warm]) s.close();
  return { streams: STREAMS, rssBeforeMiB: round(beforeKiB / 1024), rssAfterMiB: round(afterKiB / 1024), perStreamKiB: round((afterKiB - beforeKiB) / STREAMS) };
}

const TRIGGER_TABLES = ["DoseEvent", "VitalSigns", "SideEffect", "SessionAddendum", "PainScore", "Flag", "Review", "InfusionSession", "Series"];

async function setTriggers(db: pg.Client, on: boolean) {
  for (const t of TRIGGER_TABLES) await db.query(`ALTER TABLE "${t}" ${on ? "ENABLE" : "DISABLE"} TRIGGER titrate_events`);
}

async function triggerCost(db: pg.Client, nurse: string, sessionIds: string[]) {
  const BLOCKS = Number(process.env.BENCH_TRIGGER_BLOCKS ?? 4);
  const RAW_PER_BLOCK = 400;
  const HTTP_PER_BLOCK = 60;
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM "User" WHERE email = 'nurse@demo.clinic'`);
  const nurseId = rows[0]!.id;
  const raw = { on: [] as number[], off: [] as number[] };
  const http = { on: [] as number[], off: [] as number[] };
  for (let b = 0; b < BLOCKS * 2; b++) {
    const on = b % 2 === 0;
    await setTriggers(db, on);
    for (let i = 0; i < RAW_PER_BLOCK; i++) {
      const t = performance.now();
      await db.query("BEGIN");
      await db.query(`INSERT INTO "VitalSigns" (id, "sessionId", at, "systolicMmHg", "diastolicMmHg", "heartRatePerMin", "spo2Pct", "respRatePerMin", "enteredById") VALUES ($1, $2, now(), 120, 80, 72, 98, 14, $3)`, [`bench${randomUUID().replace(/-/g, "")}`, sessionIds[i % sessionIds.length], nurseId]);
      await db.query("COMMIT");
      (on ? raw.on : raw.off).push(performance.now() - t);
    }
    for (let i = 0; i < HTTP_PER_BLOCK; i++) {
      const t = performance.now();
      const r = await post(A, nurse, `/api/sessions/${sessionIds[i % sessionIds.length]}/vitals`, vitals(i));
      if (r.status !== 201) throw new Error(`vitals answered ${r.status}`);
      (on ? http.on : http.off).push(performance.now() - t);
    }
  }
  await setTriggers(db, true);
  const summarize = (x: { on: number[]; off: number[] }) => {
    const on = stats(x.on); const off = stats(x.off);
    return { withTriggers: on, without: off, p50Ratio: round(on.p50Ms / off.p50Ms, 3), meanOnMs: round(x.on.reduce((a, b) => a + b, 0) / x.on.length, 3), meanOffMs: round(x.off.reduce((a, b) => a + b, 0) / x.off.length, 3) };
  };
  return { blocks: BLOCKS, rawSql: summarize(raw), httpPath: summarize(http) };
}

async function main() {
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  const [nurse, physicianA, physicianB] = await Promise.all([login(A, "nurse@demo.clinic"), login(A, "physician@demo.clinic"), login(B, "physician@demo.clinic")]);
  const load = () => os.loadavg().map((x) => round(x, 2));
  const loadBefore = load();
  console.log(`preparing ${CHAIRS} running sessions…`);
  const sessionIds = await startSessions({
    base: A, nurse, physician: physicianA, admin: await login(A, "admin@demo.clinic"), count: CHAIRS,
    protocol: /^IV infusion \(routes table\)$/, mrnPrefix: "BENCH-EV", startInfusion: true,
  });
  console.log(`latency: ${CHAIRS} chairs every ${PERIOD_MS / 1000} s for ${DURATION_MS / 1000} s…`);
  const lat = await latency(nurse, physicianA, physicianB, sessionIds);
  console.log(JSON.stringify(lat));
  console.log(`memory of ${STREAMS} streams on B…`);
  const mem = await memory(physicianB);
  console.log(JSON.stringify(mem));
  console.log("trigger cost (ABAB)…");
  const trig = await triggerCost(db, nurse, sessionIds);
  console.log(JSON.stringify(trig));
  await db.end();
  const result = { machine: machine(), loadBefore, loadAfter: load(), chairs: CHAIRS, periodMs: PERIOD_MS, durationMs: DURATION_MS, latency: lat, memory: mem, triggerCost: trig };
  mkdirSync("bench/out", { recursive: true });
  writeFileSync("bench/out/events.json", JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result, null, 2));
}

main().catch((err) => { console.error(err); process.exit(1); });
