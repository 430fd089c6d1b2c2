import { describe, expect, it } from "vitest";
import {
  compareByChair, newlyOverdueKeys, sortTiles, tileClinical, tileLive, urgencyRank, VITALS_DUE_SOON_MS,
  type BoardDoseRow, type BoardFlag, type BoardPainRow, type BoardSessionInput, type BoardVitalsRow, type SortableTile,
} from "./board";
import { NEW_PROTOCOL_DEFAULT_LIMITS, type ProtocolLimits } from "./protocol";
import { vitalsSchedule } from "./vitals-schedule";

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 30, 9); // START at 09:00 UTC
// 15-min vitals, 5 min after an increase [default]; cumulative limit 1.000 mg/kg; pump 0.1 mL/h steps
const limits: ProtocolLimits = { ...NEW_PROTOCOL_DEFAULT_LIMITS, vitalsIntervalMin: 15, vitalsAfterIncreaseMin: 5, maxCumulativeUgPerKg: 1000, maxCumulativeUg: null, pumpStepCentiMlPerH: 10, pumpRoundingTolerancePct: 5 };

const row = (id: string, atMs: number) => ({ id, atMs, enteredAtMs: atMs, correctsId: null, isRetraction: false });
const start = (rate: number, atMs = T0): BoardDoseRow => ({ ...row("start", atMs), type: "START", rateUgPerKgPerH: rate });
const change = (id: string, rate: number, atMs: number): BoardDoseRow => ({ ...row(id, atMs), type: "RATE_CHANGE", rateUgPerKgPerH: rate });
const pause = (atMs: number): BoardDoseRow => ({ ...row("pause", atMs), type: "PAUSE" });
const stop = (atMs: number): BoardDoseRow => ({ ...row("stop", atMs), type: "STOP" });
const vitals = (id: string, atMs: number, over: Partial<BoardVitalsRow> = {}): BoardVitalsRow => ({
  ...row(id, atMs), systolicMmHg: 120, diastolicMmHg: 80, heartRatePerMin: 72, spo2Pct: 98, respRatePerMin: 14, sedationRass: 0, ...over,
});
const pain = (id: string, atMs: number, score: number, phase = "INTRA"): BoardPainRow => ({ ...row(id, atMs), score, scale: "NRS", phase });
const flag = (id: string, severity: "SOFT" | "HARD", raisedAtMs: number, over: Partial<BoardFlag> = {}): BoardFlag => ({
  id, code: severity === "HARD" ? "RATE_AT_OR_ABOVE_HARD" : "SBP_HIGH", severity, message: id, valueText: "", limitText: "",
  sourceType: null, sourceId: null, status: "OPEN", raisedAtMs, ...over,
});

// 70 kg, 1 mg/mL
const session = (over: Partial<BoardSessionInput> = {}): BoardSessionInput => ({
  weightG: 70_000, concentrationUgPerMl: 1000, limits, doseEvents: [], vitals: [], pain: [], flags: [], ...over,
});

describe("tileLive: state, elapsed, rate, pump, cumulative", () => {
  it("running at 0.500 mg/kg/h for 30 min, 70 kg, 1 mg/mL", () => {
    const c = tileClinical(session({ doseEvents: [start(500)] }));
    const live = tileLive(c, T0 + 30 * MIN);
    // 0.5 mg/kg/h × 0.5 h = 0.250 mg/kg = 250 µg/kg; × 70 kg = 17.5 mg = 17 500 µg
    // pump: 0.5 mg/kg/h × 70 kg / 1 mg/mL = 35.0 mL/h
    expect(live).toMatchObject({
      state: "RUNNING", elapsedMs: 30 * MIN, sinceStopMs: null, rateUgPerKgPerH: 500, pausedAtRateUgPerKgPerH: null,
      pumpMlPerHText: "35.0", cumulativeUg: 17_500, cumulativeUgPerKg: 250, cumulativePctOfLimit: 25,
    });
  });

  it("paused: no running rate, no pump, the set rate shown, elapsed keeps counting from START", () => {
    const c = tileClinical(session({ doseEvents: [start(500), pause(T0 + 12 * MIN)] }));
    const live = tileLive(c, T0 + 20 * MIN);
    // 0.5 mg/kg/h × 12 min = 100 µg/kg
    expect(live).toMatchObject({ state: "PAUSED", rateUgPerKgPerH: null, pausedAtRateUgPerKgPerH: 500, pumpMlPerHText: null, cumulativeUgPerKg: 100, elapsedMs: 20 * MIN });
  });

  it("stopped but open: COMPLETING, elapsed to the STOP, time since the STOP, nothing due", () => {
    const c = tileClinical(session({ doseEvents: [start(500), stop(T0 + 40 * MIN)], vitals: [vitals("v1", T0 + 15 * MIN), vitals("v2", T0 + 30 * MIN)] }));
    const live = tileLive(c, T0 + 55 * MIN);
    expect(live).toMatchObject({ state: "COMPLETING", elapsedMs: 40 * MIN, sinceStopMs: 15 * MIN, rateUgPerKgPerH: null, nextVitalsDueAtMs: null, msUntilVitalsDue: null, isVitalsOverdue: false });
    // 0.5 × 40/60 = 0.3333 mg/kg -> 333 µg/kg (half up), 33 %
    expect(live.cumulativeUgPerKg).toBe(333);
    expect(live.cumulativePctOfLimit).toBe(33);
  });

  it("open before START: NOT_STARTED, nothing due, nothing given", () => {
    const c = tileClinical(session({ vitals: [vitals("baseline", T0 - 5 * MIN)] }));
    expect(tileLive(c, T0)).toMatchObject({ state: "NOT_STARTED", elapsedMs: null, rateUgPerKgPerH: null, cumulativeUg: 0, nextVitalsDueAtMs: null, isVitalsOverdue: false });
    // the baseline is still the last vitals set shown
    expect(c.lastVitals?.id).toBe("baseline");
  });

  it("without a cumulative limit there is no percentage", () => {
    const c = tileClinical(session({ limits: { ...limits, maxCumulativeUgPerKg: null }, doseEvents: [start(500)] }));
    expect(tileLive(c, T0 + 60 * MIN).cumulativePctOfLimit).toBeNull();
  });

  it("at the cumulative limit exactly: 100 %", () => {
    // 1.000 mg/kg/h for 60 min = 1000 µg/kg = the limit
    const c = tileClinical(session({ doseEvents: [start(1000)] }));
    expect(tileLive(c, T0 + 60 * MIN).cumulativePctOfLimit).toBe(100);
    expect(tileLive(c, T0 + 60 * MIN - 3_600).cumulativePctOfLimit).toBe(99); // 999 µg/kg
  });
});

describe("tileLive: the vitals countdown at every boundary", () => {
  const c = tileClinical(session({ doseEvents: [start(500)] }));
  it.each<[string, number, number, boolean]>([
    ["one ms before the due time", 15 * MIN - 1, 1, false],
    ["exactly at the due time: due now, not overdue", 15 * MIN, 0, false],
    ["one ms after the due time: overdue", 15 * MIN + 1, -1, true],
  ])("%s", (_label, offset, msUntil, overdue) => {
    const live = tileLive(c, T0 + offset);
    expect(live.nextVitalsDueAtMs).toBe(T0 + 15 * MIN);
    expect(live.msUntilVitalsDue).toBe(msUntil);
    expect(live.isVitalsOverdue).toBe(overdue);
  });

  it("agrees with vitalsSchedule (the chart's function) around the due time", () => {
    for (const offset of [15 * MIN - 1, 15 * MIN, 15 * MIN + 1]) {
      const s = vitalsSchedule({ limits: { vitalsIntervalMin: 15, vitalsAfterIncreaseMin: 5 }, doseEvents: [start(500)], vitals: [], completedAtMs: null, nowMs: T0 + offset });
      expect(tileLive(c, T0 + offset).isVitalsOverdue).toBe(s.isOverdue);
    }
  });

  it("a set at +10 min moves the due time to +25 min; a rate increase at +12 brings it to +17", () => {
    expect(tileClinical(session({ doseEvents: [start(500)], vitals: [vitals("v", T0 + 10 * MIN)] })).nextVitalsDueAtMs).toBe(T0 + 25 * MIN);
    expect(tileClinical(session({ doseEvents: [start(500), change("up", 600, T0 + 12 * MIN)], vitals: [vitals("v", T0 + 10 * MIN)] })).nextVitalsDueAtMs).toBe(T0 + 17 * MIN);
  });

  it("a retracted vitals set does not count", () => {
    const retracted = { ...vitals("v", T0 + 10 * MIN) };
    const retraction = { ...vitals("r", T0 + 10 * MIN), correctsId: "v", isRetraction: true };
    const c2 = tileClinical(session({ doseEvents: [start(500)], vitals: [retracted, retraction] }));
    expect(c2.nextVitalsDueAtMs).toBe(T0 + 15 * MIN);
    expect(c2.lastVitals).toBeNull();
  });
});

describe("tileClinical: last vitals, last pain, open flags", () => {
  it("the last vitals by clinical time (not charting order), with their stored, unresolved flags HARD first", () => {
    const late = { ...vitals("early", T0 + 5 * MIN), enteredAtMs: T0 + 40 * MIN }; // back-timed
    const last = vitals("last", T0 + 20 * MIN, { systolicMmHg: 172 });
    const c = tileClinical(session({
      doseEvents: [start(500)], vitals: [last, late],
      flags: [
        flag("sbp", "SOFT", T0 + 20 * MIN, { sourceType: "VitalSigns", sourceId: "last" }),
        flag("hardv", "HARD", T0 + 21 * MIN, { sourceType: "VitalSigns", sourceId: "last", status: "ACKNOWLEDGED" }),
        flag("gone", "SOFT", T0 + 20 * MIN, { sourceType: "VitalSigns", sourceId: "last", status: "RESOLVED" }),
        flag("other", "SOFT", T0 + 5 * MIN, { sourceType: "VitalSigns", sourceId: "early" }),
      ],
    }));
    expect(c.lastVitals?.id).toBe("last");
    expect(c.lastVitals?.systolicMmHg).toBe(172);
    expect(c.lastVitals?.flags.map((f) => f.id)).toEqual(["hardv", "sbp"]);
  });

  it("open flags: OPEN only, HARD first, then the oldest", () => {
    const c = tileClinical(session({
      flags: [
        flag("soft-old", "SOFT", T0), flag("hard-new", "HARD", T0 + 2 * MIN), flag("hard-old", "HARD", T0 + MIN),
        flag("acked", "HARD", T0, { status: "ACKNOWLEDGED" }), flag("resolved", "HARD", T0, { status: "RESOLVED" }),
      ],
    }));
    expect(c.openFlags.map((f) => f.id)).toEqual(["hard-old", "hard-new", "soft-old"]);
  });

  it("the last pain score in force; none charted is null", () => {
    expect(tileClinical(session()).lastPain).toBeNull();
    const c = tileClinical(session({ pain: [pain("pre", T0 - 10 * MIN, 7, "PRE"), pain("intra", T0 + 30 * MIN, 4)] }));
    expect(c.lastPain).toEqual({ atMs: T0 + 30 * MIN, score: 4, scale: "NRS", phase: "INTRA" });
  });
});

describe("sorting", () => {
  const NOW = T0 + 30 * MIN;
  const tile = (name: string, sortOrder: number, clinical: SortableTile["clinical"]): SortableTile & { name: string } => ({ name, chair: { name, sortOrder }, clinical });
  const occupied = (nextVitalsDueAtMs: number | null, openFlags: BoardFlag[] = []) => ({ nextVitalsDueAtMs, openFlags });

  it.each<[string, SortableTile["clinical"], number]>([
    ["a free chair", null, 4],
    ["overdue by 1 ms", occupied(NOW - 1), 0],
    ["due exactly now: due soon, not overdue", occupied(NOW), 2],
    ["an open HARD flag, vitals not due", occupied(NOW + 10 * MIN, [flag("h", "HARD", T0)]), 0],
    ["an open SOFT flag", occupied(NOW + 10 * MIN, [flag("s", "SOFT", T0)]), 1],
    ["due at the due-soon edge", occupied(NOW + VITALS_DUE_SOON_MS), 2],
    ["due one ms beyond it", occupied(NOW + VITALS_DUE_SOON_MS + 1), 3],
    ["nothing due (stopped)", occupied(null), 3],
  ])("urgencyRank: %s", (_l, clinical, rank) => {
    expect(urgencyRank({ chair: { name: "x", sortOrder: 1 }, clinical }, NOW)).toBe(rank);
  });

  it("by urgency: overdue and HARD first (both before either), soft, due soon, others, free", () => {
    const tiles = [
      tile("free", 1, null),
      tile("calm", 2, occupied(NOW + 10 * MIN)),
      tile("soft", 3, occupied(NOW + 10 * MIN, [flag("s", "SOFT", T0)])),
      tile("overdue", 4, occupied(NOW - MIN)),
      tile("hard+overdue", 5, occupied(NOW - 1, [flag("h", "HARD", T0)])),
      tile("hard", 6, occupied(NOW + 10 * MIN, [flag("h2", "HARD", T0)])),
      tile("soon", 7, occupied(NOW + 2 * MIN)),
      tile("stopped", 8, occupied(null)),
    ];
    // rank 0: hard+overdue (2 conditions), then overdue (due earlier) and hard (due later)
    expect(sortTiles(tiles, "urgency", NOW).map((t) => t.name)).toEqual(["hard+overdue", "overdue", "hard", "soft", "soon", "calm", "stopped", "free"]);
  });

  it("by chair: sortOrder then name, sessions without a chair first", () => {
    const unassigned = { name: "none", chair: null, clinical: occupied(NOW + MIN) };
    const tiles = [tile("B", 2, null), tile("A", 2, null), tile("C", 1, occupied(NOW - MIN)), unassigned];
    expect(sortTiles(tiles, "chair", NOW).map((t) => t.name)).toEqual(["none", "C", "A", "B"]);
    expect(compareByChair(unassigned, unassigned)).toBe(0);
  });
});

describe("newlyOverdueKeys: what the board's live region says, once per change of stage", () => {
  it.each([
    ["first look: nothing, even when some are overdue", null, ["a", "b"], []],
    ["nothing overdue", new Set<string>(), [], []],
    ["the same chairs still overdue a second later: silent", new Set(["a"]), ["a"], []],
    ["a chair turns overdue: that chair", new Set(["a"]), ["a", "b"], ["b"]],
    ["two turn overdue at once: both, in board order", new Set<string>(), ["c", "a"], ["c", "a"]],
    ["a chair's vitals charted (no longer overdue): silent", new Set(["a", "b"]), ["b"], []],
    ["overdue again after being charted: said again", new Set<string>(), ["a"], ["a"]],
  ] as const)("%s", (_label, previous, now, expected) => {
    expect(newlyOverdueKeys(previous, now)).toEqual(expected);
  });
});
