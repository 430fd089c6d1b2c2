import { describe, expect, it } from "vitest";
import { ageYears } from "./patient";

describe("ageYears", () => {
  it.each([
    ["1980-06-15", "2026-06-14", 45], // the day before the birthday
    ["1980-06-15", "2026-06-15", 46], // on the birthday
    ["1980-06-15", "2026-06-16", 46],
    ["2000-02-29", "2026-02-28", 25], // leap-day birthday, not yet in a common year
    ["2000-02-29", "2026-03-01", 26],
    ["2026-01-01", "2026-01-01", 0],
  ])("born %s, on %s: %i", (birth, on, age) => {
    expect(ageYears(birth, on)).toBe(age);
  });
});
