import { describe, expect, it } from "vitest";
import { downsampleSeries } from "./downsample";

type P = { t: number; v: number };
const series = (values: number[]): P[] => values.map((v, t) => ({ t, v }));
const never = () => false;
const value = (p: P) => p.v;
const ts = (points: P[]) => points.map((p) => p.t);

describe("downsampleSeries", () => {
  it("returns everything (sorted) when it fits", () => {
    const points = [{ t: 2, v: 1 }, { t: 0, v: 5 }, { t: 1, v: 3 }];
    expect(ts(downsampleSeries(points, 3, never, value))).toEqual([0, 1, 2]); // exactly maxPoints
  });

  it("keeps first, last and each bucket's min and max", () => {
    // 10 points, budget 6: first + last = 2, (6 - 2) / 2 = 2 buckets over interior t 1..8:
    // bucket 1 = t 1..4 (values 1,9,2,3): min t1, max t2; bucket 2 = t 5..8 (4,0,8,5): min t6, max t7
    const points = series([5, 1, 9, 2, 3, 4, 0, 8, 5, 6]);
    expect(ts(downsampleSeries(points, 6, never, value))).toEqual([0, 1, 2, 6, 7, 9]);
  });

  it("always keeps the out-of-range points", () => {
    // budget 5: first, last, t4 (kept, v200) = 3; (5 - 3) / 2 = 1 bucket over t 1..8
    // (1,9,2,200,4,0,8,5): min t6 (v0), max t4 (already kept) -> 4 points
    const points = series([5, 1, 9, 2, 200, 4, 0, 8, 5, 6]);
    const out = downsampleSeries(points, 5, (p) => p.v > 100, value);
    expect(ts(out)).toEqual([0, 4, 6, 9]);
    // without the keep rule, the same budget still shows the 200 as the bucket max
    expect(ts(downsampleSeries(points, 4, never, value))).toEqual([0, 4, 6, 9]);
    // keep rule with budget 3: first, last and the kept point only
    expect(ts(downsampleSeries(points, 3, (p) => p.v > 100, value))).toEqual([0, 4, 9]);
  });

  it("thins the kept points evenly when they alone exceed the budget", () => {
    // all 11 kept, budget 3: indexes 0, 5, 10
    const points = series([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(ts(downsampleSeries(points, 3, () => true, value))).toEqual([0, 5, 10]);
  });

  it.each<[number, number]>([
    [1000, 50],
    [1000, 51],
    [37, 10],
    [5, 4],
  ])("never returns more than maxPoints (%d points -> %d)", (n, maxPoints) => {
    const points = series(Array.from({ length: n }, (_, i) => Math.sin(i) * 100));
    const out = downsampleSeries(points, maxPoints, (p) => p.v > 99, value);
    expect(out.length).toBeLessThanOrEqual(maxPoints);
    expect(out[0]?.t).toBe(0);
    expect(out[out.length - 1]?.t).toBe(n - 1);
  });

  it("keeps the global peak and trough", () => {
    const values = Array.from({ length: 500 }, (_, i) => (i === 321 ? 1000 : i === 123 ? -1000 : i % 7));
    const out = downsampleSeries(series(values), 20, never, value);
    expect(ts(out)).toContain(321);
    expect(ts(out)).toContain(123);
  });

  it.each<[number, number[]]>([
    [0, []],
    [1, [0]],
    [2, [0, 4]],
  ])("tiny budget %d", (maxPoints, expected) => {
    expect(ts(downsampleSeries(series([1, 2, 3, 4, 5]), maxPoints, never, value))).toEqual(expected);
  });
});
