// The vitals clock with TWO app processes on one database (docs/decisions/0011-clock-driven-flags.md):
// both run the real scheduler loop (lib/server/clock/cli.ts) with a 1 s tick against this
// run's PostgreSQL; exactly one leads. A running session whose first set falls due a few
// seconds from now gets exactly one VITALS_OVERDUE flag for that gap, stored within 60 s of
// the due time, by the clock's system actor; then the leader is killed (SIGKILL: its
// connection drops, PostgreSQL releases its advisory lock) and the other process raises the
// next gap, once. Nothing is mocked: real processes, real timers, real PostgreSQL.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR_ID } from "@/lib/server/sessions/flag-reconcile";
import { db, freshClinic } from "@/test/helpers";
import { dose, openSession, type Clinic } from "@/test/charting";

const IV = "IV infusion (routes table)";
const TICK_MS = 1000;
const ROOT = path.resolve(__dirname, "../../..");

type ClockLine = { pid: number; event: string; line?: string; raised?: number };

class ClockProcess {
  readonly lines: ClockLine[] = [];
  readonly child: ChildProcess;
  exited = false;
  constructor() {
    // node itself with tsx as a loader: one process per clock, so a kill reaches the clock (the
    // tsx launcher would run it in a child of its own, which a SIGKILL of the launcher orphans)
    this.child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "lib/server/clock/cli.ts"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL, TITRATE_CLOCK_TICK_MS: String(TICK_MS), TITRATE_CLOCK: "on", TITRATE_EMBEDDED_DB: "0" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let buffer = "";
    this.child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const text = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try { this.lines.push(JSON.parse(text) as ClockLine); } catch { /* not a clock line (tsx notices) */ }
      }
    });
    this.child.on("exit", () => { this.exited = true; });
  }
  get pid() { return this.child.pid!; }
  get ticks() { return this.lines.filter((l) => l.event === "tick").length; }
  get hasLed() { return this.lines.some((l) => l.event === "log" && l.line?.includes("leading")); }
  kill(signal: NodeJS.Signals) {
    this.child.kill(signal);
    return new Promise<void>((resolve) => (this.exited ? resolve() : this.child.once("exit", () => resolve())));
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined> | T | null | undefined, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const overdueFlags = (sessionId: string) =>
  db.flag.findMany({ where: { sessionId, code: "VITALS_OVERDUE" }, orderBy: { raisedAt: "asc" } });

let c: Clinic;
let intervalMs: number;
const clocks: ClockProcess[] = [];

/** A running session (START at 0.2 mg/kg/h) whose first set falls due `dueInMs` from now. */
async function sessionDueIn(dueInMs: number) {
  const startMs = Date.now() + dueInMs - intervalMs;
  const { session } = await openSession(c, IV, new Date(startMs));
  await dose(c.actors.nurse, session.id, new Date(startMs), { type: "START", rateMgPerKgPerH: 0.2 });
  return { sessionId: session.id, startMs, dueAtMs: startMs + intervalMs };
}

beforeAll(async () => {
  c = await freshClinic();
  intervalMs = c.protocolByName(IV).version.vitalsIntervalMin * 60_000;
  clocks.push(new ClockProcess(), new ClockProcess());
  // both loops are up (each has tried for the lock at least once) before any session is due
  await waitFor("both clocks to start", () => clocks.every((p) => p.lines.length > 0 || p.exited) && clocks.some((p) => p.hasLed), 60_000);
}, 90_000);

afterAll(async () => {
  await Promise.all(clocks.filter((p) => !p.exited).map((p) => p.kill("SIGTERM")));
});

describe("the vitals clock with two app processes", () => {
  it("raises VITALS_OVERDUE once within 60 s of the due time, and the follower takes over when the leader dies", async () => {
    expect(clocks.every((p) => !p.exited)).toBe(true);
    expect(clocks.every((p) => p.lines.every((l) => l.pid === p.pid))).toBe(true);
    // one leader: exactly one process ever said it leads, and only it ticks
    await new Promise((r) => setTimeout(r, 3 * TICK_MS));
    const leaders = clocks.filter((p) => p.hasLed);
    expect(leaders).toHaveLength(1);
    const leader = leaders[0]!;
    const follower = clocks.find((p) => p !== leader)!;
    expect(follower.ticks).toBe(0);

    // first set due one interval after START, 6 s from now (15 min: START 14 min 54 s ago)
    const a = await sessionDueIn(6_000);
    expect(await overdueFlags(a.sessionId)).toHaveLength(0);
    const [flagA] = await waitFor("the first gap's flag", async () => {
      const flags = await overdueFlags(a.sessionId);
      return flags.length ? flags : null;
    }, 75_000);
    expect(flagA!.conditionKey).toBe(`VITALS_OVERDUE:${a.startMs}`);
    expect(flagA!.raisedById).toBe(SYSTEM_ACTOR_ID);
    // strictly after the due time (overdue is strictly after due), and within 60 s of it
    const lagA = flagA!.raisedAt.getTime() - a.dueAtMs;
    expect(lagA).toBeGreaterThan(0);
    expect(lagA).toBeLessThanOrEqual(60_000);
    // a few more ticks of both processes raise nothing more for that gap
    await new Promise((r) => setTimeout(r, 4 * TICK_MS));
    expect(await overdueFlags(a.sessionId)).toHaveLength(1);
    // the raise is in the audit chain, by the clock
    const audit = await db.auditEvent.findMany({ where: { entityType: "Flag", entityId: flagA!.id, action: "flag.raise" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ clinicId: c.clinic.id, actorId: null, after: { raisedBy: "Titrate clock", conditionKey: flagA!.conditionKey } });

    // the leader dies without cleaning up; its lock goes with its connection
    await leader.kill("SIGKILL");
    const b = await sessionDueIn(8_000);
    const [flagB] = await waitFor("the second gap's flag, raised by the other process", async () => {
      const flags = await overdueFlags(b.sessionId);
      return flags.length ? flags : null;
    }, 75_000);
    const lagB = flagB!.raisedAt.getTime() - b.dueAtMs;
    expect(lagB).toBeGreaterThan(0);
    expect(lagB).toBeLessThanOrEqual(60_000);
    expect(follower.hasLed).toBe(true);
    expect(follower.lines.some((l) => l.event === "tick" && (l.raised ?? 0) >= 1)).toBe(true);
    await new Promise((r) => setTimeout(r, 3 * TICK_MS));
    expect(await overdueFlags(b.sessionId)).toHaveLength(1);
    // the first session's gap is still flagged once
    expect(await overdueFlags(a.sessionId)).toHaveLength(1);
    console.log(`[vitals-clock test] raised ${lagA} ms after the due time (leader), ${lagB} ms after it (the follower, after the leader was killed)`);
  }, 240_000);
});
