/**
 * The README's demo command on the embedded database (PGlite), checked like a first visitor
 * would use it: `npm run demo` without DATABASE_URL, on a throwaway data directory and the
 * build `npm test` just made, then sign-in, a patient, the series review page, the summary
 * API three times in a row (PGlite is one session behind its socket: state a connection
 * leaves behind, such as a prepared statement, breaks the next one), a CSV export and the
 * chair board with its two running sessions.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const PORT = Number(process.env.DEMO_SMOKE_PORT ?? 3290);
const BASE = `http://127.0.0.1:${PORT}`;
const dataDir = mkdtempSync(path.join(os.tmpdir(), "titrate-demo-smoke-"));

function fail(msg: string): never {
  throw new Error(`demo smoke: ${msg}`);
}

async function waitUp(timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${BASE}/login`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  fail(`the demo did not answer on ${BASE} within ${timeoutMs / 1000} s`);
}

async function main() {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(PORT), EMBEDDED_DB_PORT: String(PORT + 2200), TITRATE_DATA_DIR: dataDir, NEXTAUTH_URL: BASE };
  delete env.DATABASE_URL;
  delete env.NEXTAUTH_SECRET;
  const demo = spawn("npx", ["tsx", "scripts/demo.ts", "--no-build"], { env, stdio: "inherit", detached: true });
  try {
    await waitUp(180_000);
    process.env.BENCH_BASE_URL = BASE;
    const { login } = await import("../bench/lib");
    const cookie = await login("physician@demo.clinic");
    const get = (p: string) => fetch(`${BASE}${p}`, { headers: { cookie } });
    const found = (await (await fetch(`${BASE}/api/patients/search`, {
      method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify({ q: "Alvarez" }),
    })).json()) as { patients: { id: string }[] };
    const patientId = found.patients[0]?.id ?? fail("the seeded patient Maria Alvarez was not found");
    const patient = (await (await get(`/api/patients/${patientId}`)).json()) as { patient: { series: { id: string; status: string }[] } };
    const active = patient.patient.series.find((s) => s.status === "ACTIVE") ?? fail("no active series for the seeded patient");
    if (!patient.patient.series.some((s) => s.status === "COMPLETED")) fail("the seeded earlier (completed) course is missing");
    let summary: { rows: { durabilityDays: number | null; followUps: { reportedBy: string }[] }[] } | null = null;
    for (let i = 1; i <= 3; i++) {
      const r = await get(`/api/series/${active.id}/summary`);
      if (r.status !== 200) fail(`GET /api/series/{id}/summary answered ${r.status} on call ${i}`);
      summary = (await r.json()) as typeof summary;
    }
    // the seeded check-ins make the durability chart patient-reported on first run
    const patientReported = summary!.rows.filter((row) => row.followUps.some((f) => f.reportedBy === "PATIENT"));
    if (patientReported.length < 3) fail(`only ${patientReported.length} session(s) of the active series carry patient-reported follow-ups`);
    if (!patientReported.some((row) => row.durabilityDays !== null)) fail("no session's durability comes from the patient's check-ins");
    const page = await get(`/series/${active.id}`);
    if (page.status !== 200) fail(`the series review page answered ${page.status}`);
    // the seeded sessions span the last ~14 months (an export may span at most ~3 years)
    const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
    const csv = await get(`/api/exports/sessions?format=csv&from=${day(730)}&to=${day(-1)}&status=all`);
    const text = await csv.text();
    const lines = text.trim().split("\n").length;
    if (csv.status !== 200 || lines < 2) fail(`the CSV export answered ${csv.status} with ${lines} line(s): ${text.slice(0, 300)}`);
    // the chair board is alive on first run: two infusions running in chairs, one flag at least
    const board = await get("/api/board");
    if (board.status !== 200) fail(`GET /api/board answered ${board.status}`);
    const tiles = ((await board.json()) as { tiles: { chair: { name: string } | null; session: unknown; clinical: { openFlags: unknown[] } | null }[] }).tiles;
    const running = tiles.filter((t) => t.session !== null);
    if (running.length !== 2 || running.some((t) => t.chair === null)) fail(`the board shows ${running.length} running tile(s), expected 2 in chairs`);
    if (!running.some((t) => (t.clinical?.openFlags.length ?? 0) > 0)) fail("no running tile shows an open flag");
    // the physician's worklist names the patient who missed check-ins
    // (React separates adjacent text in server HTML with empty comments)
    const home = (await (await get("/")).text()).replaceAll("<!-- -->", "");
    if (!/missed \d+ check-in/.test(home)) fail("the physician's home shows no missed check-ins line");
    const boardPage = await get("/board");
    if (boardPage.status !== 200) fail(`the board page answered ${boardPage.status}`);
    console.log(`demo smoke: embedded database, sign-in, review page, summary API x3 (${patientReported.length} sessions with patient-reported follow-ups), the missed check-ins line, a ${lines - 1}-row CSV export and the chair board (2 running) all answered`);
  } finally {
    try {
      process.kill(-demo.pid!, "SIGTERM");
    } catch {
      // already gone
    }
    await new Promise((r) => setTimeout(r, 1500));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
