/**
 * Benchmark (decision 0013): the chair board of a busy suite. 40 chairs of the Demo clinic each
 * hold a running session (opened 2 h ago, START and two rate changes, vitals every 15 min, a
 * soft flag on every fifth), built with createMany straight into the tables (this measures
 * reading). While measuring, a background loop charts a vitals set on each of the 40 sessions
 * every 15 s through the real API (40 writes per 15 s), as a full suite would.
 * Measures, against the served app (BENCH_BASE_URL on BENCH_DATABASE_URL), in the same run:
 *  - server time of GET /api/board and of the /board page vs an empty authenticated page
 *    (/protocols), requested in turn (round-robin) so that drifting load hits them alike;
 *    target: board within 2 × the empty page;
 *  - first-load JavaScript of /board and of a session chart in Chromium: the sum of the
 *    encoded (gzip) body sizes of every script response; budget 250 kB each.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { chromium } from "@playwright/test";
import { BASE, login, machine, post, round, roundRobinTimes } from "./lib";

const dbUrl = process.env.BENCH_DATABASE_URL;
if (!dbUrl) throw new Error("BENCH_DATABASE_URL is required");
process.env.DATABASE_URL = dbUrl;

const MIN = 60_000;
const CHAIRS = 40;
const VITALS_EVERY_MS = 15_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const JS_BUDGET_BYTES = 250_000; // 250 kB

async function buildSuite(): Promise<{ sessionIds: string[] }> {
  const { db } = await import("@/lib/server/db");
  const clinic = await db.clinic.findFirstOrThrow({ where: { name: "Demo Pain Clinic" } });
  const nurse = await db.user.findUniqueOrThrow({ where: { email: "nurse@demo.clinic" } });
  const physician = await db.user.findUniqueOrThrow({ where: { email: "physician@demo.clinic" } });
  const version = await db.protocolVersion.findFirstOrThrow({ where: { protocol: { clinicId: clinic.id, name: { startsWith: "Chronic neuropathic pain" } } } });
  const tag = Date.now().toString(36);
  const opened = new Date(Date.now() - 120 * MIN);
  const at = (m: number) => new Date(opened.getTime() + m * MIN);
  const C: object[] = [], Pt: object[] = [], Se: object[] = [], S: object[] = [], D: object[] = [], V: object[] = [], F: object[] = [];
  const sessionIds: string[] = [];
  for (let i = 0; i < CHAIRS; i++) {
    const id = `bench-board-${tag}-${i}`;
    C.push({ id: `${id}-c`, clinicId: clinic.id, name: `Bench chair ${tag} ${i + 1}`, sortOrder: 100 + i });
    Pt.push({ id: `${id}-p`, clinicId: clinic.id, mrn: `BB-${tag}-${i}`, givenName: "Board", familyName: `Bench ${i}`, birthDate: new Date("1975-01-01"), sex: "UNKNOWN", weightG: 70_000, allergies: i % 3 === 0 ? "Latex" : "None known", consentOnFile: true });
    Se.push({ id: `${id}-s`, clinicId: clinic.id, patientId: `${id}-p`, protocolVersionId: version.id, orderingPhysicianId: physician.id, plannedSessions: 5, startDate: new Date(opened.toISOString().slice(0, 10)), status: "ACTIVE" });
    S.push({ id, clinicId: clinic.id, seriesId: `${id}-s`, sequence: 1, weightG: 70_000, concentrationUgPerMl: 1000, status: "IN_PROGRESS", consentConfirmed: true, screeningReviewed: true, openedAt: opened, enteredAt: opened, nurseId: nurse.id, chairId: `${id}-c` });
    [[3, "START", 100], [33, "RATE_CHANGE", 200], [63, "RATE_CHANGE", 300]].forEach(([m, type, rate]) =>
      D.push({ sessionId: id, type, at: at(m as number), rateUgPerKgPerH: rate, enteredById: nurse.id, enteredAt: at(m as number) }));
    for (let m = 1; m <= 118; m += 15)
      V.push({ sessionId: id, at: at(m), systolicMmHg: 120 + (m % 17), diastolicMmHg: 78, heartRatePerMin: 72, spo2Pct: 98, respRatePerMin: 14, isBaseline: m === 1, enteredById: nurse.id, enteredAt: at(m) });
    if (i % 5 === 0)
      F.push({ clinicId: clinic.id, seriesId: `${id}-s`, sessionId: id, code: "SBP_HIGH", severity: "SOFT", valueText: "172 mmHg", limitText: "> 160 mmHg", message: "Systolic above 160 mmHg.", sourceType: "VitalSigns", raisedById: nurse.id, raisedAt: at(91) });
    sessionIds.push(id);
  }
  await db.chair.createMany({ data: C as never });
  await db.patient.createMany({ data: Pt as never });
  await db.series.createMany({ data: Se as never });
  await db.infusionSession.createMany({ data: S as never });
  await db.doseEvent.createMany({ data: D as never });
  await db.vitalSigns.createMany({ data: V as never });
  await db.flag.createMany({ data: F as never });
  await db.$disconnect();
  return { sessionIds };
}

/** Vitals on every session every 15 s, spread evenly, through POST /api/sessions/{id}/vitals. */
function chartVitalsInBackground(cookie: string, sessionIds: string[]) {
  let stopped = false;
  let writes = 0;
  let failures = 0;
  const spacingMs = VITALS_EVERY_MS / sessionIds.length;
  const loop = (async () => {
    for (let k = 0; !stopped; k++) {
      const id = sessionIds[k % sessionIds.length]!;
      const t0 = performance.now();
      const res = await post(cookie, `/api/sessions/${id}/vitals`, { at: new Date().toISOString(), systolicMmHg: 118 + (k % 9), diastolicMmHg: 76, heartRatePerMin: 74, spo2Pct: 98, respRatePerMin: 14 });
      if (res.status === 201) writes += 1;
      else failures += 1;
      await new Promise((r) => setTimeout(r, Math.max(0, spacingMs - (performance.now() - t0))));
    }
  })();
  return { stop: async () => { stopped = true; await loop; return { writes, failures }; } };
}

/**
 * The first load of a page in a fresh Chromium context: every script response's encoded body
 * size, split into the page's own scripts (named in its HTML: what must arrive before it works)
 * and the code it loads after itself (dynamic imports, e.g. the session chart's drawings,
 * decision 0022). The budget applies to the first; both are reported.
 */
async function firstLoadJs(cookie: string, paths: Record<string, string>) {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-dev-shm-usage"] });
  const url = new URL(BASE);
  const out: Record<string, { scripts: number; encodedBytes: number; lazyScripts: number; lazyEncodedBytes: number; gzipOrBr: number; withinBudget: boolean }> = {};
  try {
    for (const [name, path] of Object.entries(paths)) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addCookies(cookie.split("; ").map((c) => { const i = c.indexOf("="); return { name: c.slice(0, i), value: c.slice(i + 1), domain: url.hostname, path: "/" }; }));
      const page = await context.newPage();
      const scripts: Promise<{ path: string; bytes: number; compressed: boolean }>[] = [];
      page.on("requestfinished", (req) => {
        if (req.resourceType() !== "script") return;
        scripts.push((async () => {
          const sizes = await req.sizes();
          const encoding = (await req.response())?.headers()["content-encoding"] ?? "";
          return { path: new URL(req.url()).pathname, bytes: sizes.responseBodySize, compressed: /gzip|br/.test(encoding) };
        })());
      });
      const doc = await page.goto(`${BASE}${path}`, { waitUntil: "networkidle" });
      const html = (await doc?.text()) ?? "";
      const done = await Promise.all(scripts);
      const initial = done.filter((x) => html.includes(x.path));
      const lazy = done.filter((x) => !html.includes(x.path));
      const encodedBytes = initial.reduce((s, x) => s + x.bytes, 0);
      out[name] = {
        scripts: initial.length, encodedBytes, lazyScripts: lazy.length, lazyEncodedBytes: lazy.reduce((s, x) => s + x.bytes, 0),
        gzipOrBr: done.filter((x) => x.compressed).length, withinBudget: encodedBytes <= JS_BUDGET_BYTES,
      };
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return out;
}

async function main() {
  const { sessionIds } = await buildSuite();
  const physician = await login("physician@demo.clinic");
  const nurse = await login("nurse@demo.clinic");
  const board = await (await fetch(`${BASE}/api/board`, { headers: { cookie: physician } })).json() as { tiles: { session: unknown }[]; counts: Record<string, number> };
  if (board.counts.running! < CHAIRS) throw new Error(`the board shows ${board.counts.running} running sessions, expected at least ${CHAIRS}`);
  const load1Before = os.loadavg()[0]!;
  const writer = chartVitalsInBackground(nurse, sessionIds);
  const times = await roundRobinTimes(physician, { emptyPage: "/protocols", boardApi: "/api/board", boardPage: "/board" }, ROUNDS);
  const written = await writer.stop();
  const load1After = os.loadavg()[0]!;
  const boardBytes = (await (await fetch(`${BASE}/api/board`, { headers: { cookie: physician } })).arrayBuffer()).byteLength;
  const js = await firstLoadJs(physician, { board: "/board", sessionChart: `/sessions/${sessionIds[0]}` });
  const result = {
    machine: machine(), load1Before: round(load1Before, 2), load1After: round(load1After, 2),
    chairs: CHAIRS, runningOnBoard: board.counts.running, tiles: board.tiles.length, boardJsonBytes: boardBytes,
    backgroundVitals: { ...written, everyMsPerSession: VITALS_EVERY_MS },
    times,
    ratioBoardApiToEmpty: round(times.boardApi!.medianMs / times.emptyPage!.medianMs, 2),
    ratioBoardPageToEmpty: round(times.boardPage!.medianMs / times.emptyPage!.medianMs, 2),
    ratioBoardApiToEmptyP95: round(times.boardApi!.p95Ms / times.emptyPage!.p95Ms, 2),
    ratioBoardPageToEmptyP95: round(times.boardPage!.p95Ms / times.emptyPage!.p95Ms, 2),
    firstLoadJs: js, jsBudgetBytes: JS_BUDGET_BYTES,
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync("bench/out", { recursive: true });
  writeFileSync("bench/out/board.json", JSON.stringify(result, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
