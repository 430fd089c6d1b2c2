import { describe, expect, it } from "vitest";
import { PAIN_BOUNDS, classifyResponse, describeRelief, durabilityDays, reliefPct, sessionPrePost } from "./pain";

const DAY = 86_400_000;

describe("PAIN_BOUNDS", () => {
  it("is NRS 0-10 and VAS 0-100", () => {
    expect(PAIN_BOUNDS).toEqual({ NRS: { min: 0, max: 10 }, VAS: { min: 0, max: 100 } });
  });
});

describe("reliefPct", () => {
  it.each<[number, "NRS" | "VAS", number, "NRS" | "VAS", number | null]>([
    [8, "NRS", 4, "NRS", 50], // (8-4)/8 = 50%
    [7, "NRS", 5, "NRS", 28.6], // 2/7 = 28.571 -> 28.6
    [3, "NRS", 2, "NRS", 33.3], // 1/3 = 33.33 -> 33.3
    [6, "NRS", 5, "NRS", 16.7], // 1/6 = 16.67 -> 16.7
    [8, "NRS", 8, "NRS", 0],
    [5, "NRS", 6, "NRS", -20], // worse: -1/5
    [80, "VAS", 40, "VAS", 50],
    // one scale only: a mixed pair is never converted silently
    [8, "NRS", 40, "VAS", null],
    [70, "VAS", 5, "NRS", null],
    [0, "NRS", 0, "NRS", null], // no baseline pain
    [0, "VAS", 10, "VAS", null],
  ])("%d %s -> %d %s = %j", (preScore, preScale, postScore, postScale, expected) => {
    expect(reliefPct({ score: preScore, scale: preScale }, { score: postScore, scale: postScale })).toBe(expected);
  });
  it("is null when a score is missing", () => {
    expect(reliefPct(null, { score: 2, scale: "NRS" })).toBeNull();
    expect(reliefPct({ score: 2, scale: "NRS" }, undefined)).toBeNull();
  });
});

describe("describeRelief", () => {
  it.each<[[number, "NRS" | "VAS"], [number, "NRS" | "VAS"], Partial<ReturnType<typeof describeRelief>>]>([
    // (8 - 4) / 8 = 50%
    [[8, "NRS"], [4, "NRS"], { reliefPct: 50, convertedReliefPct: null, isLowBaseline: false, countsForResponse: true, text: "NRS 8 → NRS 4: 50% relief" }],
    // NRS 8 and VAS 40 mm: 40 mm ÷ 10 = 4; (8 - 4) / 8 = 50%, labelled as converted and not counted
    [[8, "NRS"], [40, "VAS"], { reliefPct: null, convertedReliefPct: 50, countsForResponse: false, text: "NRS 8 → VAS 40 mm: different scales; 50% relief converted (VAS mm ÷ 10 = NRS), not counted as a response" }],
    // baseline 4 is at the threshold: counted
    [[4, "NRS"], [2, "NRS"], { reliefPct: 50, isLowBaseline: false, countsForResponse: true }],
    // baseline 3 is one step below 4/10: shown, not counted, and said so
    [[3, "NRS"], [0, "NRS"], { reliefPct: 100, isLowBaseline: true, countsForResponse: false, text: "NRS 3 → NRS 0: 100% relief; baseline below 4/10, not counted as a response" }],
    // 1/10 -> 0 is "100%" of almost no pain
    [[1, "NRS"], [0, "NRS"], { reliefPct: 100, isLowBaseline: true, countsForResponse: false }],
    // VAS: threshold 40 mm; 39 mm is below
    [[40, "VAS"], [20, "VAS"], { reliefPct: 50, isLowBaseline: false, countsForResponse: true }],
    [[39, "VAS"], [20, "VAS"], { isLowBaseline: true, countsForResponse: false }],
    [[0, "NRS"], [0, "NRS"], { reliefPct: null, countsForResponse: false }],
  ])("%j -> %j", ([preScore, preScale], [postScore, postScale], expected) => {
    expect(describeRelief({ score: preScore, scale: preScale }, { score: postScore, scale: postScale }, 4)).toMatchObject(expected);
  });
  it("has nothing to say without both scores", () => {
    expect(describeRelief(null, { score: 2, scale: "NRS" }, 4)).toMatchObject({ reliefPct: null, countsForResponse: false });
  });
});

describe("classifyResponse", () => {
  it.each<[(number | null)[], string, number | null, number]>([
    [[], "INSUFFICIENT_DATA", null, 0],
    [[null, null], "INSUFFICIENT_DATA", null, 0],
    [[50], "SUBSTANTIAL", 50, 1], // exactly 50
    [[49.9], "MEANINGFUL", 49.9, 1], // one step below
    [[30], "MEANINGFUL", 30, 1], // exactly 30
    [[29.9], "NON_RESPONDER", 29.9, 1],
    [[40, 60, null], "SUBSTANTIAL", 50, 2], // mean (40+60)/2 = 50
    [[33.3, 26.6], "NON_RESPONDER", 30, 2], // Σ 599 tenths < 600: mean 29.95 shown as 30.0, still below
    [[33.3, 26.7], "MEANINGFUL", 30, 2], // Σ 600 tenths = 600
    [[-20, 10], "NON_RESPONDER", -5, 2],
  ])("%j -> %s", (values, responder, mean, count) => {
    expect(classifyResponse(values)).toEqual({ responder, meanReliefPct: mean, sessionsWithScores: count });
  });
});

describe("durabilityDays", () => {
  const end = 1_000 * DAY;
  it.each<[{ atMs: number; nrs: number }[], number | null]>([
    // baseline 7: relief < 30% when score > 70% of 7 = 4.9 (in tenths: 70 × 70 < 100 × score tenths)
    [[], null],
    [[{ atMs: end + 3 * DAY, nrs: 4 }], null], // (7 - 4) / 7 = 42.9% relief: ongoing
    [[{ atMs: end + 3 * DAY, nrs: 4.9 }], null], // exactly 30.0% relief: still meaningful (VAS 49 mm)
    [[{ atMs: end + 3 * DAY, nrs: 5 }], 3], // 28.6%: faded below 30% without reaching baseline
    [[{ atMs: end + 10 * DAY, nrs: 7 }], 10], // back at baseline
    [[{ atMs: end + 10 * DAY, nrs: 3 }, { atMs: end + 14 * DAY, nrs: 8 }], 14], // 3 is still relief
    [[{ atMs: end + 14 * DAY, nrs: 8 }, { atMs: end + 7 * DAY + DAY / 2, nrs: 6 }], 7.5], // earliest counts
    [[{ atMs: end - DAY, nrs: 9 }], null], // before the session ended
    [[{ atMs: end + DAY / 20, nrs: 7 }], 0.1], // 0.05 day -> 0.1 (half up)
  ])("%j", (followUps, expected) => {
    expect(durabilityDays({ sessionEndMs: end, baselineNrs: 7, followUps })).toBe(expected);
  });
  it("has no durability from a baseline of 0", () => {
    expect(durabilityDays({ sessionEndMs: end, baselineNrs: 0, followUps: [{ atMs: end + DAY, nrs: 5 }] })).toBeNull();
  });
});

describe("sessionPrePost: one definition of a session's pre and post scores", () => {
  const score = (atMs: number, phase: string, id: string) => ({ atMs, phase, id });
  it("pre is the last PRE, post the first POST; INTRA and FOLLOW_UP are neither", () => {
    const r = sessionPrePost([
      score(10, "PRE", "pre-early"), score(20, "PRE", "pre-late"), score(30, "INTRA", "intra"),
      score(50, "POST", "post-late"), score(40, "POST", "post-early"), score(90, "FOLLOW_UP", "fu"),
    ]);
    expect(r.pre?.id).toBe("pre-late");
    expect(r.post?.id).toBe("post-early");
  });
  it("at the same time the later-entered PRE and the earlier-entered POST win", () => {
    const r = sessionPrePost([score(20, "PRE", "pre-1"), score(20, "PRE", "pre-2"), score(40, "POST", "post-1"), score(40, "POST", "post-2")]);
    expect(r.pre?.id).toBe("pre-2");
    expect(r.post?.id).toBe("post-1");
  });
  it("missing scores are null", () => {
    expect(sessionPrePost([score(5, "INTRA", "i")])).toEqual({ pre: null, post: null });
    expect(sessionPrePost([])).toEqual({ pre: null, post: null });
  });
});
