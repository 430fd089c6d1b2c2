// Flags over the timeline through the real services against PostgreSQL
// (docs/decisions/0009-flags-over-the-timeline.md): every write re-evaluates the whole
// timeline and reconciles the stored flags. Every expected value is hand-computed in a comment.
import { PrismaPg } from "@prisma/adapter-pg";
import { describe, expect, it } from "vitest";
import { effectiveRows } from "@/lib/domain/charting";
import { byClinicalTime } from "@/lib/domain/vitals-schedule";
import { evaluateSessionFlags, type CandidateEntry, type SessionTimeline } from "@/lib/domain/session-flags";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { acknowledgeFlags, chartDoseEvent, chartVitals, getSessionChart, reconcileSessionFlags, retractEntry, signSession } from "@/lib/server/sessions";
import { loadFlagContext, lockSessionFlags, withStoredEntry, type FlagContext } from "@/lib/server/sessions/flag-reconcile";
import { systemClockActor } from "@/lib/server/actor-type";
import { DoseEventSchema, VitalsSchema } from "@/lib/validation/session";
import { clinicPerFile, db } from "@/test/helpers";
import { changedTables, snapshotTables } from "@/test/db-snapshot";
import { T0, at, complete, dose, expectAppError, openSession, pain, start, vitals } from "@/test/charting";

const IV = "IV infusion (routes table)"; // soft 0.100-0.500 mg/kg/h, hard 1.000 (anaesthetic edge)
const CRPS = "CRPS multi-day infusion"; // START 0.100-0.300, later 0.100-0.700, step ≤ 0.100, ≥ 90 days apart

const file = clinicPerFile();

const flagsOf = (sessionId: string) => db.flag.findMany({ where: { sessionId }, orderBy: [{ raisedAt: "asc" }, { id: "asc" }] });
const live = <T extends { resolvedAt: Date | null }>(flags: T[]) => flags.filter((f) => f.resolvedAt === null);

describe("a correction resolves the flag of the row it replaces", () => {
  it("START 0.5 on CRPS (start range 0.1-0.3) is flagged; corrected to 0.3 the flag resolves and nothing is raised for 0.3", async () => {
    const { session } = await openSession(file.c, CRPS, T0, { plannedSessions: 1 });
    const s = session.id;
    await vitals(file.nurse, s, at(0)); // baseline before START
    const first = await dose(file.nurse, s, at(1), { type: "START", rateMgPerKgPerH: 0.5, reason: "ordered by Dr X" });
    // 500 µg/kg/h > start max 300
    expect(first.flags.map((f) => [f.code, f.severity, f.sourceId, f.reason])).toEqual([["RATE_ABOVE_RANGE", "SOFT", first.doseEvent.id, "ordered by Dr X"]]);
    const corrected = await dose(file.nurse, s, at(1), { type: "START", rateMgPerKgPerH: 0.3, correctsId: first.doseEvent.id, correctionReason: "pump read 0.3" }, at(3));
    // 300 = start max: in range. Nothing raised; the 0.5's flag resolved as "corrected"
    expect(corrected.flags).toEqual([]);
    expect(corrected.resolvedFlags.map((f) => [f.code, f.status, f.resolution])).toEqual([["RATE_ABOVE_RANGE", "RESOLVED", "corrected"]]);
    const stored = await flagsOf(s);
    expect(stored.map((f) => [f.code, f.resolvedAt?.toISOString() ?? null, f.resolution, f.resolvedById])).toEqual([
      ["RATE_ABOVE_RANGE", at(3).toISOString(), "corrected", file.nurse.userId],
    ]);
    // the audit trail has the raise and the resolve
    const audit = await db.auditEvent.findMany({ where: { entityType: "Flag", entityId: stored[0]!.id }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["flag.raise", "flag.resolve"]);
  });
});

describe("back-timed entries are evaluated in clinical time order", () => {
  it("a back-timed RATE_CHANGE 0.3 between START 0.1 and a later 0.2 makes a 0.1 → 0.3 step (> 0.1): flagged on it, with the back-time reason", async () => {
    const { session } = await openSession(file.c, CRPS, T0, { plannedSessions: 1 });
    const s = session.id;
    await vitals(file.nurse, s, at(0));
    expect((await dose(file.nurse, s, at(1), { type: "START", rateMgPerKgPerH: 0.1 })).flags).toEqual([]);
    await vitals(file.nurse, s, at(15));
    // 0.1 → 0.2: a step of exactly 0.1 is allowed
    expect((await dose(file.nurse, s, at(30), { type: "RATE_CHANGE", rateMgPerKgPerH: 0.2 })).flags).toEqual([]);
    await vitals(file.nurse, s, at(30));
    // charted at T+40, clinically at T+20 (20 min back: beyond the grace, so a reason)
    const back = await dose(file.nurse, s, at(20), { type: "RATE_CHANGE", rateMgPerKgPerH: 0.3, backTimeReason: "given at 20, charted late" }, at(40));
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
    const chart = await getSessionChart({ actor: file.nurse, sessionId, now: at(55) });
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
    const a = (await openSession(file.c, IV)).session.id;
    await vitals(file.nurse, a, at(0));
    await dose(file.nurse, a, at(1), { type: "START", rateMgPerKgPerH: 0.2 });
    await vitals(file.nurse, a, at(15));
    await dose(file.nurse, a, at(30), { type: "RATE_CHANGE", rateMgPerKgPerH: 0.6, reason: "pain 8/10" });
    await vitals(file.nurse, a, at(31), { heartRatePerMin: 125 });
    await vitals(file.nurse, a, at(45));
    await pain(file.nurse, a, at(55), { score: 4, phase: "INTRA" }); // a last write at T+55 for both

    const b = (await openSession(file.c, IV)).session.id;
    const late = { backTimeReason: "charted after the fact" };
    const now = at(50);
    await vitals(file.nurse, b, at(45), late, now);
    await vitals(file.nurse, b, at(31), { heartRatePerMin: 125, ...late }, now);
    await vitals(file.nurse, b, at(15), late, now);
    // START before the T+0 set is charted: BASELINE_VITALS_MISSING is raised, then resolved by it
    await dose(file.nurse, b, at(1), { type: "START", rateMgPerKgPerH: 0.2, ...late }, now);
    const baseline = await vitals(file.nurse, b, at(0), late, now);
    expect(baseline.resolvedFlags.map((f) => f.code)).toContain("BASELINE_VITALS_MISSING");
    await dose(file.nurse, b, at(30), { type: "RATE_CHANGE", rateMgPerKgPerH: 0.6, reason: "pain 8/10", ...late }, now);
    await pain(file.nurse, b, at(55), { score: 4, phase: "INTRA" });

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
    const { series, session } = await openSession(file.c, CRPS, T0, { plannedSessions: 3 });
    const s1 = session.id;
    await vitals(file.nurse, s1, at(0));
    await dose(file.nurse, s1, at(1), { type: "START", rateMgPerKgPerH: 0.2 });
    await dose(file.nurse, s1, at(10), { type: "STOP" });
    await pain(file.nurse, s1, at(11), { score: 3, phase: "POST" });
    await complete(file.nurse, s1, at(12));
    const t2 = at(30 * 24 * 60); // 30 days later: > 7 days (the 7-day rule holds), < 90 days
    const second = await start(file.nurse, series.id, t2);
    expect(second.flags.map((f) => f.code)).toEqual(["SESSION_INTERVAL_TOO_SHORT"]);
    const s2 = second.session.id;
    await vitals(file.nurse, s2, at(1, t2));
    await dose(file.nurse, s2, at(2, t2), { type: "START", rateMgPerKgPerH: 0.2 });
    await vitals(file.nurse, s2, at(15, t2));
    const interval = (await flagsOf(s2)).filter((f) => f.code === "SESSION_INTERVAL_TOO_SHORT");
    expect(interval.map((f) => [f.conditionKey, f.resolvedAt])).toEqual([[`SESSION_INTERVAL_TOO_SHORT:session`, null]]);
  });
});

describe("signing and acknowledgement over resolution", () => {
  async function hardSession() {
    const { session } = await openSession(file.c, IV);
    const s = session.id;
    await vitals(file.nurse, s, at(0));
    await dose(file.nurse, s, at(1), { type: "START", rateMgPerKgPerH: 0.2 });
    await vitals(file.nurse, s, at(5));
    // 1.2 mg/kg/h ≥ 1.0: the anaesthetic edge, HARD; stored with the physician's override
    const hard = await dose(file.nurse, s, at(10), { type: "RATE_CHANGE", rateMgPerKgPerH: 1.2, overrideReason: "Dr Y: refractory pain, monitored" });
    expect(hard.flags.filter((f) => f.severity === "HARD").map((f) => f.reason)).toEqual(["Dr Y: refractory pain, monitored"]);
    return { s, hard };
  }

  it("signing is allowed when the only HARD flag was resolved by a correction", async () => {
    const { s, hard } = await hardSession();
    const fixed = await dose(file.nurse, s, at(10), { type: "RATE_CHANGE", rateMgPerKgPerH: 0.4, correctsId: hard.doseEvent.id, correctionReason: "typo: 0.4 was given" }, at(12));
    expect(fixed.resolvedFlags.filter((f) => f.severity === "HARD").map((f) => [f.status, f.resolution])).toEqual([["RESOLVED", "corrected"]]);
    await vitals(file.nurse, s, at(20));
    await dose(file.nurse, s, at(30), { type: "STOP" });
    await pain(file.nurse, s, at(31), { score: 2, phase: "POST" });
    await complete(file.nurse, s, at(32));
    const hardFlags = (await flagsOf(s)).filter((f) => f.severity === "HARD");
    expect(hardFlags.length).toBeGreaterThan(0);
    expect(hardFlags.every((f) => f.resolvedAt !== null && f.acknowledgedAt === null)).toBe(true);
    const signed = await db.$transaction((tx) => signSession(tx, { actor: file.physician, sessionId: s, now: at(40) }));
    expect(signed.session.status).toBe("SIGNED");
  });

  it("an open HARD flag still blocks signing", async () => {
    const { s } = await hardSession();
    await dose(file.nurse, s, at(30), { type: "STOP" });
    await pain(file.nurse, s, at(31), { score: 2, phase: "POST" });
    await complete(file.nurse, s, at(32));
    await expectAppError(db.$transaction((tx) => signSession(tx, { actor: file.physician, sessionId: s, now: at(40) })), "CONFLICT");
  });

  it("an acknowledged flag resolved later keeps its acknowledgement and reason", async () => {
    const { s, hard } = await hardSession();
    const hardFlag = hard.flags.find((f) => f.severity === "HARD")!;
    await db.$transaction((tx) => acknowledgeFlags(tx, { actor: file.physician, flagIds: [hardFlag.id], reason: "seen, patient monitored", now: at(11) }));
    // withdrawn as entered in error
    const retracted = await db.$transaction((tx) => retractEntry(tx, {
      actor: file.nurse, sessionId: s, kind: "dose-events", entryId: hard.doseEvent.id, correctionReason: "wrong patient's pump", now: at(13),
    }));
    expect(retracted.resolvedFlags.map((f) => f.id)).toContain(hardFlag.id);
    const row = await db.flag.findUniqueOrThrow({ where: { id: hardFlag.id } });
    expect({ ack: row.ackReason, ackAt: row.acknowledgedAt?.toISOString(), resolvedAt: row.resolvedAt?.toISOString(), resolution: row.resolution }).toEqual({
      ack: "seen, patient monitored", ackAt: at(11).toISOString(), resolvedAt: at(13).toISOString(), resolution: "retracted (entered in error)",
    });
    const chart = await getSessionChart({ actor: file.physician, sessionId: s, now: at(14) });
    expect(chart.flags.find((f) => f.id === hardFlag.id)).toMatchObject({ status: "RESOLVED", ackReason: "seen, patient monitored", resolution: "retracted (entered in error)" });
  });
});

describe("the HARD rule before storing", () => {
  it("a HARD entry without an override reason is refused with nothing changed", async () => {
    const { session } = await openSession(file.c, IV);
    const s = session.id;
    await vitals(file.nurse, s, at(0));
    await dose(file.nurse, s, at(1), { type: "START", rateMgPerKgPerH: 0.2 });
    const before = await snapshotTables();
    const err = await expectAppError(dose(file.nurse, s, at(5), { type: "RATE_CHANGE", rateMgPerKgPerH: 1.2 }), "HARD_LIMIT");
    expect(err.fields).toEqual({ overrideReason: "required to pass a hard limit" });
    expect(err.userMessage).toMatch(/^Hard limit: .* A physician's override reason is required\.$/);
    expect(changedTables(before, await snapshotTables())).toEqual([]);
  });

  it("a HARD condition the entry did not cause does not refuse it; it is raised without a reason", async () => {
    // an earlier HARD flag stays live; a later vitals set raises nothing new and is stored
    const { session } = await openSession(file.c, IV);
    const s = session.id;
    await vitals(file.nurse, s, at(0));
    await dose(file.nurse, s, at(1), { type: "START", rateMgPerKgPerH: 1.0, overrideReason: "Dr Y: as ordered" }); // 1.0 = hard limit: HARD
    const v = await vitals(file.nurse, s, at(10));
    expect(v.flags).toEqual([]);
  });
});

describe("the clock and legacy flags", () => {
  it("a system actor raises VITALS_OVERDUE with raisedById 'system'; a second reconcile raises nothing", async () => {
    const { session } = await openSession(file.c, IV);
    const s = session.id;
    await vitals(file.nurse, s, at(0));
    await dose(file.nurse, s, at(1), { type: "START", rateMgPerKgPerH: 0.2 });
    const clock = systemClockActor(file.clinicId);
    // due at T+16 (START + 15); at T+17 the gap is open
    const r1 = await db.$transaction((tx) => reconcileSessionFlags(tx, { actor: clock, sessionId: s, now: at(17) }));
    expect(r1.raised.map((f) => [f.code, f.raisedById])).toEqual([["VITALS_OVERDUE", "system"]]);
    const r2 = await db.$transaction((tx) => reconcileSessionFlags(tx, { actor: clock, sessionId: s, now: at(18) }));
    expect(r2).toEqual({ raised: [], resolved: [] });
  });

  it("a legacy flag (no conditionKey) is adopted by its condition, not duplicated", async () => {
    const { session } = await openSession(file.c, IV);
    const s = session.id;
    await vitals(file.nurse, s, at(0));
    const startRow = await dose(file.nurse, s, at(1), { type: "START", rateMgPerKgPerH: 0.6, reason: "ordered" }); // 600 > 500
    const [flag] = startRow.flags;
    // as stored before keys existed
    await db.flag.update({ where: { id: flag!.id }, data: { conditionKey: null } });
    const r = await db.$transaction((tx) => reconcileSessionFlags(tx, { actor: file.nurse, sessionId: s, now: at(2) }));
    expect(r).toEqual({ raised: [], resolved: [] });
    const stored = await flagsOf(s);
    expect(stored.map((f) => [f.id, f.conditionKey])).toEqual([[flag!.id, `RATE_ABOVE_RANGE:${startRow.doseEvent.id}`]]);
  });
});

/**
 * Runs `write` in a transaction of a client of its own that logs every statement it sends;
 * returns the write's result and the statements.
 */
async function withStatementLog<T>(write: (tx: never) => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL! }), log: [{ emit: "event", level: "query" }] });
  const statements: string[] = [];
  client.$on("query" as never, (e: { query: string }) => statements.push(e.query));
  try {
    return { result: await client.$transaction((tx) => write(tx as never)), statements };
  } finally {
    await client.$disconnect();
  }
}

describe("a dose event reads the flag context once (the HARD check's, with the new row applied)", () => {
  /** The context's arrays in one order (the engine sorts by itself; loadFlagContext reads rows unordered). */
  const canonical = (ctx: FlagContext) => {
    const sorted = <T extends { atMs: number; enteredAtMs: number; id: string }>(rows: readonly T[] | undefined) => [...(rows ?? [])].sort(byClinicalTime);
    const timeline: SessionTimeline = {
      doseEvents: sorted(ctx.timeline.doseEvents), vitals: sorted(ctx.timeline.vitals), sideEffects: sorted(ctx.timeline.sideEffects), pain: sorted(ctx.timeline.pain),
    };
    return { ...ctx, timeline, chartedRows: sorted(ctx.chartedRows) };
  };

  it("withStoredEntry gives what loadFlagContext reads after the row is stored: a new entry, and a correction", async () => {
    const { session } = await openSession(file.c, IV);
    const s = session.id;
    await vitals(file.nurse, s, at(0));
    const started = await dose(file.nurse, s, at(1), { type: "START", rateMgPerKgPerH: 0.6, reason: "as ordered" }); // 600 > 500: a flag in the context
    const cases: { name: string; candidate: Extract<CandidateEntry, { type: "DoseEvent" }> }[] = [
      { name: "new", candidate: { type: "DoseEvent", row: { id: "c00000000000000000000new1", type: "RATE_CHANGE", atMs: at(20).getTime(), enteredAtMs: at(21).getTime(), rateUgPerKgPerH: 300, bolusUg: null } } },
      {
        name: "correction",
        candidate: {
          type: "DoseEvent", correctsId: started.doseEvent.id,
          row: { id: "c00000000000000000000new2", type: "START", atMs: at(1).getTime(), enteredAtMs: at(22).getTime(), rateUgPerKgPerH: 200, bolusUg: null },
        },
      },
    ];
    for (const { name, candidate } of cases) {
      const { applied, reread } = await db.$transaction(async (tx) => {
        await lockSessionFlags(tx, s);
        const before = (await loadFlagContext(tx, file.clinicId, s))!;
        const { row } = candidate;
        await tx.doseEvent.create({
          data: {
            id: row.id, sessionId: s, type: row.type, at: new Date(row.atMs), rateUgPerKgPerH: row.rateUgPerKgPerH, bolusUg: row.bolusUg,
            enteredById: file.nurse.userId, enteredAt: new Date(row.enteredAtMs), correctsId: candidate.correctsId ?? null,
          },
        });
        const result = { applied: withStoredEntry(before, candidate), reread: (await loadFlagContext(tx, file.clinicId, s))! };
        // left as it was: this test only reads
        await tx.doseEvent.delete({ where: { id: row.id } });
        return result;
      });
      expect(canonical(applied), name).toEqual(canonical(reread));
      const conditions = (ctx: FlagContext) => evaluateSessionFlags({ limits: ctx.limits, session: ctx.session, timeline: ctx.timeline, nowMs: at(30).getTime() }).conditions;
      expect(conditions(applied), name).toEqual(conditions(reread));
      // not vacuous: the candidate changed the timeline
      expect(effectiveRows(reread.chartedRows).map((r) => r.id), name).toContain(candidate.row.id);
    }
  });

  it("counts: one flag lock and one read of the flag context per dose event (was two of each)", async () => {
    const { session } = await openSession(file.c, IV);
    const s = session.id;
    await vitals(file.nurse, s, at(0));
    const input = DoseEventSchema.parse({ at: at(1).toISOString(), type: "START", rateMgPerKgPerH: 1.2, overrideReason: "Dr Y: as ordered" });
    const { result, statements } = await withStatementLog((tx) => chartDoseEvent(tx, { actor: file.nurse, sessionId: s, input, now: at(1) }));
    // the HARD flag is raised with the override reason, as before
    expect(result.flags.filter((f) => f.severity === "HARD").map((f) => f.reason)).toEqual(["Dr Y: as ordered"]);
    const count = (re: RegExp) => statements.filter((q) => re.test(q)).length;
    expect(count(/pg_advisory_xact_lock/)).toBe(1);
    // the whole context (session, rows, flags, prior starts, weight) is one prepared statement
    expect(count(/prepared: flag-context/)).toBe(1);
    expect(count(/^\s*SELECT .* FROM "public"\."Flag"/s)).toBe(0);
    expect(count(/^\s*SELECT .* FROM "public"\."PatientWeight"/s)).toBe(0);
  });

  it("counts: a vitals write reads the session's rows once (the flag context, under one flag lock), and still flags as before", async () => {
    const { session } = await openSession(file.c, IV);
    const s = session.id;
    await vitals(file.nurse, s, at(0));
    const input = VitalsSchema.parse({ at: at(5).toISOString(), systolicMmHg: 124, diastolicMmHg: 78, heartRatePerMin: 131, spo2Pct: 97, respRatePerMin: 15, reason: "anxious, reassured" });
    const { result, statements } = await withStatementLog((tx) => chartVitals(tx, { actor: file.nurse, sessionId: s, input, now: at(5) }));
    expect(result.flags.map((f) => f.code)).toContain("HR_HIGH");
    expect(result.vitals.isBaseline, "the second set is not the baseline").toBe(false);
    const count = (re: RegExp) => statements.filter((q) => re.test(q)).length;
    expect(count(/pg_advisory_xact_lock/)).toBe(1);
    expect(count(/prepared: flag-context/)).toBe(1);
    // no other statement reads the session's vitals (the context's own statement does)
    expect(statements.filter((q) => /FROM "(public"\.")?VitalSigns"/.test(q) && !/prepared: flag-context/.test(q))).toEqual([]);
  });
});
