import { describe, expect, it } from "vitest";
import { SEEDED_PROTOCOLS } from "./protocol-catalog";
import type { ProtocolLimits } from "./protocol";
import {
  chartRows,
  compareSeries,
  dayNumber,
  MAX_CHART_POINTS,
  nrsOf,
  painChartPoints,
  plannedDateOf,
  summarizeSeries,
  type SummaryPainScore,
  type SummarySessionInput,
} from "./series-summary";

const H = 3_600_000;
const DAY = 24 * H;
// CRPS outpatient: documented 315-385 µg/kg/h, cumulative ceiling 1540 µg/kg, hard 1000.
const LIMITS: ProtocolLimits = SEEDED_PROTOCOLS.find((p) => p.name.startsWith("CRPS outpatient"))!.limits;
const START = Date.UTC(2026, 2, 2, 14); // 2026-03-02 14:00Z, a Monday

/** A 4 h session at `rate` µg/kg/h on day `day` after START, 70 kg. */
function session(seq: number, day: number, opts: {
  rate?: number; pre?: [number, "NRS" | "VAS"] | null; post?: [number, "NRS" | "VAS"] | null;
  followUps?: [number, number, ("NRS" | "VAS")?][]; sideEffects?: { kind: string; severity: number }[];
  flags?: SummarySessionInput["flags"]; status?: SummarySessionInput["status"]; durationH?: number;
} = {}): SummarySessionInput {
  const opened = START + day * DAY;
  const rate = opts.rate ?? 350;
  const durationH = opts.durationH ?? 4;
  const stop = opened + durationH * H;
  const pain: SummaryPainScore[] = [];
  if (opts.pre !== null) pain.push({ atMs: opened, score: (opts.pre ?? [8, "NRS"])[0], scale: (opts.pre ?? [8, "NRS"])[1], phase: "PRE" });
  if (opts.post !== null) pain.push({ atMs: stop + 15 * 60_000, score: (opts.post ?? [4, "NRS"])[0], scale: (opts.post ?? [4, "NRS"])[1], phase: "POST" });
  for (const [afterDays, score, scale] of opts.followUps ?? []) pain.push({ atMs: stop + afterDays * DAY, score, scale: scale ?? "NRS", phase: "FOLLOW_UP" });
  return {
    id: `s${seq}`, sequence: seq, status: opts.status ?? "SIGNED", openedAtMs: opened,
    date: new Date(opened).toISOString().slice(0, 10), completedAtMs: stop + 30 * 60_000, weightG: 70_000,
    doseEvents: [
      { type: "START", atMs: opened, rateUgPerKgPerH: rate },
      { type: "STOP", atMs: stop },
    ],
    pain, sideEffects: opts.sideEffects ?? [], flags: opts.flags ?? [],
  };
}

const summarize = (sessions: SummarySessionInput[], over: Partial<{ plannedSessions: number; intervalDays: number | null }> = {}) =>
  summarizeSeries({ sessions, limits: LIMITS, plannedSessions: over.plannedSessions ?? 6, intervalDays: over.intervalDays === undefined ? 7 : over.intervalDays, startDate: "2026-03-02", nowMs: START + 100 * DAY });

describe("calendar helpers", () => {
  it.each([
    ["1970-01-01", 0], ["1970-01-02", 1], ["2026-03-02", 20514],
  ])("dayNumber(%s) = %d", (d, n) => expect(dayNumber(d)).toBe(n));
  it.each<[string, number | null, number, string | null]>([
    ["2026-03-02", 7, 1, "2026-03-02"],
    ["2026-03-02", 7, 3, "2026-03-16"],
    ["2026-02-26", 3, 2, "2026-03-01"], // across the end of February
    ["2026-03-02", null, 2, null],
    ["2026-03-02", 0, 2, null],
  ])("plannedDateOf(%s, %j, %d) = %j", (start, interval, seq, expected) => expect(plannedDateOf(start, interval, seq)).toBe(expected));
  it.each<[number, "NRS" | "VAS", number]>([[7, "NRS", 7], [65, "VAS", 6.5], [0, "VAS", 0], [100, "VAS", 10]])("nrsOf(%d %s) = %d", (score, scale, nrs) =>
    expect(nrsOf({ score, scale })).toBe(nrs));
});

describe("summarizeSeries: per-session rows", () => {
  it("computes relief, dose and zones per session (hand-computed)", () => {
    const s = summarize([
      session(1, 0, { pre: [8, "NRS"], post: [4, "NRS"] }), // 50%; 350 × 4 = 1400 µg/kg
      session(2, 7, { pre: [7, "NRS"], post: [5, "NRS"], rate: 400 }), // 28.6%; 400 above 385; 1600 under the derived 1694 (385 × 264 / 60)
      session(3, 14, { pre: [80, "VAS"], post: [30, "VAS"] }), // 62.5%
    ]);
    expect(s.rows.map((r) => r.reliefPct)).toEqual([50, 28.6, 62.5]);
    expect(s.rows.map((r) => r.totalUgPerKg)).toEqual([1400, 1600, 1400]);
    expect(s.rows.map((r) => r.totalMgPerKg)).toEqual([1.4, 1.6, 1.4]);
    expect(s.rows.map((r) => r.peakRateMgPerKgPerH)).toEqual([0.35, 0.4, 0.35]);
    expect(s.rows.map((r) => r.peakRateZone)).toEqual(["IN_RANGE", "ABOVE_SOFT", "IN_RANGE"]);
    expect(s.rows.map((r) => r.totalZone)).toEqual(["IN_RANGE", "IN_RANGE", "IN_RANGE"]);
    expect(s.rows.map((r) => [r.preNrs, r.postNrs])).toEqual([[8, 4], [7, 5], [8, 3]]);
    expect(s.dose).toEqual({ meanTotalMgPerKg: 1.467, maxPeakRateMgPerKgPerH: 0.4, sessionsOutsideBand: 1 }); // 4400/3 = 1466.7 -> 1467 µg/kg
  });

  it("classifies the peak at the band edges exactly (385 in, 386 above, 1000 hard)", () => {
    const s = summarize([session(1, 0, { rate: 385 }), session(2, 7, { rate: 386 }), session(3, 14, { rate: 1000, durationH: 1 }), session(4, 21, { rate: 315 }), session(5, 28, { rate: 314 }), session(6, 35, { rate: 847, durationH: 2 }), session(7, 42, { rate: 848, durationH: 2 })]);
    expect(s.rows.map((r) => r.peakRateZone)).toEqual(["IN_RANGE", "ABOVE_SOFT", "AT_OR_ABOVE_HARD", "IN_RANGE", "BELOW_SOFT", "ABOVE_SOFT", "ABOVE_SOFT"]);
    // ceiling derived 385 × 264 / 60 = 1694 µg/kg (inclusive): 386 × 4 = 1544 in; 847 × 2 = 1694 exactly at; 848 × 2 = 1696 above
    expect(s.rows.map((r) => r.totalZone)).toEqual(["IN_RANGE", "IN_RANGE", "IN_RANGE", "IN_RANGE", "IN_RANGE", "IN_RANGE", "ABOVE_SOFT"]);
  });

  it("leaves relief null when a score is missing and does not count it", () => {
    const s = summarize([session(1, 0, { pre: null }), session(2, 7, { post: null }), session(3, 14, { pre: [6, "NRS"], post: [3, "NRS"] })]);
    expect(s.rows.map((r) => r.reliefPct)).toEqual([null, null, 50]);
    expect(s.response).toMatchObject({ responder: "SUBSTANTIAL", meanReliefPct: 50, sessionsWithScores: 1 });
  });

  it("takes the last PRE (closest to the infusion) and the first POST (right after it), as the exports do", () => {
    const base = session(1, 0); // PRE 8 at opening, POST 4 a quarter hour after the stop
    base.pain.push({ atMs: base.openedAtMs + 60_000, score: 9, scale: "NRS", phase: "PRE" }, { atMs: base.openedAtMs + 6 * H, score: 2, scale: "NRS", phase: "POST" });
    // pre 9 (a minute after opening), post 4: (9 - 4) / 9 = 55.56% -> 55.6
    expect(summarize([base]).rows[0]).toMatchObject({ preNrs: 9, postNrs: 4, reliefPct: 55.6 });
  });

  it("side effects by kind with their maximum severity; flags open vs acknowledged", () => {
    const s = summarize([session(1, 0, {
      sideEffects: [{ kind: "NAUSEA_VOMITING", severity: 1 }, { kind: "NAUSEA_VOMITING", severity: 2 }, { kind: "DIZZINESS", severity: 1 }],
      flags: [{ code: "RATE_ABOVE_RANGE", severity: "SOFT", acknowledged: true }, { code: "HARD_RATE", severity: "HARD", acknowledged: false }, { code: "X", severity: "SOFT", acknowledged: false }],
    }), session(2, 7)]);
    expect(s.rows[0]).toMatchObject({ sideEffects: { NAUSEA_VOMITING: 2, DIZZINESS: 1 }, maxSideEffectSeverity: 2, openFlags: 2, ackedFlags: 1, openHardFlags: 1 });
    expect(s.rows[1]).toMatchObject({ sideEffects: {}, maxSideEffectSeverity: 0, openFlags: 0, ackedFlags: 0 });
    expect(s.sideEffectBurden).toEqual({ sessionsWithSideEffects: 1, maxSeverity: 2, kinds: { NAUSEA_VOMITING: 2, DIZZINESS: 1 } });
    expect(s.flags).toEqual({ open: 2, acknowledged: 1, openHard: 1 });
  });
});

describe("summarizeSeries: durability from follow-up scores", () => {
  it.each<[string, [number, number, ("NRS" | "VAS")?][], number | null]>([
    // baseline 8: relief below 30% once the score is above 0.7 × 8 = 5.6 (tenths: 70 × 80 < 100 × score tenths)
    ["back at baseline on day 5", [[2, 5], [5, 8]], 5],
    ["above baseline counts as faded", [[3.5, 9]], 3.5],
    ["still 37.5% relief (8 -> 5): ongoing (null)", [[2, 5], [6, 5]], null],
    ["fades to 12.5% (8 -> 7) without reaching baseline: over on day 6, not ongoing", [[2, 5], [6, 7]], 6],
    ["no follow-up: null", [], null],
    ["VAS follow-up 80 mm = NRS 8", [[4, 80, "VAS"]], 4],
    ["VAS 56 mm = 5.6: exactly 30% relief, still relief", [[4, 56, "VAS"]], null],
    ["VAS 57 mm = 5.7: 28.75% relief, faded", [[4, 57, "VAS"]], 4],
  ])("%s", (_name, followUps, expected) => {
    expect(summarize([session(1, 0, { pre: [8, "NRS"], followUps })]).rows[0]!.durabilityDays).toBe(expected);
  });

  it("ignores follow-ups after the next session started, and averages over sessions with a return", () => {
    const s = summarize([
      session(1, 0, { followUps: [[3, 8]] }), // 3 days
      session(2, 7, { followUps: [[2, 5], [8, 9]] }), // 8 -> 5 is 37.5% relief; the day-8 score is after session 3 (day 14 start): ignored -> ongoing
      session(3, 14, { followUps: [[6, 8]] }), // 6 days
    ]);
    expect(s.rows.map((r) => r.durabilityDays)).toEqual([3, null, 6]);
    expect(s.rows[1]!.followUps).toHaveLength(1);
    expect(s.response).toMatchObject({ meanDurabilityDays: 4.5, sessionsWithDurability: 2, sessionsReliefOngoing: 1 });
  });
});

describe("summarizeSeries: response classification", () => {
  it.each<[string, [number, number][], string, boolean, boolean, number | null]>([
    // mean of (50, 25) = 37.5 -> meaningful, not substantial
    ["mean 37.5%", [[8, 4], [8, 6]], "MEANINGFUL", true, false, 37.5],
    ["mean exactly 30%", [[10, 7]], "MEANINGFUL", true, false, 30],
    ["mean exactly 50%", [[10, 5], [6, 3]], "SUBSTANTIAL", true, true, 50],
    ["mean 29.3%: 7->5 (28.6) and 10->7 (30)", [[7, 5], [10, 7]], "NON_RESPONDER", false, false, 29.3],
    ["pain rose", [[5, 6]], "NON_RESPONDER", false, false, -20],
  ])("%s", (_name, scores, responder, r30, r50, mean) => {
    const s = summarize(scores.map(([pre, post], i) => session(i + 1, i * 7, { pre: [pre, "NRS"], post: [post, "NRS"] })));
    expect(s.response).toMatchObject({ responder, isResponder30: r30, isResponder50: r50, meanReliefPct: mean });
  });

  it("a single session without scores has insufficient data", () => {
    const s = summarize([session(1, 0, { pre: null, post: null })]);
    expect(s.response).toMatchObject({ responder: "INSUFFICIENT_DATA", isResponder30: false, meanReliefPct: null, sessionsWithScores: 0, meanDurabilityDays: null });
  });

  it("counts sessions reaching 30% and 50% each", () => {
    const s = summarize([session(1, 0, { pre: [8, "NRS"], post: [4, "NRS"] }), session(2, 7, { pre: [10, "NRS"], post: [7, "NRS"] }), session(3, 14, { pre: [8, "NRS"], post: [7, "NRS"] })]);
    expect(s.response).toMatchObject({ sessionsAtOrAbove30: 2, sessionsAtOrAbove50: 1 });
  });

  it("an empty series", () => {
    const s = summarize([]);
    expect(s.rows).toEqual([]);
    expect(s.response.responder).toBe("INSUFFICIENT_DATA");
    expect(s.schedule).toEqual({ plannedSessions: 6, sessionsDone: 0, sessionsInProgress: 0, lateSessions: 0, intervalTooShortSessions: 0, nextDueDate: "2026-03-02" });
    expect(s.dose).toEqual({ meanTotalMgPerKg: null, maxPeakRateMgPerKgPerH: null, sessionsOutsideBand: 0 });
  });
});

describe("summarizeSeries: schedule adherence", () => {
  it("planned vs actual dates, late beyond one day, too-short intervals, next due", () => {
    const s = summarize([
      session(1, 0), // planned 03-02, on time
      session(2, 8), // planned 03-09, actual 03-10: +1, within grace
      session(3, 16), // planned 03-16, actual 03-18: +2, late
      session(4, 18, { flags: [{ code: "SESSION_INTERVAL_TOO_SHORT", severity: "SOFT", acknowledged: false }] }), // planned 03-23, 5 days early
      session(5, 25, { status: "IN_PROGRESS" }),
    ]);
    expect(s.rows.map((r) => [r.plannedDate, r.date, r.daysFromPlan, r.isLate])).toEqual([
      ["2026-03-02", "2026-03-02", 0, false],
      ["2026-03-09", "2026-03-10", 1, false],
      ["2026-03-16", "2026-03-18", 2, true],
      ["2026-03-23", "2026-03-20", -3, false],
      ["2026-03-30", "2026-03-27", -3, false],
    ]);
    expect(s.rows.map((r) => r.daysSincePrevious)).toEqual([null, 8, 8, 2, 7]);
    expect(s.rows.map((r) => r.intervalTooShort)).toEqual([false, false, false, true, false]);
    // 5 sessions of 6: next planned 04-06 (plan) vs 03-27 + 7 = 04-03: the later one
    expect(s.schedule).toEqual({ plannedSessions: 6, sessionsDone: 4, sessionsInProgress: 1, lateSessions: 1, intervalTooShortSessions: 1, nextDueDate: "2026-04-06" });
  });

  it("after a late session the next one is due an interval later", () => {
    const s = summarize([session(1, 10)]); // planned 03-02, done 03-12
    expect(s.schedule.nextDueDate).toBe("2026-03-19");
    expect(s.rows[0]!.isLate).toBe(true);
  });

  it("no interval: no planned dates, nothing late, nothing due; a finished plan is not due", () => {
    expect(summarize([session(1, 0), session(2, 30)], { intervalDays: null }).rows.map((r) => [r.plannedDate, r.isLate])).toEqual([[null, false], [null, false]]);
    expect(summarize([session(1, 0)], { intervalDays: null }).schedule.nextDueDate).toBeNull();
    expect(summarize([session(1, 0), session(2, 7)], { plannedSessions: 2 }).schedule.nextDueDate).toBeNull();
  });
});

describe("compareSeries", () => {
  it("is this series minus the previous", () => {
    const previous = summarize([session(1, 0, { pre: [8, "NRS"], post: [6, "NRS"], followUps: [[2, 8]] }), session(2, 7, { pre: [8, "NRS"], post: [6, "NRS"], sideEffects: [{ kind: "DISSOCIATION", severity: 3 }] })]); // 25%, 1.4 mg/kg, 2 days
    const current = summarize([session(1, 0, { pre: [8, "NRS"], post: [4, "NRS"], rate: 385, followUps: [[5, 8]] })]); // 50%, 1.54 mg/kg, 5 days
    expect(compareSeries(current, previous)).toEqual({
      meanReliefPctDelta: 25, meanTotalMgPerKgDelta: 0.14, sessionsDoneDelta: -1, maxSideEffectSeverityDelta: -3, meanDurabilityDaysDelta: 3,
    });
  });
});

describe("chart point budgets", () => {
  const many = Array.from({ length: 1500 }, (_, i) => session(i + 1, i, { rate: i === 700 ? 900 : 350, followUps: [[0.3, 6], [0.6, i === 600 ? 10 : 7]] }));
  const s = summarizeSeries({ sessions: many, limits: LIMITS, plannedSessions: 1500, intervalDays: 1, startDate: "2026-03-02", nowMs: START + 2000 * DAY });

  it("pain points stay within 2,000 and keep pre/post scores and the follow-up peak", () => {
    const points = painChartPoints(s.rows);
    expect(points.length).toBeLessThanOrEqual(MAX_CHART_POINTS);
    // 1500 pre + 1500 post are required (over budget) so they are thinned evenly; first and last stay
    expect(points[0]!.kind).toBe("PRE");
    const small = painChartPoints(s.rows.slice(0, 400));
    expect(small.filter((p) => p.kind !== "FOLLOW_UP")).toHaveLength(800);
    expect(small.length).toBeLessThanOrEqual(MAX_CHART_POINTS);
    // 900 sessions: 1,800 pre/post kept, 1,800 follow-ups thinned to bucket peaks; the one 10/10 survives
    const thinned = painChartPoints(s.rows.slice(0, 900));
    expect(thinned.length).toBeLessThanOrEqual(MAX_CHART_POINTS);
    expect(thinned.filter((p) => p.kind === "FOLLOW_UP").length).toBeLessThan(1800);
    expect(thinned.some((p) => p.nrs === 10)).toBe(true);
  });

  it("session rows stay within the budget and keep the out-of-band session", () => {
    const rows = chartRows(s.rows, (r) => r.peakRateMgPerKgPerH, 200);
    expect(rows.length).toBeLessThanOrEqual(200);
    expect(rows.some((r) => r.sequence === 701 && r.peakRateZone === "ABOVE_SOFT")).toBe(true);
    expect(chartRows(s.rows.slice(0, 50), (r) => r.totalMgPerKg)).toHaveLength(50);
  });
});

describe("summarizeSeries: relief that is shown but not counted", () => {
  it("leaves a low baseline and a mixed-scale pair out of the responder rule, and says so", () => {
    const s = summarize([
      session(1, 0, { pre: [8, "NRS"], post: [6, "NRS"] }), // (8 - 6) / 8 = 25%: counted
      session(2, 7, { pre: [3, "NRS"], post: [0, "NRS"] }), // 100%, but 3 < 4/10: shown, not counted
      session(3, 14, { pre: [8, "NRS"], post: [20, "VAS"] }), // different scales: no relief, converted 75% labelled
    ]);
    expect(s.rows.map((r) => r.reliefPct)).toEqual([25, 100, null]);
    expect(s.rows.map((r) => r.reliefCountsForResponse)).toEqual([true, false, false]);
    expect(s.rows[2]!.reliefText).toBe("NRS 8 → VAS 20 mm: different scales; 75% relief converted (VAS mm ÷ 10 = NRS), not counted as a response");
    // only session 1 counts: mean 25% -> non-responder (with session 2 it would be 62.5%, substantial)
    expect(s.response).toMatchObject({ responder: "NON_RESPONDER", meanReliefPct: 25, sessionsWithScores: 1, sessionsExcludedLowBaseline: 1 });
    expect(s.response.responseNote).toBe("1 session with a pre-infusion score below 4/10: relief shown, not counted in the response.");
  });

  it("counts a baseline of exactly 4/10", () => {
    const s = summarize([session(1, 0, { pre: [4, "NRS"], post: [2, "NRS"] })]); // 50%
    expect(s.response).toMatchObject({ responder: "SUBSTANTIAL", sessionsExcludedLowBaseline: 0, responseNote: null });
  });
});
