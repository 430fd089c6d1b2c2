// Flags over the timeline through the real services against PostgreSQL
// (docs/decisions/0009-flags-over-the-timeline.md): every write re-evaluates the whole
// timeline and reconciles the stored flags. Every expected value is hand-computed in a comment.
import { beforeAll, describe, expect, it } from "vitest";
import { acknowledgeFlags, completeSession, getSessionChart, reconcileSessionFlags, retractEntry, signSession } from "@/lib/server/sessions";
import type { Actor } from "@/lib/server/actor";
import { systemClockActor } from "@/lib/server/actor-type";
import { CompleteSessionSchema } from "@/lib/validation/session";
import { db, freshClinic } from "@/test/helpers";
import { changedTables, snapshotTables } from "@/test/db-snapshot";
import { T0, at, dose, expectAppError, openSession, pain, start, vitals, type Clinic } from "@/test/charting";

const IV = "IV infusion (routes table)"; // soft 0.100-0.500 mg/kg/h, hard 1.000 (anaesthetic edge)
const CRPS = "CRPS multi-day infusion"; // START 0.100-0.300, later 0.100-0.700, step ≤ 0.100, ≥ 90 days apart

let c: Clinic;
let nurse: Actor;
let physician: Actor;
beforeAll(async () => {
  c = await freshClinic();
  nurse = c.actors.nurse;
  physician = c.actors.physician;
});

const flagsOf = (sessionId: string) => db.flag.findMany({ where: { sessionId }, orderBy: [{ raisedAt: "asc" }, { id: "asc" }] });
const live = <T extends { resolvedAt: Date | null }>(flags: T[]) => flags.filter((f) => f.resolvedAt === null);
function complete(actor: Actor, sessionId: string, now: Date) {
  const input = CompleteSessionSchema.parse({ dischargeReady: true });
  return db.$transaction((tx) => completeSession(tx, { actor, sessionId, input, now }));
}

describe("a correction resolves the flag of the row it replaces", () => {
  it("START 0.5 on CRPS (start range 0.1-0.3) is flagged; corrected to 0.3 the flag resolves and nothing is raised for 0.3", async () => {
    const { session } = await openSession(c, CRPS, T0, { plannedSessions: 1 });
    const s = session.id;
    await vitals(nurse, s, at(0)); // baseline before START
    const first = await dose(nurse, s, at(1), { type: "START", rateMgPerKgPerH: 0.5, reason: "ordered by Dr X" });
    // 500 µg/kg/h > start max 300
    expect(first.flags.map((f) => [f.code, f.severity, f.sourceId, f.reason])).toEqual([["RATE_ABOVE_RANGE", "SOFT", first.doseEvent.id, "ordered by Dr X"]]);
    const corrected = await dose(nurse, s, at(1), { type: "START", rateMgPerKgPerH: 0.3, correctsId: first.doseEvent.id, correctionReason: "pump read 0.3" }, at(3));
    // 300 = start max: in range. Nothing raised; the 0.5's flag resolved as "corrected"
    expect(corrected.flags).toEqual([]);
    expect(corrected.resolvedFlags.map((f) => [f.code, f.status, f.resolution])).toEqual([["RATE_ABOVE_RANGE", "RESOLVED", "corrected"]]);
    const stored = await flagsOf(s);
    expect(stored.map((f) => [f.code, f.resolvedAt?.toISOString() ?? null, f.resolution, f.resolvedById])).toEqual([
      ["RATE_ABOVE_RANGE", at(3).toISOString(), "corrected", nurse.userId],
    ]);
    // the audit trail has the raise and the resolve
    const audit = await db.auditEvent.findMany({ where: { entityType: "Flag", entityId: stored[0]!.id }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["flag.raise", "flag.resolve"]);
  });
});

describe("back-timed entries are evaluated in clinical time order", () => {
  it("a back-timed RATE_CHANGE 0.3 between START 0.1 and a later 0.2 makes a 0.1 → 0.3 step (> 0.1): flagged on it, with the back-time reason", async () => {
    const { session } = await openSession(c, CRPS, T0, { plannedSessions: 1 });
    const s = session.id;
    await vitals(nurse, s, at(0));
    expect((await dose(nurse, s, at(1), { type: "START", rateMgPerKgPerH: 0.1 })).flags).toEqual([]);
    await vitals(nurse, s, at(15));
    // 0.1 → 0.2: a step of exactly 0.1 is allowed
    expect((await dose(nurse, s, at(30), { type: "RATE_CHANGE", rateMgPerKgPerH: 0.2 })).flags).toEqual([]);
    await vitals(nurse, s, at(30));
    // charted at T+40, clinically at T+20 (20 min back: beyond the grace, so a reason)
    const back = await dose(nurse, s, at(20), { type: "RATE_CHANGE", rateMgPerKgPerH: 0.3, backTimeReason: "given at 20, charted late" }, at(40));
    expect(back.flags.map((f) => [f.code, f.sourceId, f.valueText, f.reason])).toEqual([
      ["TITRATION_STEP_TOO_LARGE", back.doseEvent.id, "0.200 mg/kg/h step (0.100 → 0.300 mg/kg/h)", "given at 20, charted late"],
      // and it is an increase: vitals were due within vitalsAfterIncreaseMin of T+20; the next set is at T+30
      ["VITALS_OVERDUE", back.doseEvent.id, "10 min without vitals since the rate increase", "given at 20, charted late"],
    ]);
  });
});

describe("order independence", () => {
  /** Open flags as (code, source kind, source clinical minute): row ids differ between sessions. */
  async function openSignature(sessionId: string) {
    const chart = await getSessionChart({ actor: nurse, sessionId, now: at(55) });
    const minuteOf = new Map<string, number>([
      ...chart.doseEvents.map((r) => [r.id, (Date.parse(r.at) - T0.getTime()) / 60_000] as const),
      ...chart.vitals.map((r) => [r.id, (Date.parse(r.at) - T0.getTime()) / 60_000] as const),
    ]);
    return chart.flags
      .filter((f) => f.status !== "RESOLVED")
      .map((f) => `${f.code}@${f.sourceType}:${f.sourceType === "InfusionSession" ? "session" : String(minuteOf.get(f.sourceId ?? ""))}`)
      .sort();
  }

  it("the same timeline charted in time order and in reverse (back-timed) order leaves the same open flags", async () => {
    // timeline: vitals T+0, START 0.2 T+1, vitals T+15, RATE_CHANGE 0.6 T+30 (> 0.5 soft max), vitals T+30 (SBP 150 ≥ 140? see below), vitals T+45
    const a = (await openSession(c, IV)).session.id;
    await vitals(nurse, a, at(0));
    await dose(nurse, a, at(1), { type: "START", rateMgPerKgPerH: 0.2 });
    await vitals(nurse, a, at(15));
    await dose(nurse, a, at(30), { type: "RATE_CHANGE", rateMgPerKgPerH: 0.6, reason: "pain 8/10" });
    await vitals(nurse, a, at(31), { heartRatePerMin: 125 });
    await vitals(nurse, a, at(45));
    await pain(nurse, a, at(55), { score: 4, phase: "INTRA" }); // a last write at T+55 for both

    const b = (await openSession(c, IV)).session.id;
    const late = { backTimeReason: "charted after the fact" };
    const now = at(50);
    await vitals(nurse, b, at(45), late, now);
    await vitals(nurse, b, at(31), { heartRatePerMin: 125, ...late }, now);
    await vitals(nurse, b, at(15), late, now);
    // START before the T+0 set is charted: BASELINE_VITALS_MISSING is raised, then resolved by it
    await dose(nurse, b, at(1), { type: "START", rateMgPerKgPerH: 0.2, ...late }, now);
    const baseline = await vitals(nurse, b, at(0), late, now);
    expect(baseline.resolvedFlags.map((f) => f.code)).toContain("BASELINE_VITALS_MISSING");
    await dose(nurse, b, at(30), { type: "RATE_CHANGE", rateMgPerKgPerH: 0.6, reason: "pain 8/10", ...late }, now);
    await pain(nurse, b, at(55), { score: 4, phase: "INTRA" });

    const sigA = await openSignature(a);
    expect(sigA).toEqual(await openSignature(b));
    // hand-checked: RATE_ABOVE_RANGE on the T+30 change (600 > 500) and HR_HIGH on the T+31 set (125 ≥ 120)
    expect(sigA).toEqual(expect.arrayContaining(["HR_HIGH@VitalSigns:31", "RATE_ABOVE_RANGE@DoseEvent:30"]));
    // one live flag per condition key in both sessions
    for (const id of [a, b]) {
      const keys = live(await flagsOf(id)).map((f) => f.conditionKey);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });
});

describe("schedule conditions", () => {
  it("a repeat CRPS session inside 90 days raises SESSION_INTERVAL_TOO_SHORT once, however many writes follow", async () => {
    const { series, session } = await openSession(c, CRPS, T0, { plannedSessions: 3 });
    const s1 = session.id;
    await vitals(nurse, s1, at(0));
    await dose(nurse, s1, at(1), { type: "START", rateMgPerKgPerH: 0.2 });
    await dose(nurse, s1, at(10), { type: "STOP" });
    await pain(nurse, s1, at(11), { score: 3, phase: "POST" });
    await complete(nurse, s1, at(12));
    const t2 = at(30 * 24 * 60); // 30 days later: > 7 days (the 7-day rule holds), < 90 days
    const second = await start(nurse, series.id, t2);
    expect(second.flags.map((f) => f.code)).toEqual(["SESSION_INTERVAL_TOO_SHORT"]);
    const s2 = second.session.id;
    await vitals(nurse, s2, at(1, t2));
    await dose(nurse, s2, at(2, t2), { type: "START", rateMgPerKgPerH: 0.2 });
    await vitals(nurse, s2, at(15, t2));
    const interval = (await flagsOf(s2)).filter((f) => f.code === "SESSION_INTERVAL_TOO_SHORT");
    expect(interval.map((f) => [f.conditionKey, f.resolvedAt])).toEqual([[`SESSION_INTERVAL_TOO_SHORT:session`, null]]);
  });
});

describe("signing and acknowledgement over resolution", () => {
  async function hardSession() {
    const { session } = await openSession(c, IV);
    const s = session.id;
    await vitals(nurse, s, at(0));
    await dose(nurse, s, at(1), { type: "START", rateMgPerKgPerH: 0.2 });
    await vitals(nurse, s, at(5));
    // 1.2 mg/kg/h ≥ 1.0: the anaesthetic edge, HARD; stored with the physician's override
    const hard = await dose(nurse, s, at(10), { type: "RATE_CHANGE", rateMgPerKgPerH: 1.2, overrideReason: "Dr Y: refractory pain, monitored" });
    expect(hard.flags.filter((f) => f.severity === "HARD").map((f) => f.reason)).toEqual(["Dr Y: refractory pain, monitored"]);
    return { s, hard };
  }

  it("signing is allowed when the only HARD flag was resolved by a correction", async () => {
    const { s, hard } = await hardSession();
    const fixed = await dose(nurse, s, at(10), { type: "RATE_CHANGE", rateMgPerKgPerH: 0.4, correctsId: hard.doseEvent.id, correctionReason: "typo: 0.4 was given" }, at(12));
    expect(fixed.resolvedFlags.filter((f) => f.severity === "HARD").map((f) => [f.status, f.resolution])).toEqual([["RESOLVED", "corrected"]]);
    await vitals(nurse, s, at(20));
    await dose(nurse, s, at(30), { type: "STOP" });
    await pain(nurse, s, at(31), { score: 2, phase: "POST" });
    await complete(nurse, s, at(32));
    const hardFlags = (await flagsOf(s)).filter((f) => f.severity === "HARD");
    expect(hardFlags.length).toBeGreaterThan(0);
    expect(hardFlags.every((f) => f.resolvedAt !== null && f.acknowledgedAt === null)).toBe(true);
    const signed = await db.$transaction((tx) => signSession(tx, { actor: physician, sessionId: s, now: at(40) }));
    expect(signed.session.status).toBe("SIGNED");
  });

  it("an open HARD flag still blocks signing", async () => {
    const { s } = await hardSession();
    await dose(nurse, s, at(30), { type: "STOP" });
    await pain(nurse, s, at(31), { score: 2, phase: "POST" });
    await complete(nurse, s, at(32));
    await expectAppError(db.$transaction((tx) => signSession(tx, { actor: physician, sessionId: s, now: at(40) })), "CONFLICT");
  });

  it("an acknowledged flag resolved later keeps its acknowledgement and reason", async () => {
    const { s, hard } = await hardSession();
    const hardFlag = hard.flags.find((f) => f.severity === "HARD")!;
    await db.$transaction((tx) => acknowledgeFlags(tx, { actor: physician, flagIds: [hardFlag.id], reason: "seen, patient monitored", now: at(11) }));
    // withdrawn as entered in error
    const retracted = await db.$transaction((tx) => retractEntry(tx, {
      actor: nurse, sessionId: s, kind: "dose-events", entryId: hard.doseEvent.id, correctionReason: "wrong patient's pump", now: at(13),
    }));
    expect(retracted.resolvedFlags.map((f) => f.id)).toContain(hardFlag.id);
    const row = await db.flag.findUniqueOrThrow({ where: { id: hardFlag.id } });
    expect({ ack: row.ackReason, ackAt: row.acknowledgedAt?.toISOString(), resolvedAt: row.resolvedAt?.toISOString(), resolution: row.resolution }).toEqual({
      ack: "seen, patient monitored", ackAt: at(11).toISOString(), resolvedAt: at(13).toISOString(), resolution: "retracted (entered in error)",
    });
    const chart = await getSessionChart({ actor: physician, sessionId: s, now: at(14) });
    expect(chart.flags.find((f) => f.id === hardFlag.id)).toMatchObject({ status: "RESOLVED", ackReason: "seen, patient monitored", resolution: "retracted (entered in error)" });
  });
});

describe("the HARD rule before storing", () => {
  it("a HARD entry without an override reason is refused with nothing changed", async () => {
    const { session } = await openSession(c, IV);
    const s = session.id;
    await vitals(nurse, s, at(0));
    await dose(nurse, s, at(1), { type: "START", rateMgPerKgPerH: 0.2 });
    const before = await snapshotTables();
    const err = await expectAppError(dose(nurse, s, at(5), { type: "RATE_CHANGE", rateMgPerKgPerH: 1.2 }), "HARD_LIMIT");
    expect(err.fields).toEqual({ overrideReason: "required to pass a hard limit" });
    expect(err.userMessage).toMatch(/^Hard limit: .* A physician's override reason is required\.$/);
    expect(changedTables(before, await snapshotTables())).toEqual([]);
  });

  it("a HARD condition the entry did not cause does not refuse it; it is raised without a reason", async () => {
    // an earlier HARD flag stays live; a later vitals set raises nothing new and is stored
    const { session } = await openSession(c, IV);
    const s = session.id;
    await vitals(nurse, s, at(0));
    await dose(nurse, s, at(1), { type: "START", rateMgPerKgPerH: 1.0, overrideReason: "Dr Y: as ordered" }); // 1.0 = hard limit: HARD
    const v = await vitals(nurse, s, at(10));
    expect(v.flags).toEqual([]);
  });
});

describe("the clock and legacy flags", () => {
  it("a system actor raises VITALS_OVERDUE with raisedById 'system'; a second reconcile raises nothing", async () => {
    const { session } = await openSession(c, IV);
    const s = session.id;
    await vitals(nurse, s, at(0));
    await dose(nurse, s, at(1), { type: "START", rateMgPerKgPerH: 0.2 });
    const clock = systemClockActor(c.clinic.id);
    // due at T+16 (START + 15); at T+17 the gap is open
    const r1 = await db.$transaction((tx) => reconcileSessionFlags(tx, { actor: clock, sessionId: s, now: at(17) }));
    expect(r1.raised.map((f) => [f.code, f.raisedById])).toEqual([["VITALS_OVERDUE", "system"]]);
    const r2 = await db.$transaction((tx) => reconcileSessionFlags(tx, { actor: clock, sessionId: s, now: at(18) }));
    expect(r2).toEqual({ raised: [], resolved: [] });
  });

  it("a legacy flag (no conditionKey) is adopted by its condition, not duplicated", async () => {
    const { session } = await openSession(c, IV);
    const s = session.id;
    await vitals(nurse, s, at(0));
    const startRow = await dose(nurse, s, at(1), { type: "START", rateMgPerKgPerH: 0.6, reason: "ordered" }); // 600 > 500
    const [flag] = startRow.flags;
    // as stored before keys existed
    await db.flag.update({ where: { id: flag!.id }, data: { conditionKey: null } });
    const r = await db.$transaction((tx) => reconcileSessionFlags(tx, { actor: nurse, sessionId: s, now: at(2) }));
    expect(r).toEqual({ raised: [], resolved: [] });
    const stored = await flagsOf(s);
    expect(stored.map((f) => [f.id, f.conditionKey])).toEqual([[flag!.id, `RATE_ABOVE_RANGE:${startRow.doseEvent.id}`]]);
  });
});
