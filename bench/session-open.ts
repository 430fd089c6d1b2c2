/**
 * Benchmark (decision 0007): a 5-day continuous session (CRPS multi-day protocol) with vitals every
 * 15 minutes (~480) and ~50 rate changes must open in under 1 s with smooth charts.
 * Measures, against the served app (BENCH_BASE_URL on BENCH_DATABASE_URL):
 *  - server time of GET /api/sessions/{id} and of the session page HTML (median, p95 of 20),
 *  - in Chromium: navigation start -> titration and vitals charts drawn, the SVG points
 *    drawn, and long tasks (> 50 ms main-thread blocks) during load,
 *  - the same for an empty authenticated page (/protocols) as the in-run baseline.
 */
import { writeFileSync, mkdirSync } from "node:fs";
import { chromium } from "@playwright/test";
import { BASE, login, machine, percentile, round } from "./lib";

const dbUrl = process.env.BENCH_DATABASE_URL;
if (!dbUrl) throw new Error("BENCH_DATABASE_URL is required");
process.env.DATABASE_URL = dbUrl;

const MIN = 60_000;

async function buildLongSession(): Promise<string> {
  const { db } = await import("@/lib/server/db");
  const { actorFor, createPatient } = await import("@/prisma/seed/factories");
  const { orderSeries } = await import("@/lib/server/series");
  const { startSession, chartDoseEvent, chartVitals, recordPain } = await import("@/lib/server/sessions");
  const clinic = await db.clinic.findFirstOrThrow({ where: { name: "Demo Pain Clinic" } });
  const nurse = actorFor(await db.user.findUniqueOrThrow({ where: { email: "nurse@demo.clinic" } }));
  const physician = actorFor(await db.user.findUniqueOrThrow({ where: { email: "physician@demo.clinic" } }));
  const version = await db.protocolVersion.findFirstOrThrow({ where: { protocol: { clinicId: clinic.id, name: { contains: "multi-day" } } } });
  const patient = await createPatient(db, { clinicId: clinic.id, mrn: `BENCH-5D-${Date.now()}`, givenName: "Five", familyName: "Day", birthDate: "1975-05-05", weightKg: 72 });
  const opened = new Date(Date.now() - 5 * 24 * 60 * MIN - 30 * MIN);
  const { series } = await db.$transaction((tx) => orderSeries(tx, { actor: physician, patientId: patient.id, input: { protocolVersionId: version.id, plannedSessions: 1, startDate: opened.toISOString().slice(0, 10) } }));
  const { session } = await db.$transaction((tx) => startSession(tx, { actor: nurse, seriesId: series.id, now: opened, input: { weightKg: 72, concentrationMgPerMl: 2, consentConfirmed: true, screeningReviewed: true } }));
  const at = (min: number) => new Date(opened.getTime() + min * MIN);
  await db.$transaction((tx) => recordPain(tx, { actor: nurse, sessionId: session.id, now: at(1), input: { at: at(1).toISOString(), score: 8, scale: "NRS", phase: "PRE" } }));
  // 50 rate changes over 5 days: start 0.1, up in 0.05 steps to 0.6, then oscillate 0.5-0.6
  let rate = 0.1;
  const events: { min: number; run: () => Promise<unknown> }[] = [];
  for (let k = 0; k < 50; k++) {
    const min = 5 + k * 140;
    const type = k === 0 ? "START" : "RATE_CHANGE";
    const r = round(k === 0 ? 0.1 : k <= 10 ? rate + 0.05 : k % 2 ? 0.6 : 0.5, 3);
    rate = r;
    events.push({ min, run: () => db.$transaction((tx) => chartDoseEvent(tx, { actor: nurse, sessionId: session.id, now: at(min + 1), input: { type, at: at(min).toISOString(), rateMgPerKgPerH: r, reason: "titration per protocol" } })) });
  }
  for (let v = 0; v < 480; v++) {
    const min = 3 + v * 15;
    events.push({ min, run: () => db.$transaction((tx) => chartVitals(tx, { actor: nurse, sessionId: session.id, now: at(min + 1), input: {
      at: at(min).toISOString(), systolicMmHg: 120 + (v % 17), diastolicMmHg: 75 + (v % 9), heartRatePerMin: 70 + (v % 13), spo2Pct: 96 + (v % 4), respRatePerMin: 12 + (v % 5) } })) });
  }
  events.sort((a, b) => a.min - b.min);
  for (const e of events) await e.run();
  await db.$disconnect();
  return session.id;
}

async function serverTimes(cookie: string, path: string, n = 20) {
  const ms: number[] = [];
  for (let i = 0; i < n + 3; i++) {
    const t0 = performance.now();
    const res = await fetch(`${BASE}${path}`, { headers: { cookie } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
    if (i >= 3) ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { medianMs: round(percentile(ms, 50), 1), p95Ms: round(percentile(ms, 95), 1) };
}

async function browserOpen(cookie: string, path: string, waitFor: string[]) {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-dev-shm-usage"] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const url = new URL(BASE);
  await context.addCookies(cookie.split("; ").map((c) => { const i = c.indexOf("="); return { name: c.slice(0, i), value: c.slice(i + 1), domain: url.hostname, path: "/" }; }));
  const page = await context.newPage();
  await page.addInitScript(() => {
    (window as unknown as { __long: number[] }).__long = [];
    new PerformanceObserver((l) => l.getEntries().forEach((e) => (window as unknown as { __long: number[] }).__long.push(e.duration))).observe({ type: "longtask", buffered: true });
  });
  const runs: number[] = [];
  let longTasks: number[] = [];
  let svgPoints = 0;
  for (let i = 0; i < 6; i++) {
    const t0 = Date.now();
    await page.goto(`${BASE}${path}`);
    for (const sel of waitFor) await page.locator(sel).first().waitFor({ state: "visible", timeout: 15_000 });
    if (i > 0) runs.push(Date.now() - t0);
    longTasks = await page.evaluate(() => (window as unknown as { __long: number[] }).__long);
    svgPoints = await page.evaluate(() => document.querySelectorAll(".recharts-wrapper path, .recharts-wrapper circle").length);
  }
  await browser.close();
  runs.sort((a, b) => a - b);
  return { medianMs: percentile(runs, 50), maxMs: runs.at(-1)!, longTasksMs: longTasks.map((d) => round(d, 0)), svgElements: svgPoints };
}

async function main() {
  const sessionId = await buildLongSession();
  const cookie = await login("nurse@demo.clinic");
  const api = await serverTimes(cookie, `/api/sessions/${sessionId}`);
  const page = await serverTimes(cookie, `/sessions/${sessionId}`);
  const emptyPage = await serverTimes(cookie, "/protocols");
  const browser = await browserOpen(cookie, `/sessions/${sessionId}`, ['[data-testid="titration-chart"] svg', '[data-testid="vitals-chart"] svg']);
  const browserEmpty = await browserOpen(cookie, "/protocols", ["table"]);
  const result = { machine: machine(), sessionId, api, page, emptyPage, browser, browserEmpty };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync("bench/out", { recursive: true });
  writeFileSync("bench/out/session-open.json", JSON.stringify(result, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
