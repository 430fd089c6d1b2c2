import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { effectiveRows } from "./charting";
import type { DoseEventType } from "./dose";
import { FLAG_SEVERITY } from "./flags";
import type { ProtocolLimits, ProtocolRoute } from "./protocol";
import { SEEDED_PROTOCOLS } from "./protocol-catalog";
import {
  canSign,
  conditionsRaisedBy,
  evaluateSessionFlags,
  reconcileFlags,
  type ChartedRow,
  type FlagCondition,
  type SessionFacts,
  type StoredFlag,
  type TimelineDoseEvent,
  type TimelineSideEffect,
  type TimelineVitals,
} from "./session-flags";

const MIN = 60_000;
const H = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 2, 9); // START, 09:00Z

const protocol = (name: string) => {
  const found = SEEDED_PROTOCOLS.find((p) => p.name.startsWith(name));
  if (!found) throw new Error(`missing protocol ${name}`);
  return found;
};
const IV_RANGE = protocol("IV infusion (routes table)").limits; // 0.100-0.500 mg/kg/h, no step, no ceiling
const NEUROPATHIC = protocol("Chronic neuropathic").limits; // 0.100-0.300 mg/kg/h, 1.200 mg/kg, 120-240 min
const CRPS_MULTI = protocol("CRPS multi-day").limits; // step 0.100 mg/kg/h, 90 days between sessions, 1 per 7 days
const CRPS_OUTPATIENT = protocol("CRPS outpatient").limits; // 315-385 µg/kg/h, 216-264 min, derived 1694 µg/kg
const GUIDELINE = protocol("Guideline summary").limits; // ceiling 1.000 mg/kg, no bolus soft limit
const ORAL = protocol("Oral maintenance").limits; // 1.000 mg/kg/day, hard 2.000 mg/kg per dose

const facts = (over: Partial<SessionFacts> = {}): SessionFacts => ({
  sessionId: "sess",
  weightG: 70_000,
  concentrationUgPerMl: 1000,
  route: "IV",
  openedAtMs: T0 - 30 * MIN,
  status: "IN_PROGRESS",
  completedAtMs: null,
  previousWeightG: 70_000,
  priorSessionStartsMs: [],
  plannedSessions: 6,
  ...over,
});

const clock = 0;
/** Rows charted at their clinical time unless told otherwise. */
const dose = (id: string, type: DoseEventType, atMs: number, value?: number, enteredAtMs = atMs + clock): TimelineDoseEvent => ({
  id, type, atMs, enteredAtMs,
  rateUgPerKgPerH: type === "START" || type === "RATE_CHANGE" ? (value ?? null) : null,
  bolusUg: type === "BOLUS" ? (value ?? null) : null,
});
const vitals = (id: string, atMs: number, bp: [number, number] = [120, 80], enteredAtMs = atMs): TimelineVitals => ({
  id, atMs, enteredAtMs, systolicMmHg: bp[0], diastolicMmHg: bp[1], heartRatePerMin: 80, spo2Pct: 98, respRatePerMin: 16,
});
const baselineSet = vitals("baseline", T0 - 5 * MIN);

const evaluate = (input: {
  limits: ProtocolLimits;
  doseEvents?: TimelineDoseEvent[];
  vitals?: TimelineVitals[];
  sideEffects?: TimelineSideEffect[];
  session?: Partial<SessionFacts>;
  nowMs?: number;
}) =>
  evaluateSessionFlags({
    limits: input.limits,
    session: facts(input.session),
    timeline: { doseEvents: input.doseEvents ?? [], vitals: input.vitals ?? [baselineSet], sideEffects: input.sideEffects ?? [] },
    nowMs: input.nowMs ?? T0 + 10 * MIN,
  });
const keys = (conditions: FlagCondition[]) => conditions.map((c) => c.key);

describe("evaluateSessionFlags: keys and sources", () => {
  it("gives each condition a stable key, its source row and one flag per condition", () => {
    const { conditions } = evaluate({
      limits: IV_RANGE,
      doseEvents: [dose("s", "START", T0, 200), dose("rc", "RATE_CHANGE", T0 + 5 * MIN, 600)], // 0.600 > 0.500
    });
    expect(keys(conditions)).toEqual(["RATE_ABOVE_RANGE:rc"]);
    expect(conditions[0]).toMatchObject({ source: { type: "DoseEvent", id: "rc" }, atMs: T0 + 5 * MIN, severity: "SOFT" });
    expect(new Set(keys(conditions)).size).toBe(conditions.length);
  });

  it("raises SESSION_INTERVAL_TOO_SHORT once when both schedule rules fail", () => {
    // CRPS multi-day: 1 day after the last start is < 90 days AND the 2nd session within 7 days
    const { conditions } = evaluate({ limits: CRPS_MULTI, session: { priorSessionStartsMs: [T0 - 30 * MIN - DAY], plannedSessions: 2 } });
    const interval = conditions.filter((c) => c.code === "SESSION_INTERVAL_TOO_SHORT");
    expect(interval).toHaveLength(1);
    expect(interval[0]).toMatchObject({ key: "SESSION_INTERVAL_TOO_SHORT:session", source: { type: "InfusionSession", id: "sess" } });
    expect(interval[0]!.valueText).toBe("24 h 0 min since the previous session; 2 sessions in 7 days");
    expect(interval[0]!.message).toMatch(/at least 2160 h between sessions.*at most 1\./);
  });
});

describe("evaluateSessionFlags: titration steps are increases, in clinical time", () => {
  // CRPS multi-day: step ≤ 0.100 mg/kg/h; rates 0.100-0.700 after the start
  it.each<[string, number, number, boolean]>([
    ["+0.100 exactly", 200, 300, false],
    ["+0.101", 200, 301, true],
    ["-0.300 for side effects (0.600 -> 0.300)", 600, 300, false],
  ])("%s", (_label, from, to, flagged) => {
    const { conditions } = evaluate({
      limits: CRPS_MULTI,
      doseEvents: [dose("s", "START", T0, 100), dose("a", "RATE_CHANGE", T0 + 10 * MIN, from), dose("b", "RATE_CHANGE", T0 + 20 * MIN, to)],
      nowMs: T0 + 21 * MIN,
    });
    expect(keys(conditions).includes("TITRATION_STEP_TOO_LARGE:b")).toBe(flagged);
  });

  it("compares a back-timed rate change with the rate before it IN TIME", () => {
    // charted: START 0.100 @0, 0.200 @30 min; then, back-timed, 0.300 @20 min (entered at 35 min).
    // In time: 0.100 -> 0.300 (+0.200: flagged) -> 0.200 (a decrease: not flagged).
    const { conditions } = evaluate({
      limits: CRPS_MULTI,
      doseEvents: [dose("s", "START", T0, 100), dose("late", "RATE_CHANGE", T0 + 20 * MIN, 300, T0 + 35 * MIN), dose("b", "RATE_CHANGE", T0 + 30 * MIN, 200)],
      nowMs: T0 + 36 * MIN,
    });
    expect(keys(conditions).filter((k) => k.startsWith("TITRATION"))).toEqual(["TITRATION_STEP_TOO_LARGE:late"]);
    expect(conditions.find((c) => c.key === "TITRATION_STEP_TOO_LARGE:late")!.valueText).toBe("0.200 mg/kg/h step (0.100 → 0.300 mg/kg/h)");
  });
});

describe("evaluateSessionFlags: hard limits by route", () => {
  it("raises no HARD flag for the oral protocol's documented 1 mg/kg single dose", () => {
    // 1.000 mg/kg × 70 kg = 70000 µg; the day's total 1000 µg/kg is at (not above) the ceiling
    const { conditions } = evaluate({ limits: ORAL, session: { route: "PO" }, doseEvents: [dose("d", "BOLUS", T0, 70_000)] });
    expect(conditions.filter((c) => c.severity === "HARD")).toEqual([]);
    expect(keys(conditions)).toEqual([]);
  });
  it.each<[number, string[]]>([
    [139_999, ["CUMULATIVE_DOSE_ABOVE_RANGE:session"]], // 1.99999 mg/kg: above the 1 mg/kg/day total (SOFT), under the hard 2.000
    [140_000, ["BOLUS_ABOVE_HARD_LIMIT:d", "CUMULATIVE_DOSE_ABOVE_RANGE:session"]], // 2.000 mg/kg: at the oral hard limit
  ])("holds an oral dose of %d µg (70 kg) against the oral hard limit", (ug, expected) => {
    const { conditions } = evaluate({ limits: ORAL, session: { route: "PO" }, doseEvents: [dose("d", "BOLUS", T0, ug)] });
    expect(keys(conditions).sort()).toEqual(expected);
  });
  it("keeps the anaesthetic edge for IV", () => {
    const { conditions } = evaluate({ limits: IV_RANGE, doseEvents: [dose("s", "START", T0, 1000)] });
    expect(conditions.map((c) => [c.key, c.severity])).toEqual([["DOSE_ANESTHETIC_RANGE:s", "HARD"]]);
  });
});

describe("evaluateSessionFlags: boluses over a rolling 60 min", () => {
  // Guideline summary: no per-bolus soft limit, hard 1.000 mg/kg. 0.9 mg/kg × 70 kg = 63000 µg.
  it.each<[string, number, boolean]>([
    ["a minute apart: 1.8 mg/kg", MIN, true],
    ["60 min - 1 ms apart: still inside the window", 60 * MIN - 1, true],
    ["exactly 60 min apart: the first is outside the window", 60 * MIN, false],
  ])("two boluses of 0.9 mg/kg %s", (_label, gapMs, flagged) => {
    const { conditions } = evaluate({
      limits: GUIDELINE,
      doseEvents: [dose("b1", "BOLUS", T0, 63_000), dose("b2", "BOLUS", T0 + gapMs, 63_000)],
      nowMs: T0 + gapMs,
    });
    const stack = conditions.find((c) => c.key === "BOLUS_WINDOW_ABOVE_HARD_LIMIT:b2");
    expect(stack !== undefined).toBe(flagged);
    if (stack) {
      expect(stack.severity).toBe("HARD");
      // 126000 µg × 1000 / 70000 = 1800 µg/kg
      expect(stack.valueText).toBe("2 boluses in 60 min: 1.800 mg/kg (126.000 mg)");
    }
    expect(keys(conditions)).not.toContain("BOLUS_WINDOW_ABOVE_HARD_LIMIT:b1");
  });
});

describe("evaluateSessionFlags: session totals from exact micrograms, rounded once", () => {
  // Guideline summary ceiling 1000 µg/kg at 70 kg. A bolus of 70034 µg is 1000.486 µg/kg -> shown
  // 1.000 and not flagged; 70035 µg is 1000.5 -> 1.001 and flagged ("above 1.000" beside 1.001).
  it.each<[number, number, boolean]>([
    [70_000, 1000, false],
    [70_034, 1000, false],
    [70_035, 1001, true],
  ])("bolus %d µg -> %d µg/kg, flagged %s", (ug, perKg, flagged) => {
    const result = evaluate({ limits: GUIDELINE, doseEvents: [dose("b", "BOLUS", T0, ug)] });
    expect(result.dose.totalUgPerKg).toBe(perKg);
    const cumulative = result.conditions.find((c) => c.code === "CUMULATIVE_DOSE_ABOVE_RANGE");
    expect(cumulative !== undefined).toBe(flagged);
    if (cumulative) expect(cumulative.valueText).toBe("1.001 mg/kg (70.035 mg)");
  });

  it("keeps a fixed-dose session inside its rate and duration tolerances inside its total", () => {
    // CRPS outpatient: 0.385 mg/kg/h (top of the rate tolerance) for 264 min (top of the
    // duration tolerance) = 385 × 264 / 60 = 1694 µg/kg, exactly the derived ceiling.
    const result = evaluate({
      limits: CRPS_OUTPATIENT,
      doseEvents: [dose("s", "START", T0, 385), dose("x", "STOP", T0 + 264 * MIN)],
      vitals: [baselineSet, ...Array.from({ length: 17 }, (_, i) => vitals(`v${i}`, T0 + (i + 1) * 15 * MIN))],
      session: { status: "COMPLETED", completedAtMs: T0 + 270 * MIN },
      nowMs: T0 + 300 * MIN,
    });
    expect(result.dose.totalUgPerKg).toBe(1694);
    expect(keys(result.conditions)).toEqual([]);
  });
});

describe("evaluateSessionFlags: session length (CRPS outpatient 216-264 min)", () => {
  const everyQuarter = (untilMs: number) => [baselineSet, ...Array.from({ length: Math.floor((untilMs - T0) / (15 * MIN)) }, (_, i) => vitals(`q${i}`, T0 + (i + 1) * 15 * MIN))];
  it.each<[string, number, string | null]>([
    ["still running at exactly 264 min", 264 * MIN, null],
    ["still running 1 ms past 264 min: already too long", 264 * MIN + 1, "The infusion has run 4 h 24 min, longer than the documented 216-264 min. Give a reason."],
  ])("%s", (_label, offset, message) => {
    const { conditions } = evaluate({ limits: CRPS_OUTPATIENT, doseEvents: [dose("s", "START", T0, 350)], vitals: everyQuarter(T0 + offset), nowMs: T0 + offset });
    expect(conditions.find((c) => c.code === "DURATION_OUT_OF_RANGE")?.message ?? null).toBe(message);
  });
  it.each<[number, boolean]>([
    [216 * MIN - 1, true], // one ms short
    [216 * MIN, false], // exactly the shortest
  ])("stopped after %d ms: flagged %s, beside the STOP", (offset, flagged) => {
    const { conditions } = evaluate({
      limits: CRPS_OUTPATIENT,
      doseEvents: [dose("s", "START", T0, 350), dose("x", "STOP", T0 + offset)],
      vitals: everyQuarter(T0 + offset),
      session: { status: "COMPLETED", completedAtMs: T0 + offset + 5 * MIN },
      nowMs: T0 + 10 * H,
    });
    const duration = conditions.find((c) => c.code === "DURATION_OUT_OF_RANGE");
    expect(duration !== undefined).toBe(flagged);
    if (duration) expect(duration).toMatchObject({ key: "DURATION_OUT_OF_RANGE:session", source: { type: "DoseEvent", id: "x" } });
  });
});

describe("evaluateSessionFlags: side effects", () => {
  it.each<[number, string[]]>([
    [2, []],
    [3, ["SEVERE_SIDE_EFFECT:se"]],
  ])("severity %d -> %j", (severity, expected) => {
    const { conditions } = evaluate({ limits: IV_RANGE, sideEffects: [{ id: "se", atMs: T0, enteredAtMs: T0, kind: "NAUSEA", severity }] });
    expect(keys(conditions)).toEqual(expected);
  });
});

describe("evaluateSessionFlags: baseline and blood pressure", () => {
  // baseline = the newest set at or before START: 130/80 at -5 min (not the first set, 120/70 at -20 min)
  const pre = [vitals("early", T0 - 20 * MIN, [120, 70]), vitals("base", T0 - 5 * MIN, [130, 80])];
  it.each<[string, [number, number], boolean]>([
    ["SBP 155: +19.2%", [155, 80], false],
    ["SBP 156: 15600 = 130 × 120, exactly +20%", [156, 80], true],
    ["DBP 95: +18.75%", [150, 95], false],
    ["DBP 96: 9600 = 80 × 120, exactly +20%", [150, 96], true],
  ])("%s", (_label, bp, flagged) => {
    const { conditions } = evaluate({ limits: IV_RANGE, doseEvents: [dose("s", "START", T0, 200)], vitals: [...pre, vitals("after", T0 + 10 * MIN, bp)], nowMs: T0 + 11 * MIN });
    expect(keys(conditions).includes("BP_RISE_FROM_BASELINE:after")).toBe(flagged);
  });
  it("takes a set at START's own time as the baseline, and a set charted later but timed before START", () => {
    const { conditions } = evaluate({
      limits: IV_RANGE,
      doseEvents: [dose("s", "START", T0, 200)],
      vitals: [vitals("atStart", T0, [100, 60], T0 + 9 * MIN), vitals("after", T0 + 10 * MIN, [125, 75])], // 125 ≥ 120 = 100 × 1.2
      nowMs: T0 + 11 * MIN,
    });
    expect(keys(conditions)).toEqual(["BP_RISE_FROM_BASELINE:after"]);
  });
  it("raises BASELINE_VITALS_MISSING at START when no set precedes it", () => {
    const { conditions } = evaluate({ limits: IV_RANGE, doseEvents: [dose("s", "START", T0, 200)], vitals: [vitals("after", T0 + MIN, [200, 80])], nowMs: T0 + 2 * MIN });
    expect(conditions.map((c) => [c.key, c.severity])).toEqual([["BASELINE_VITALS_MISSING:s", "SOFT"], ["SBP_HIGH:after", "SOFT"]]);
  });
});

describe("evaluateSessionFlags: the clock", () => {
  it.each<[number, string[]]>([
    [15 * MIN, []],
    [15 * MIN + 1, ["VITALS_OVERDUE:" + String(T0)]],
  ])("with nothing charted after START, at START + %d ms", (offset, expected) => {
    const { conditions, vitals: schedule } = evaluate({ limits: IV_RANGE, doseEvents: [dose("s", "START", T0, 200)], nowMs: T0 + offset });
    expect(keys(conditions)).toEqual(expected);
    expect(schedule.nextDueAtMs).toBe(T0 + 15 * MIN);
  });
  it("keeps the late gap's flag (same key) once the set is charted", () => {
    const late = evaluate({ limits: IV_RANGE, doseEvents: [dose("s", "START", T0, 200)], vitals: [baselineSet, vitals("v", T0 + 22 * MIN)], nowMs: T0 + 23 * MIN });
    expect(late.conditions.map((c) => [c.key, c.valueText, c.source])).toEqual([["VITALS_OVERDUE:" + String(T0), "22 min without vitals since the start", { type: "DoseEvent", id: "s" }]]);
  });
});

describe("evaluateSessionFlags: guards as session conditions", () => {
  it.each<[Partial<SessionFacts>, string[]]>([
    [{ concentrationUgPerMl: 1000 }, []],
    [{ concentrationUgPerMl: 1500 }, ["CONCENTRATION_NOT_STANDARD:session"]],
    [{ concentrationUgPerMl: 50_000 }, ["CONCENTRATION_STOCK_VIAL:session", "PUMP_RATE_ROUNDING:s"]],
    [{ concentrationUgPerMl: 50_000, route: "PO" as ProtocolRoute }, []], // nothing is pumped
    [{ weightG: 154_000 }, ["WEIGHT_CHANGE_LARGE:session"]],
  ])("%j -> %j", (session, expected) => {
    // 0.1 mg/kg/h at 70 kg and 50 mg/mL: 0.14 mL/h -> pump 0.1 mL/h, 28.6% under
    const { conditions } = evaluate({ limits: IV_RANGE, doseEvents: [dose("s", "START", T0, 100)], session });
    expect(keys(conditions).sort()).toEqual(expected);
    const stock = conditions.find((c) => c.code === "CONCENTRATION_STOCK_VIAL");
    if (stock) expect(stock.severity).toBe("HARD");
    const pump = conditions.find((c) => c.code === "PUMP_RATE_ROUNDING");
    if (pump) expect(pump.valueText).toBe("0.1 mL/h delivers 0.071 mg/kg/h (ordered 0.100 mg/kg/h)");
  });
});

describe("reconcileFlags", () => {
  const stored = (key: string, status: StoredFlag["status"], over: Partial<StoredFlag> = {}): StoredFlag => ({
    id: `f-${key}-${status}`, key, status, severity: FLAG_SEVERITY[key.split(":")[0] as keyof typeof FLAG_SEVERITY] ?? "SOFT",
    raisedAtMs: T0 + 6 * MIN, sourceType: "DoseEvent", sourceId: key.split(":")[1] ?? null, ...over,
  });

  it("resolves the 0.5's rate flag when a correction replaces it by 0.3, and keeps other acknowledgements", () => {
    // Neuropathic: 0.100-0.300 mg/kg/h. Charted START 0.200, then 0.500 at 5 min (RATE_ABOVE_RANGE).
    const rows = [dose("s", "START", T0, 200), dose("r5", "RATE_CHANGE", T0 + 5 * MIN, 500)];
    const before = evaluate({ limits: NEUROPATHIC, doseEvents: rows, nowMs: T0 + 6 * MIN });
    expect(keys(before.conditions)).toEqual(["RATE_ABOVE_RANGE:r5"]);

    // the nurse corrects it to 0.300 (a new row pointing at r5), at 8 min
    const correction = { ...dose("r3", "RATE_CHANGE", T0 + 5 * MIN, 300, T0 + 8 * MIN), correctsId: "r5", isRetraction: false };
    const charted = [...rows.map((r) => ({ ...r, correctsId: null, isRetraction: false })), correction];
    const after = evaluate({ limits: NEUROPATHIC, doseEvents: effectiveRows(charted), nowMs: T0 + 9 * MIN });
    expect(keys(after.conditions)).toEqual([]);

    const result = reconcileFlags({
      stored: [stored("RATE_ABOVE_RANGE:r5", "ACKNOWLEDGED")],
      conditions: after.conditions,
      chartedRows: charted,
    });
    expect(result.toRaise).toEqual([]);
    expect(result.toResolve.map((r) => [r.flag.key, r.cause, r.resolutionText])).toEqual([["RATE_ABOVE_RANGE:r5", "CORRECTED", "corrected"]]);
    expect(result.unchanged).toEqual([]);
  });

  const condition = (key: string): FlagCondition => ({
    key, code: "RATE_ABOVE_RANGE", severity: "SOFT", valueText: "v", limitText: "l", message: "m", source: { type: "DoseEvent", id: key.split(":")[1]! }, atMs: T0,
  });
  const charted = (id: string, atMs: number, enteredAtMs: number, correctsId: string | null = null, isRetraction = false): ChartedRow => ({ id, atMs, enteredAtMs, correctsId, isRetraction });

  it("keeps an acknowledged flag acknowledged while its condition holds; raises only the new ones", () => {
    const flag = stored("RATE_ABOVE_RANGE:a", "ACKNOWLEDGED");
    const result = reconcileFlags({ stored: [flag], conditions: [condition("RATE_ABOVE_RANGE:a"), condition("RATE_ABOVE_RANGE:b")] });
    expect(result.unchanged).toEqual([{ flag, condition: condition("RATE_ABOVE_RANGE:a") }]);
    expect(result.toRaise.map((c) => c.key)).toEqual(["RATE_ABOVE_RANGE:b"]);
    expect(result.toResolve).toEqual([]);
  });

  it("raises a new flag when a resolved condition comes back, and never touches the resolved one", () => {
    const old = stored("RATE_ABOVE_RANGE:a", "RESOLVED");
    const result = reconcileFlags({ stored: [old], conditions: [condition("RATE_ABOVE_RANGE:a")] });
    expect(result.toRaise.map((c) => c.key)).toEqual(["RATE_ABOVE_RANGE:a"]);
    expect(result.unchanged).toEqual([{ flag: old, condition: null }]);
  });

  it.each<[string, ChartedRow[], string]>([
    // the flag was raised at T0 + 6 min
    ["the source row retracted", [charted("x", T0, T0 + 40 * MIN, "a", true)], "retracted (entered in error)"],
    ["the source row corrected", [charted("a2", T0, T0 + 40 * MIN, "a")], "corrected"],
    ["an entry charted after the flag, timed before it", [charted("late", T0 + 5 * MIN, T0 + 40 * MIN)], "re-ordered by a back-timed entry"],
    ["an entry charted after the flag, timed after it", [charted("next", T0 + 7 * MIN, T0 + 7 * MIN)], "condition no longer holds"],
    ["nothing charted since", [charted("a", T0, T0 + 5 * MIN)], "condition no longer holds"],
  ])("says what resolved a flag: %s", (_label, rows, text) => {
    const result = reconcileFlags({ stored: [stored("RATE_ABOVE_RANGE:a", "OPEN")], conditions: [], chartedRows: rows });
    expect(result.toResolve.map((r) => r.resolutionText)).toEqual([text]);
  });

  it("keeps the oldest of two live flags of one key and resolves the other as a duplicate", () => {
    const first = stored("SESSION_INTERVAL_TOO_SHORT:session", "ACKNOWLEDGED", { id: "f1", raisedAtMs: T0 });
    const second = stored("SESSION_INTERVAL_TOO_SHORT:session", "OPEN", { id: "f2", raisedAtMs: T0 + 1 });
    const result = reconcileFlags({ stored: [second, first], conditions: [condition("SESSION_INTERVAL_TOO_SHORT:session")] });
    expect(result.unchanged.map((u) => u.flag.id)).toEqual(["f1"]);
    expect(result.toResolve.map((r) => [r.flag.id, r.cause])).toEqual([["f2", "DUPLICATE"]]);
    expect(result.toRaise).toEqual([]);
  });
});

describe("canSign", () => {
  it.each<[StoredFlag["status"], "SOFT" | "HARD", boolean]>([
    ["OPEN", "HARD", false],
    ["ACKNOWLEDGED", "HARD", true],
    ["RESOLVED", "HARD", true],
    ["OPEN", "SOFT", true],
  ])("a %s %s flag -> %s", (status, severity, expected) => {
    expect(canSign([{ status, severity }, { status: "ACKNOWLEDGED", severity: "HARD" }])).toBe(expected);
  });
});

describe("property: charting order never changes the flags or the totals", () => {
  // A timeline with distinct clinical times (ties are broken by entry time by design), charted
  // (a) in time order, each row when it happened, and (b) in any order, back-timed: the k-th
  // charted row is entered at the end of the session + k minutes.
  const rateArb = fc.constantFrom(50, 100, 200, 300, 350, 500, 700, 800, 1000);
  const doseArb = fc.record({
    type: fc.constantFrom<DoseEventType>("RATE_CHANGE", "RATE_CHANGE", "BOLUS", "PAUSE", "RESUME", "STOP"),
    rate: rateArb,
    bolusUg: fc.constantFrom(7_000, 35_000, 63_000, 70_000),
  });
  const timelineArb = fc
    .record({
      startRate: rateArb,
      events: fc.array(doseArb, { maxLength: 8 }),
      vitalsCount: fc.integer({ min: 0, max: 6 }),
      sbps: fc.array(fc.integer({ min: 100, max: 200 }), { minLength: 7, maxLength: 7 }),
      baseline: fc.boolean(),
      times: fc.uniqueArray(fc.integer({ min: 1, max: 600 }), { minLength: 14, maxLength: 14 }),
      limitsIndex: fc.integer({ min: 0, max: SEEDED_PROTOCOLS.length - 1 }),
      seed: fc.integer(),
    })
    .map((t) => {
      const doseEvents: TimelineDoseEvent[] = [dose("d0", "START", T0, t.startRate, T0)];
      t.events.forEach((e, i) => doseEvents.push(dose(`d${i + 1}`, e.type, T0 + t.times[i]! * MIN, e.type === "BOLUS" ? e.bolusUg : e.rate, T0)));
      const vitalRows: TimelineVitals[] = [];
      if (t.baseline) vitalRows.push(vitals("v-base", T0 - 5 * MIN, [130, 80], T0));
      for (let i = 0; i < t.vitalsCount; i++) vitalRows.push(vitals(`v${i}`, T0 + t.times[8 + i]! * MIN + 30_000, [t.sbps[i]!, 80], T0));
      return { t, doseEvents, vitalRows, limits: SEEDED_PROTOCOLS[t.limitsIndex]!.limits };
    });

  const run = (limits: ProtocolLimits, doseEvents: TimelineDoseEvent[], vitalRows: TimelineVitals[]) => {
    const result = evaluateSessionFlags({ limits, session: facts(), timeline: { doseEvents, vitals: vitalRows, sideEffects: [] }, nowMs: T0 + 11 * H });
    return { conditions: result.conditions, dose: result.dose, vitals: result.vitals };
  };

  it("gives the same conditions, totals and vitals schedule as charting in time order", () => {
    fc.assert(
      fc.property(timelineArb, fc.array(fc.nat(), { minLength: 30, maxLength: 30 }), ({ doseEvents, vitalRows, limits }, shuffleKeys) => {
        const inTimeOrder = run(limits, doseEvents.map((r) => ({ ...r, enteredAtMs: r.atMs })), vitalRows.map((r) => ({ ...r, enteredAtMs: r.atMs })));
        // any charting order: sort by random keys, then enter one a minute after the session
        const all = [...doseEvents.map((r) => ({ kind: "dose" as const, r })), ...vitalRows.map((r) => ({ kind: "vitals" as const, r }))];
        const order = all.map((row, i) => ({ row, key: shuffleKeys[i] ?? i, i })).sort((a, b) => a.key - b.key || a.i - b.i);
        const enteredAt = new Map(order.map((o, k) => [o.row.r.id, T0 + 10 * H + k * MIN]));
        const shuffled = order.map((o) => o.row);
        const anyOrder = run(
          limits,
          shuffled.filter((x) => x.kind === "dose").map((x) => ({ ...(x.r as TimelineDoseEvent), enteredAtMs: enteredAt.get(x.r.id)! })),
          shuffled.filter((x) => x.kind === "vitals").map((x) => ({ ...(x.r as TimelineVitals), enteredAtMs: enteredAt.get(x.r.id)! })),
        );
        expect(anyOrder).toEqual(inTimeOrder);
        // one condition per key
        expect(new Set(keys(inTimeOrder.conditions)).size).toBe(inTimeOrder.conditions.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe("conditionsRaisedBy: what one entry would add (the live badge and the server's override test)", () => {
  // CRPS multi-day: titration step 0.100 mg/kg/h. Running at 0.200 since START.
  const timeline = { doseEvents: [dose("s", "START", T0, 200)], vitals: [baselineSet, vitals("v1", T0 + 5 * MIN)], sideEffects: [] };
  const raised = (rateUgPerKgPerH: number, liveKeys: string[] = [], correctsId: string | null = null) =>
    keys(conditionsRaisedBy({
      limits: CRPS_MULTI, session: facts(), timeline, liveKeys: new Set(liveKeys), nowMs: T0 + 10 * MIN,
      candidate: { type: "DoseEvent", row: dose("c", "RATE_CHANGE", T0 + 10 * MIN, rateUgPerKgPerH), correctsId },
    }));
  it("a step of exactly the limit (0.200 → 0.300) raises nothing", () => expect(raised(300)).toEqual([]));
  it("one µg/kg/h over (0.200 → 0.301) raises the step condition of this entry", () =>
    expect(raised(301)).toEqual(["TITRATION_STEP_TOO_LARGE:c"]));
  it("a condition that is already a live flag is not raised again", () => {
    const before = keys(conditionsRaisedBy({
      limits: CRPS_MULTI, session: facts(), timeline, liveKeys: new Set(), nowMs: T0 + 10 * MIN,
      candidate: { type: "DoseEvent", row: dose("c", "RATE_CHANGE", T0 + 10 * MIN, 301) },
    }));
    expect(raised(301, before)).toEqual([]);
  });
  it("a decrease (0.200 → 0.050) raises no step condition", () => expect(raised(50).filter((k) => k.startsWith("TITRATION"))).toEqual([]));
  it("a correction is judged on the timeline without the row it replaces: correcting START 0.200 to 0.400 is a START, not a step", () => {
    const k = keys(conditionsRaisedBy({
      limits: CRPS_MULTI, session: facts(), timeline, liveKeys: new Set(), nowMs: T0 + 10 * MIN,
      candidate: { type: "DoseEvent", row: dose("c", "START", T0, 400), correctsId: "s" },
    }));
    expect(k.filter((x) => x.startsWith("TITRATION"))).toEqual([]);
  });
});
