/**
 * No lost writes (docs/SECURITY.md): the built app on its own port and its own fresh database; 16
 * clients chart vitals with unique Idempotency-Keys; the server is SIGKILLed mid-stream and
 * restarted; each client retries what was not acknowledged with the same key. Then, in the
 * database: every acknowledged (2xx) write is present, no key produced two rows, the audit
 * chain, once the restarted server's sealer has sealed every row, verifies, and every signed
 * anchor it wrote across the kill is still in the chain (decision 0018). Also: two nurses charting one session at once lose nothing, and two
 * completes/signs with the same rowVersion give one 201 and one 409.
 *
 * Run by scripts/test-all.sh after the build (`npx tsx scripts/crash-test.ts`). Needs
 * PostgreSQL at TEST_PG_URL and a built .next/. Writes test-results/crash-test.json.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { loadPublicKey, readAnchorFile } from "../lib/server/audit-seal/anchors";

const root = path.resolve(__dirname, "..");
const PG_SERVER = process.env.TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const PORT = Number(process.env.CRASH_PORT ?? 3190);
const BASE = `http://127.0.0.1:${PORT}`;
const CLIENTS = Number(process.env.CRASH_CLIENTS ?? 16);
const WRITES_PER_CLIENT = Number(process.env.CRASH_WRITES ?? 25);
const DB_NAME = `titrate_crash_${process.pid}_${Date.now()}`;
const dbUrl = (() => { const u = new URL(PG_SERVER); u.pathname = `/${DB_NAME}`; return u.toString(); })();
const SECRET = `crash-${process.pid}-${Math.random()}`;
// The server's audit sealer anchors into a directory of this run, with a key generated there (decision 0018).
const ANCHOR_DIR = mkdtempSync(path.join(tmpdir(), "titrate-crash-anchors-"));

const log = (...a: unknown[]) => console.log("[crash-test]", ...a);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: ChildProcess | null = null;

function startServer(): ChildProcess {
  // detached: the child leads its own process group, so a SIGKILL to -pid reaches next-server
  // itself (`next start` forks the real server) and nothing survives to finish a write.
  const child = spawn(path.join(root, "node_modules/.bin/next"), ["start", "-p", String(PORT), "-H", "127.0.0.1"], {
    cwd: root, detached: true, stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env, DATABASE_URL: dbUrl, NEXTAUTH_SECRET: SECRET, NEXTAUTH_URL: BASE, NEXT_TELEMETRY_DISABLED: "1",
      TITRATE_SEALER: "on", TITRATE_ANCHORS: "on", TITRATE_ANCHOR_DIR: ANCHOR_DIR, TITRATE_ANCHOR_GENERATED_KEY: path.join(ANCHOR_DIR, "signing-key.pem"),
    },
  });
  return child;
}

async function waitUp() {
  for (let i = 0; i < 120; i++) {
    try { if ((await fetch(`${BASE}/login`)).ok) return; } catch { /* not yet */ }
    await sleep(250);
  }
  throw new Error("server did not come up");
}

function killServer(sig: NodeJS.Signals = "SIGKILL") {
  if (server?.pid) { try { process.kill(-server.pid, sig); } catch { /* gone */ } }
  server = null;
}

/** A cookie-jar client signed in the way a bedside device does. */
async function signIn(email: string): Promise<string> {
  const csrfRes = await fetch(`${BASE}/api/auth/csrf`);
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) { const [kv] = c.split(";"); const i = kv!.indexOf("="); jar.set(kv!.slice(0, i), kv!.slice(i + 1)); }
  };
  keep(csrfRes);
  const { csrfToken } = await csrfRes.json();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const res = await fetch(`${BASE}/api/auth/callback/credentials`, {
    method: "POST", redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie() },
    body: new URLSearchParams({ csrfToken, email, password: "titrate-demo", json: "true" }),
  });
  keep(res);
  if (![...jar.keys()].some((k) => k.includes("session-token"))) throw new Error(`sign-in failed for ${email}`);
  return cookie();
}

async function post(cookie: string, url: string, body: unknown, key?: string) {
  const res = await fetch(`${BASE}${url}`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, ...(key ? { "idempotency-key": key } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

async function main() {
  const admin = new pg.Client({ connectionString: PG_SERVER });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${DB_NAME}"`);
  await admin.end();
  const db = new pg.Client({ connectionString: dbUrl });
  const env = { ...process.env, DATABASE_URL: dbUrl };
  try {
    execFileSync("npx", ["prisma", "migrate", "deploy"], { cwd: root, env, stdio: "pipe" });
    execFileSync("npx", ["tsx", "--conditions=react-server", "prisma/seed.ts"], { cwd: root, env, stdio: "pipe" });
    await db.connect();

    server = startServer();
    await waitUp();
    const nurse = await signIn("nurse@demo.clinic");
    const physician = await signIn("physician@demo.clinic");
    // A session of our own: the seeded ready series of the Demo clinic.
    // Today's weight is the patient's last one: the start refuses a change above 10% without a reason.
    const ready = (await db.query<{ id: string; weightG: number | null }>(`
      SELECT s.id, p."weightG" FROM "Series" s JOIN "Clinic" c ON c.id = s."clinicId" JOIN "Patient" p ON p.id = s."patientId"
       WHERE c.name = 'Demo Pain Clinic' AND s.status = 'ACTIVE'
         AND NOT EXISTS (SELECT 1 FROM "InfusionSession" i WHERE i."seriesId" = s.id AND i.status = 'IN_PROGRESS') LIMIT 1`)).rows[0];
    if (!ready) throw new Error("no ready series in the seed");
    // the demo clinic uses chairs (docs/decisions/0013-chairs-and-the-board.md): a chair of our own
    const chair = await post(await signIn("admin@demo.clinic"), "/api/admin/chairs", { name: `Crash chair ${DB_NAME}`.slice(0, 40) });
    if (chair.status !== 201) throw new Error(`chair: ${chair.status} ${JSON.stringify(chair.body)}`);
    const started = await post(nurse, `/api/series/${ready.id}/sessions`, { weightKg: (ready.weightG ?? 70_000) / 1000, concentrationMgPerMl: 1, consentConfirmed: true, screeningReviewed: true, chairId: chair.body.chair.id });
    if (started.status !== 201) throw new Error(`start: ${started.status} ${JSON.stringify(started.body)}`);
    const sessionId = started.body.session.id as string;

    // ---- 1. SIGKILL mid-stream ----
    type Write = { key: string; body: unknown; acked: boolean; status: number | null };
    await sleep(1000);
    const chartedAt = new Date().toISOString(); // after the session opened; the same in every retry
    const writes: Write[][] = Array.from({ length: CLIENTS }, (_, c) => Array.from({ length: WRITES_PER_CLIENT }, (_, i) => ({
      key: `crash-${c}-${i}-${DB_NAME}`.slice(0, 128),
      // heart rate encodes (client, write) so every row is identifiable: 40 + c, resp rate = i
      body: { at: chartedAt, systolicMmHg: 120, diastolicMmHg: 80, heartRatePerMin: 40 + c, spo2Pct: 97, respRatePerMin: i % 60, reason: `crash ${c}/${i}` },
      acked: false, status: null,
    })));
    let killedAt = 0;
    // kill once about 40% of the writes are acknowledged: mid-stream, many in flight
    const target = Math.floor(CLIENTS * WRITES_PER_CLIENT * 0.4);
    let sent = 0;
    let acked = 0;
    const killer = (async () => {
      while (acked < target && sent < CLIENTS * WRITES_PER_CLIENT) await sleep(2);
      killServer("SIGKILL");
      killedAt = Date.now();
    })();
    await Promise.all(writes.map(async (mine) => {
      for (const w of mine) {
        sent++;
        try {
          const r = await post(nurse, `/api/sessions/${sessionId}/vitals`, w.body, w.key);
          w.status = r.status;
          w.acked = r.status >= 200 && r.status < 300;
          if (w.acked) acked++;
          else if (r.status !== 0) throw new Error(`write ${w.key}: ${r.status} ${JSON.stringify(r.body)}`);
        } catch (err) {
          if (err instanceof Error && err.message.startsWith("write ")) throw err;
          w.status = null; // connection refused/reset: unacknowledged
        }
      }
    }));
    await killer;
    const ackedBeforeKill = writes.flat().filter((w) => w.acked).length;
    const unacked = writes.flat().filter((w) => !w.acked);
    log(`killed the server after ${sent} sends; acknowledged before the kill: ${ackedBeforeKill}; unacknowledged: ${unacked.length}`);

    // ---- restart, retry what was not acknowledged (and, as a device might, some that were) ----
    server = startServer();
    await waitUp();
    const nurse2 = await signIn("nurse@demo.clinic").catch(async () => { await sleep(1000); return signIn("nurse@demo.clinic"); });
    const retried = [...unacked, ...writes.flat().filter((w) => w.acked).slice(0, 20)];
    let replays = 0;
    await Promise.all(Array.from({ length: 8 }, async (_, k) => {
      for (let i = k; i < retried.length; i += 8) {
        const w = retried[i]!;
        const r = await post(nurse2, `/api/sessions/${sessionId}/vitals`, w.body, w.key);
        if (r.status === 201) w.acked = true; else throw new Error(`retry ${w.key}: ${r.status} ${JSON.stringify(r.body)}`);
        replays++;
      }
    }));

    // ---- verify in the database ----
    const rows = (await db.query<{ hr: number; rr: number; n: number }>(
      `SELECT "heartRatePerMin" AS hr, "respRatePerMin" AS rr, count(*)::int AS n FROM "VitalSigns" WHERE "sessionId" = $1 GROUP BY 1, 2`, [sessionId])).rows;
    const count = new Map(rows.map((r) => [`${r.hr - 40}/${r.rr}`, r.n]));
    let ackedPresent = 0;
    let ackedMissing = 0;
    let duplicates = 0;
    writes.forEach((mine, c) => mine.forEach((w, i) => {
      const n = count.get(`${c}/${i % 60}`) ?? 0;
      if (n > 1) duplicates += n - 1;
      if (w.acked) { if (n >= 1) ackedPresent++; else ackedMissing++; }
    }));
    const keys = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "IdempotencyRecord" WHERE key LIKE 'crash-%'`)).rows[0]!.n;
    // The sealer (restarted with the server) links every row within about a second; SIGKILL mid-seal
    // rolled that seal back whole. Wait for it, then verify the sealed chain.
    const sealStart = Date.now();
    let unsealed = -1;
    while (Date.now() - sealStart < 20_000) {
      unsealed = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "AuditEvent" WHERE "seq" IS NULL`)).rows[0]!.n;
      if (unsealed === 0) break;
      await sleep(200);
    }
    const sealWaitMs = Date.now() - sealStart;
    const chain = (await db.query<{ broken: number; checked: number }>(`
      WITH chain AS (
        SELECT "seq", "prevHash", "hash", row_number() OVER w AS expected_seq, lag("hash") OVER w AS previous_hash,
               audit_event_hash("seq", "prevHash", "clinicId", "actorId", "action", "entityType", "entityId", "at", "before", "after") AS recomputed
          FROM "AuditEvent" WHERE "seq" IS NOT NULL WINDOW w AS (PARTITION BY "clinicId" ORDER BY "seq"))
      SELECT count(*) FILTER (WHERE "seq" <> expected_seq OR "prevHash" <> coalesce(previous_hash, repeat('0', 64)) OR "hash" <> recomputed)::int AS broken,
             count(*)::int AS checked FROM chain`)).rows[0]!;
    // every anchor the sealer wrote (across the kill) is signed, linked, and still in the chain
    const anchors = readAnchorFile(path.join(ANCHOR_DIR, "audit-anchors.jsonl"), loadPublicKey(path.join(ANCHOR_DIR, "anchor-public-key.pem")));
    const anchorsMissing = anchors.anchors.length === 0 ? 0 : (await db.query<{ n: number }>(`
      SELECT count(*)::int AS n FROM unnest($1::text[], $2::bigint[], $3::text[]) AS a(clinic, seq, hash)
       WHERE NOT EXISTS (SELECT 1 FROM "AuditEvent" e WHERE e."clinicId" IS NOT DISTINCT FROM a.clinic AND e."seq" = a.seq AND e."hash" = a.hash)`,
    [anchors.anchors.map((a) => a.clinicId), anchors.anchors.map((a) => a.seq), anchors.anchors.map((a) => a.hash)])).rows[0]!.n;
    const auditForVitals = (await db.query<{ n: number }>(`
      SELECT count(*)::int AS n FROM "VitalSigns" v WHERE v."sessionId" = $1
         AND NOT EXISTS (SELECT 1 FROM "AuditEvent" a WHERE a."entityId" = v.id)`, [sessionId])).rows[0]!.n;

    // ---- 2. two users at once on one session ----
    const physician2 = physician;
    const [a, b] = await Promise.all([
      post(nurse2, `/api/sessions/${sessionId}/pain`, { at: new Date().toISOString(), score: 5, scale: "NRS", phase: "INTRA" }),
      post(physician2, `/api/sessions/${sessionId}/pain`, { at: new Date().toISOString(), score: 6, scale: "NRS", phase: "INTRA" }),
    ]);
    const painRows = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "PainScore" WHERE "sessionId" = $1 AND phase = 'INTRA' AND score IN (5, 6)`, [sessionId])).rows[0]!.n;
    // finish the infusion so it may be completed, then race two completes on the same rowVersion
    await post(nurse2, `/api/sessions/${sessionId}/dose-events`, { type: "START", at: new Date(Date.now() - 30 * 60_000).toISOString(), rateMgPerKgPerH: 0.2, backTimeReason: "crash test: charted late" });
    await post(nurse2, `/api/sessions/${sessionId}/dose-events`, { type: "STOP", at: new Date().toISOString() });
    await post(nurse2, `/api/sessions/${sessionId}/pain`, { at: new Date().toISOString(), score: 3, scale: "NRS", phase: "POST" });
    const rv = (await db.query<{ v: number }>(`SELECT "rowVersion" AS v FROM "InfusionSession" WHERE id = $1`, [sessionId])).rows[0]!.v;
    const completes = await Promise.all([
      post(nurse2, `/api/sessions/${sessionId}/complete`, { dischargeReady: true, rowVersion: rv }),
      post(physician2, `/api/sessions/${sessionId}/complete`, { dischargeReady: true, rowVersion: rv }),
    ]);
    // acknowledge whatever HARD flags block signing, then race two signatures
    const openHard = (await db.query<{ id: string }>(`SELECT id FROM "Flag" WHERE "sessionId" = $1 AND "acknowledgedAt" IS NULL`, [sessionId])).rows.map((r) => r.id);
    if (openHard.length) await post(physician2, `/api/flags/acknowledge`, { flagIds: openHard, reason: "crash test review" });
    const rv2 = (await db.query<{ v: number }>(`SELECT "rowVersion" AS v FROM "InfusionSession" WHERE id = $1`, [sessionId])).rows[0]!.v;
    const signs = await Promise.all([
      post(nurse2, `/api/sessions/${sessionId}/sign`, { rowVersion: rv2 }),
      post(physician2, `/api/sessions/${sessionId}/sign`, { rowVersion: rv2 }),
    ]);
    const statusesOf = (rs: { status: number }[]) => rs.map((r) => r.status).sort();

    const result = {
      generatedAt: new Date().toISOString(),
      clients: CLIENTS, writesPerClient: WRITES_PER_CLIENT, sentBeforeKill: sent, killedAfterMs: killedAt ? Date.now() - killedAt : null,
      acknowledgedBeforeKill: ackedBeforeKill, unacknowledgedBeforeKill: unacked.length, retriedAfterRestart: replays,
      acknowledgedTotal: writes.flat().filter((w) => w.acked).length, acknowledgedPresent: ackedPresent, acknowledgedMissing: ackedMissing,
      duplicates, idempotencyRecords: keys, vitalsWithoutAudit: auditForVitals, auditChecked: chain.checked, auditBroken: chain.broken,
      auditUnsealedAfterWait: unsealed, sealWaitMs, anchors: anchors.anchors.length, anchorProblems: anchors.problems, anchorsNotInChain: anchorsMissing,
      concurrentCharting: { statuses: [a.status, b.status], rowsPresent: painRows },
      concurrentComplete: statusesOf(completes), concurrentSign: statusesOf(signs),
    };
    mkdirSync(path.join(root, "test-results"), { recursive: true });
    writeFileSync(path.join(root, "test-results", "crash-test.json"), JSON.stringify(result, null, 2));
    log(`acknowledged ${result.acknowledgedTotal} (before kill ${ackedBeforeKill}), present after restart ${ackedPresent}, missing ${ackedMissing}, ` +
      `duplicates ${duplicates}, audit chain ${chain.checked} sealed events / ${chain.broken} broken / ${unsealed} unsealed after ${sealWaitMs} ms, ` +
      `${anchors.anchors.length} anchors (${anchors.problems.length} problems, ${anchorsMissing} not in the chain); two nurses charting: ${a.status}/${b.status} -> ${painRows} rows; ` +
      `complete race ${result.concurrentComplete.join("/")}; sign race ${result.concurrentSign.join("/")}`);

    const problems: string[] = [];
    if (ackedBeforeKill === 0 || unacked.length === 0) problems.push("the kill did not land mid-stream");
    if (ackedMissing > 0) problems.push(`${ackedMissing} acknowledged writes missing`);
    if (duplicates > 0) problems.push(`${duplicates} duplicate rows`);
    if (ackedPresent !== CLIENTS * WRITES_PER_CLIENT) problems.push(`expected ${CLIENTS * WRITES_PER_CLIENT} rows present, got ${ackedPresent}`);
    if (chain.broken > 0) problems.push(`audit chain broken at ${chain.broken} rows`);
    if (unsealed !== 0) problems.push(`${unsealed} audit rows still unsealed after ${sealWaitMs} ms`);
    if (anchors.anchors.length === 0) problems.push("the sealer wrote no anchors");
    if (anchors.problems.length > 0 || anchorsMissing > 0) problems.push(`anchors: ${anchors.problems.join("; ")}${anchorsMissing} not in the chain`);
    if (auditForVitals > 0) problems.push(`${auditForVitals} vitals without an audit row`);
    if (a.status !== 201 || b.status !== 201 || painRows !== 2) problems.push("concurrent charting lost a row");
    if (result.concurrentComplete.join() !== "201,409") problems.push(`complete race: ${result.concurrentComplete.join()}`);
    if (result.concurrentSign.join() !== "201,409") problems.push(`sign race: ${result.concurrentSign.join()}`);
    if (problems.length) { console.error("[crash-test] FAILED:", problems.join("; ")); process.exitCode = 1; }
    else log("OK");
  } finally {
    killServer("SIGKILL");
    await db.end().catch(() => undefined);
    const c = new pg.Client({ connectionString: PG_SERVER });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`);
    await c.end();
  }
}

main().catch((err) => { console.error("[crash-test]", err); killServer("SIGKILL"); process.exit(1); });
