import { describe, expect, it } from "vitest";
import { type DoseEventPoint, integrateDose, lastSetRateUgPerKgPerH, validateDoseSequence } from "./dose";

const H = 3_600_000; // ms per hour
const MIN = 60_000;

// 70 kg; start 0.35 mg/kg/h, up to 0.5 at 1 h, pause at 1.5 h, set 0.6 while paused at 1.75 h,
// resume at 2 h, bolus 5 mg at 2.5 h, stop at 3 h.
const charted: DoseEventPoint[] = [
  { type: "START", atMs: 0, rateUgPerKgPerH: 350 },
  { type: "RATE_CHANGE", atMs: 1 * H, rateUgPerKgPerH: 500 },
  { type: "PAUSE", atMs: 1.5 * H },
  { type: "RATE_CHANGE", atMs: 1.75 * H, rateUgPerKgPerH: 600 },
  { type: "RESUME", atMs: 2 * H },
  { type: "BOLUS", atMs: 2.5 * H, bolusUg: 5000 },
  { type: "STOP", atMs: 3 * H },
];

describe("integrateDose", () => {
  it("integrates a full session with a pause, a paused rate change and a bolus", () => {
    // 350 × 70 kg × 1 h = 24500 µg; 500 × 70 × 0.5 h = 17500; paused 1.5-2 h: 0;
    // 600 × 70 × 1 h = 42000 -> infusion 84000 µg; + bolus 5000 = 89000 µg.
    // per kg: 89000 × 1000 / 70000 = 1271.43 -> 1271 µg/kg.
    // running 1 + 0.5 + 1 = 2.5 h; mean (350×1 + 500×0.5 + 600×1) / 2.5 = 1200 / 2.5 = 480.
    const result = integrateDose(charted, 70_000, 4 * H);
    expect(result).toEqual({
      totalUg: 89_000,
      totalUgPerKg: 1271,
      infusionUg: 84_000,
      bolusUg: 5000,
      peakRateUgPerKgPerH: 600,
      meanRateUgPerKgPerH: 480,
      runningMs: 2.5 * H,
      firstStartMs: 0,
      stopMs: 3 * H,
      currentRateUgPerKgPerH: 0,
      state: "STOPPED",
      segments: [
        { fromMs: 0, toMs: 1 * H, rateUgPerKgPerH: 350 },
        { fromMs: 1 * H, toMs: 1.5 * H, rateUgPerKgPerH: 500 },
        { fromMs: 2 * H, toMs: 3 * H, rateUgPerKgPerH: 600 },
      ],
    });
  });

  it("is the same whatever order the events arrive in", () => {
    const shuffled = [charted[6], charted[2], charted[0], charted[5], charted[1], charted[4], charted[3]];
    expect(integrateDose(shuffled as DoseEventPoint[], 70_000, 4 * H)).toEqual(integrateDose(charted, 70_000, 4 * H));
  });

  it.each<[string, number, Partial<ReturnType<typeof integrateDose>>]>([
    // 24500 + 500 × 70 × 0.25 = 8750 -> 33250; mean (350 + 125) / 1.25 = 380
    ["mid-infusion", 1.25 * H, { totalUg: 33_250, state: "RUNNING", currentRateUgPerKgPerH: 500, meanRateUgPerKgPerH: 380, runningMs: 1.25 * H }],
    // paused at 1.5 h: 24500 + 17500 = 42000; the 0.6 set while paused is not current
    ["while paused after the new rate", 1.9 * H, { totalUg: 42_000, state: "PAUSED", currentRateUgPerKgPerH: 0, peakRateUgPerKgPerH: 500 }],
    // bolus at exactly untilMs counts: 42000 + 600 × 70 × 0.5 = 21000 -> 63000 + 5000
    ["bolus at exactly until", 2.5 * H, { totalUg: 68_000, bolusUg: 5000 }],
    // one ms earlier: 600 × 70000 g × (0.5 h - 1 ms) / 3.6e9 = 21000 - 0.0117 -> 20999.988 -> 63000 (rounded) and no bolus
    ["one ms before the bolus", 2.5 * H - 1, { totalUg: 63_000, bolusUg: 0 }],
    ["before the start", -1, { totalUg: 0, state: "NOT_STARTED", firstStartMs: null, peakRateUgPerKgPerH: 0, meanRateUgPerKgPerH: 0 }],
    // at the start instant: running, 0 ms, but the running rate is the peak
    ["at the start instant", 0, { totalUg: 0, state: "RUNNING", currentRateUgPerKgPerH: 350, peakRateUgPerKgPerH: 350, runningMs: 0 }],
    // until after stop: stops at the stop
    ["long after stop", 100 * H, { totalUg: 89_000, runningMs: 2.5 * H }],
  ])("until %s", (_label, untilMs, expected) => {
    expect(integrateDose(charted, 70_000, untilMs)).toMatchObject(expected);
  });

  it.each<[string, number, number]>([
    // 1 µg/kg/h × 100000 g × 18000 ms = 1.8e9; / 3.6e9 = 0.5 µg -> 1 (half up, once)
    ["exactly half a µg", 18_000, 1],
    // × 17999 ms = 1.7999e9 / 3.6e9 = 0.49997 -> 0
    ["just under half a µg", 17_999, 0],
    // × 18001 ms = 0.50003 -> 1
    ["just over half a µg", 18_001, 1],
  ])("rounds once: %s", (_label, durationMs, expectedUg) => {
    const events: DoseEventPoint[] = [{ type: "START", atMs: 0, rateUgPerKgPerH: 1 }];
    expect(integrateDose(events, 100_000, durationMs).totalUg).toBe(expectedUg);
  });

  it("rounds the sum, not each segment", () => {
    // two segments of 0.4 µg each (1 × 100000 × 14400 / 3.6e9 = 0.4): per-segment rounding
    // would give 0 + 0 = 0; the exact sum 0.8 rounds to 1.
    const events: DoseEventPoint[] = [
      { type: "START", atMs: 0, rateUgPerKgPerH: 1 },
      { type: "PAUSE", atMs: 14_400 },
      { type: "RESUME", atMs: 20_000 },
      { type: "STOP", atMs: 34_400 },
    ];
    expect(integrateDose(events, 100_000, 40_000).infusionUg).toBe(1);
  });

  it("stays exact beyond 2^53 (multi-day CRPS)", () => {
    // 700 µg/kg/h × 150000 g × 432,000,000 ms (5 days) = 4.536e16 > 2^53 ≈ 9.007e15.
    // 0.7 mg/kg/h × 150 kg × 120 h = 12600 mg = 12,600,000 µg; per kg 12600000 × 1000 / 150000 = 84000.
    const events: DoseEventPoint[] = [
      { type: "START", atMs: 0, rateUgPerKgPerH: 700 },
      { type: "STOP", atMs: 120 * H },
    ];
    const result = integrateDose(events, 150_000, 120 * H);
    expect(result.totalUg).toBe(12_600_000);
    expect(result.totalUgPerKg).toBe(84_000);
  });

  it("handles an odd rate, weight and time exactly", () => {
    // 333 µg/kg/h × 72300 g × 7,777,777 ms / 3.6e9:
    // 333 × 72.3 = 24075.9 µg/h; × 7777777 / 3600000 h = 24075.9 × 2.16049361 = 52015.82... -> 52016
    const events: DoseEventPoint[] = [{ type: "START", atMs: 0, rateUgPerKgPerH: 333 }];
    expect(integrateDose(events, 72_300, 7_777_777).totalUg).toBe(52_016);
  });

  it("counts a loading bolus before the start", () => {
    // 7 mg loading dose; 0.1 mg/kg/h × 70 kg × 30 min = 3.5 mg -> 10500 µg; per kg 10500 × 1000 / 70000 = 150
    const events: DoseEventPoint[] = [
      { type: "BOLUS", atMs: -5 * MIN, bolusUg: 7000 },
      { type: "START", atMs: 0, rateUgPerKgPerH: 100 },
    ];
    const result = integrateDose(events, 70_000, 30 * MIN);
    expect(result).toMatchObject({ totalUg: 10_500, bolusUg: 7000, infusionUg: 3500, totalUgPerKg: 150 });
  });

  it("skips events the sequence rules refuse", () => {
    // RATE_CHANGE before START, a second START, a second PAUSE and everything after STOP are ignored:
    // 200 × 50 kg × 1 h = 10000 µg only.
    const events: DoseEventPoint[] = [
      { type: "RATE_CHANGE", atMs: -1, rateUgPerKgPerH: 900 },
      { type: "START", atMs: 0, rateUgPerKgPerH: 200 },
      { type: "START", atMs: 1, rateUgPerKgPerH: 900 },
      { type: "PAUSE", atMs: 1 * H },
      { type: "PAUSE", atMs: 1 * H + 1 },
      { type: "STOP", atMs: 2 * H },
      { type: "RESUME", atMs: 3 * H },
      { type: "BOLUS", atMs: 3 * H, bolusUg: 1000 },
    ];
    const result = integrateDose(events, 50_000, 5 * H);
    expect(result).toMatchObject({ totalUg: 10_000, peakRateUgPerKgPerH: 200, state: "STOPPED", stopMs: 2 * H });
  });

  it("keeps input order for ties", () => {
    // START then RATE_CHANGE at the same ms: 400 runs; reversed, the RATE_CHANGE comes before START and is skipped.
    const start: DoseEventPoint = { type: "START", atMs: 0, rateUgPerKgPerH: 100 };
    const change: DoseEventPoint = { type: "RATE_CHANGE", atMs: 0, rateUgPerKgPerH: 400 };
    expect(integrateDose([start, change], 10_000, H).totalUg).toBe(4000); // 400 × 10 kg × 1 h
    expect(integrateDose([change, start], 10_000, H).totalUg).toBe(1000); // 100 × 10 × 1
  });

  it("rejects a weight that is not a positive integer", () => {
    expect(() => integrateDose(charted, 0, H)).toThrow(RangeError);
    expect(() => integrateDose(charted, 70.5, H)).toThrow(RangeError);
  });
});

describe("lastSetRateUgPerKgPerH", () => {
  it.each<[number, number | null]>([
    [-1, null],
    [0, 350],
    [1 * H - 1, 350],
    [1 * H, 500],
    [1.8 * H, 600], // set while paused
    [10 * H, 600],
  ])("at %d ms -> %j", (atMs, expected) => {
    expect(lastSetRateUgPerKgPerH(charted, atMs)).toBe(expected);
  });
});

describe("validateDoseSequence", () => {
  const started: DoseEventPoint[] = [{ type: "START", atMs: 0, rateUgPerKgPerH: 300 }];
  const paused: DoseEventPoint[] = [...started, { type: "PAUSE", atMs: 10 * MIN }];
  const stopped: DoseEventPoint[] = [...started, { type: "STOP", atMs: 10 * MIN }];

  it.each<[string, DoseEventPoint[], DoseEventPoint, RegExp | null]>([
    ["start", [], { type: "START", atMs: 0, rateUgPerKgPerH: 1 }, null],
    ["start with rate 0", [], { type: "START", atMs: 0, rateUgPerKgPerH: 0 }, /above 0/],
    ["start with a negative rate", [], { type: "START", atMs: 0, rateUgPerKgPerH: -1 }, /negative/],
    ["start without a rate", [], { type: "START", atMs: 0 }, /needs a rate/],
    ["start with a fractional rate", [], { type: "START", atMs: 0, rateUgPerKgPerH: 0.5 }, /needs a rate/],
    ["start twice", started, { type: "START", atMs: 1, rateUgPerKgPerH: 300 }, /already been started/],
    ["loading bolus before start", [], { type: "BOLUS", atMs: 0, bolusUg: 5000 }, null],
    ["bolus of 0", started, { type: "BOLUS", atMs: 1, bolusUg: 0 }, /above 0/],
    ["bolus of 1 µg", started, { type: "BOLUS", atMs: 1, bolusUg: 1 }, null],
    ["bolus without amount", started, { type: "BOLUS", atMs: 1 }, /needs an amount/],
    ["bolus while paused", paused, { type: "BOLUS", atMs: 11 * MIN, bolusUg: 1000 }, null],
    ["rate change before start", [], { type: "RATE_CHANGE", atMs: 0, rateUgPerKgPerH: 300 }, /Start the infusion/],
    ["rate change", started, { type: "RATE_CHANGE", atMs: 1, rateUgPerKgPerH: 400 }, null],
    ["rate change to 0", started, { type: "RATE_CHANGE", atMs: 1, rateUgPerKgPerH: 0 }, /pause/],
    ["rate change to 1 µg/kg/h", started, { type: "RATE_CHANGE", atMs: 1, rateUgPerKgPerH: 1 }, null],
    ["rate change negative", started, { type: "RATE_CHANGE", atMs: 1, rateUgPerKgPerH: -1 }, /negative/],
    ["rate change while paused", paused, { type: "RATE_CHANGE", atMs: 11 * MIN, rateUgPerKgPerH: 200 }, null],
    ["pause before start", [], { type: "PAUSE", atMs: 0 }, /Only a running/],
    ["pause twice", paused, { type: "PAUSE", atMs: 11 * MIN }, /Only a running/],
    ["resume when running", started, { type: "RESUME", atMs: 1 }, /Only a paused/],
    ["resume when paused", paused, { type: "RESUME", atMs: 11 * MIN }, null],
    ["stop before start", [], { type: "STOP", atMs: 0 }, /not been started/],
    ["stop while paused", paused, { type: "STOP", atMs: 11 * MIN }, null],
    ["anything after stop", stopped, { type: "BOLUS", atMs: 11 * MIN, bolusUg: 1000 }, /stopped/],
    ["rate change at the stop ms (charted after it)", stopped, { type: "RATE_CHANGE", atMs: 10 * MIN, rateUgPerKgPerH: 100 }, /stopped/],
    ["late entry before the stop", stopped, { type: "BOLUS", atMs: 9 * MIN, bolusUg: 1000 }, null],
    // a stop charted late, before a rate change already on the chart
    ["stop before a charted rate change", [...started, { type: "RATE_CHANGE", atMs: 20 * MIN, rateUgPerKgPerH: 400 }], { type: "STOP", atMs: 10 * MIN }, /later rate change impossible/],
    ["missing time", started, { type: "PAUSE", atMs: Number.NaN }, /time/],
  ])("%s", (_label, prior, next, expected) => {
    const message = validateDoseSequence(prior, next);
    if (expected === null) expect(message).toBeNull();
    else expect(message).toMatch(expected);
  });
});

describe("integrateDose segments", () => {
  it("merges a rate change to the same rate into one segment", () => {
    // 200 for 2 h on 10 kg = 4000 µg, one segment
    const events: DoseEventPoint[] = [
      { type: "START", atMs: 0, rateUgPerKgPerH: 200 },
      { type: "RATE_CHANGE", atMs: H, rateUgPerKgPerH: 200 },
    ];
    const result = integrateDose(events, 10_000, 2 * H);
    expect(result.segments).toEqual([{ fromMs: 0, toMs: 2 * H, rateUgPerKgPerH: 200 }]);
    expect(result.totalUg).toBe(4000);
  });
});
