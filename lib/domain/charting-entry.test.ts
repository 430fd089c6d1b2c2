import { describe, expect, it } from "vitest";
import {
  AFTER_END_WINDOW_MS, BACK_TIME_GRACE_MS, checkChartTime, FUTURE_SKEW_MS, hardLimitOverride, hasReason, isBackTimed,
  carriedPressMs, isBackTimedAt, latenessReferenceMs, OFFLINE_PRESS_MAX_AGE_MS, REASON_LENGTH_HINT, REASON_MIN_CHARS,
} from "./charting";
import type { FlagCode, FlagDraft } from "./flags";

const MIN = 60_000;

describe("reasons", () => {
  it("are at least 3 characters", () => {
    expect(REASON_MIN_CHARS).toBe(3);
    expect(REASON_LENGTH_HINT).toBe("at least 3 characters");
  });
  it.each([
    ["ab", false],
    ["abc", true],
    ["  ab  ", false], // 2 characters once trimmed
    [" abc ", true],
    ["   ", false], // whitespace only
    ["\t\n ", false],
    ["", false],
    [null, false],
    [undefined, false],
  ])("%j -> %s", (text, expected) => {
    expect(hasReason(text)).toBe(expected);
  });
});

describe("isBackTimed", () => {
  const now = 100 * MIN;
  it("the grace is 10 minutes", () => expect(BACK_TIME_GRACE_MS).toBe(10 * MIN));
  it("exactly 10 min ago is within the grace", () => expect(isBackTimed(now, now - 10 * MIN)).toBe(false));
  it("10 min + 1 ms ago is back-timed", () => expect(isBackTimed(now, now - 10 * MIN - 1)).toBe(true));
  it("now is not back-timed", () => expect(isBackTimed(now, now)).toBe(false));
});

describe("checkChartTime", () => {
  const openedAtMs = 1_000 * MIN;
  const nowMs = openedAtMs + 60 * MIN;
  const base = { nowMs, openedAtMs, completedAtMs: null, isInProgress: true };
  const BEFORE_OPEN = { message: "The time is before this session opened.", field: "at", fieldMessage: `must be at or after ${new Date(openedAtMs).toISOString()}` };
  const FUTURE = { message: "The time is in the future.", field: "at", fieldMessage: "must not be in the future" };
  const AFTER_END = { message: "The time is after this session ended.", field: "at", fieldMessage: "must be within the session" };
  const BACK_TIMED = { message: "This entry is back-timed: give a reason.", field: "backTimeReason", fieldMessage: "required for entries more than 10 minutes in the past" };

  it("exactly at the opening is accepted (with a reason: it is 60 min ago)", () =>
    expect(checkChartTime({ ...base, atMs: openedAtMs, backTimeReason: "late" })).toBeNull());
  it("1 ms before the opening is refused", () => expect(checkChartTime({ ...base, atMs: openedAtMs - 1 })).toEqual(BEFORE_OPEN));
  it("a follow-up is still bound by the opening", () =>
    expect(checkChartTime({ ...base, atMs: openedAtMs - 1, isFollowUp: true })).toEqual(BEFORE_OPEN));

  it("the future skew is 2 minutes", () => expect(FUTURE_SKEW_MS).toBe(2 * MIN));
  it("exactly at now + skew is accepted", () => expect(checkChartTime({ ...base, atMs: nowMs + FUTURE_SKEW_MS })).toBeNull());
  it("1 ms over now + skew is refused", () => expect(checkChartTime({ ...base, atMs: nowMs + FUTURE_SKEW_MS + 1 })).toEqual(FUTURE));
  it("a follow-up is still bound by the future", () =>
    expect(checkChartTime({ ...base, atMs: nowMs + FUTURE_SKEW_MS + 1, isFollowUp: true })).toEqual(FUTURE));

  it("exactly 10 min ago needs no reason", () => expect(checkChartTime({ ...base, atMs: nowMs - BACK_TIME_GRACE_MS })).toBeNull());
  it("10 min + 1 ms ago without a reason is refused", () =>
    expect(checkChartTime({ ...base, atMs: nowMs - BACK_TIME_GRACE_MS - 1 })).toEqual(BACK_TIMED));
  it.each([["ab", BACK_TIMED], ["   ", BACK_TIMED], ["abc", null]])("back-timed with reason %j", (backTimeReason, expected) =>
    expect(checkChartTime({ ...base, atMs: nowMs - BACK_TIME_GRACE_MS - 1, backTimeReason })).toEqual(expected));
  it("a correction keeps its original's time: no back-time reason", () =>
    expect(checkChartTime({ ...base, atMs: nowMs - 30 * MIN, isCorrection: true })).toBeNull());
  it("a follow-up needs no back-time reason", () =>
    expect(checkChartTime({ ...base, atMs: nowMs - 30 * MIN, isFollowUp: true })).toBeNull());

  describe("after a completed session ended", () => {
    const completedAtMs = openedAtMs + 10 * MIN;
    const late = { nowMs: completedAtMs + 48 * 60 * MIN, openedAtMs, completedAtMs, isInProgress: false, backTimeReason: "charted late" };
    it("the window is a day", () => expect(AFTER_END_WINDOW_MS).toBe(24 * 60 * MIN));
    it("exactly a day after the end is accepted", () => expect(checkChartTime({ ...late, atMs: completedAtMs + AFTER_END_WINDOW_MS })).toBeNull());
    it("1 ms more is refused", () => expect(checkChartTime({ ...late, atMs: completedAtMs + AFTER_END_WINDOW_MS + 1 })).toEqual(AFTER_END));
    it("a follow-up is not bound by the end", () =>
      expect(checkChartTime({ ...late, atMs: completedAtMs + AFTER_END_WINDOW_MS + 1, isFollowUp: true })).toBeNull());
    it("a session still in progress is not bound by a completion time", () =>
      expect(checkChartTime({ ...late, isInProgress: true, atMs: completedAtMs + AFTER_END_WINDOW_MS + 1 })).toBeNull());
  });
});

const flag = (code: FlagCode, severity: "SOFT" | "HARD"): FlagDraft => ({ code, severity, valueText: "v", limitText: "l", message: `${code}.` });

describe("hardLimitOverride", () => {
  const soft = flag("RATE_ABOVE_RANGE", "SOFT");
  const hard = flag("RATE_ABOVE_HARD_LIMIT", "HARD");
  it("no hard flag: nothing is missing and no override is stored, even if one was typed", () =>
    expect(hardLimitOverride([soft], "because")).toEqual({ hard: [], overrideReason: null, isMissing: false }));
  it("a hard flag without a reason is refused", () =>
    expect(hardLimitOverride([soft, hard], undefined)).toEqual({ hard: [hard], overrideReason: null, isMissing: true }));
  it("a hard flag with 2 characters is refused", () =>
    expect(hardLimitOverride([hard], "ok")).toMatchObject({ overrideReason: "ok", isMissing: true }));
  it("a hard flag with whitespace only is refused", () =>
    expect(hardLimitOverride([hard], "   ")).toMatchObject({ overrideReason: null, isMissing: true }));
  it("a hard flag with 3 characters passes, trimmed", () =>
    expect(hardLimitOverride([hard], " abc ")).toEqual({ hard: [hard], overrideReason: "abc", isMissing: false }));
});

// decision 0017: an entry synced from a device's offline queue is judged late at its press
describe("offline press time (queuedAtMs)", () => {
  const HOUR = 60 * MIN;
  const openedAtMs = 1_000 * MIN; // the session opened at t0
  const atMs = openedAtMs + 60 * MIN; // charted "now" at the bedside at t0 + 60 min
  const base = { openedAtMs, completedAtMs: null, isInProgress: true, atMs };
  const BACK_TIMED = { message: "This entry is back-timed: give a reason.", field: "backTimeReason", fieldMessage: "required for entries more than 10 minutes in the past" };

  it("the constants are the documented ones", () => {
    expect(OFFLINE_PRESS_MAX_AGE_MS).toBe(24 * HOUR);
    expect(BACK_TIME_GRACE_MS).toBe(10 * MIN);
  });

  describe("latenessReferenceMs", () => {
    const nowMs = 5_000 * MIN;
    it("no press time: the server's now", () => expect(latenessReferenceMs(nowMs, null)).toBe(nowMs));
    it("a press 40 min ago: the press", () => expect(latenessReferenceMs(nowMs, nowMs - 40 * MIN)).toBe(nowMs - 40 * MIN));
    it("a press exactly 24 h ago: still the press", () => expect(latenessReferenceMs(nowMs, nowMs - 24 * HOUR)).toBe(nowMs - 24 * HOUR));
    it("a press 24 h + 1 ms ago: the server's now", () => expect(latenessReferenceMs(nowMs, nowMs - 24 * HOUR - 1)).toBe(nowMs));
    it("a press slightly ahead (device clock): never later than now", () => expect(latenessReferenceMs(nowMs, nowMs + MIN)).toBe(nowMs));
  });

  it("pressed at the clinical time, synced 40 min later: no reason needed", () =>
    expect(checkChartTime({ ...base, nowMs: atMs + 40 * MIN, queuedAtMs: atMs })).toBeNull());
  it("the same entry without a press time is back-timed (the rule is not dodged by default)", () =>
    expect(checkChartTime({ ...base, nowMs: atMs + 40 * MIN })).toEqual(BACK_TIMED));
  it("pressed exactly 10 min after the clinical time, synced 40 min later: no reason", () =>
    expect(checkChartTime({ ...base, nowMs: atMs + 50 * MIN, queuedAtMs: atMs + 10 * MIN })).toBeNull());
  it("pressed 10 min + 1 ms after the clinical time: a reason is needed, as the form asked at the press", () =>
    expect(checkChartTime({ ...base, nowMs: atMs + 50 * MIN, queuedAtMs: atMs + 10 * MIN + 1 })).toEqual(BACK_TIMED));
  it("... and given, it is accepted", () =>
    expect(checkChartTime({ ...base, nowMs: atMs + 50 * MIN, queuedAtMs: atMs + 10 * MIN + 1, backTimeReason: "monitor was down" })).toBeNull());
  it("a press exactly 24 h before the sync is still judged at the press", () =>
    expect(checkChartTime({ ...base, nowMs: atMs + 24 * HOUR, queuedAtMs: atMs })).toBeNull());
  it("a press more than 24 h before the sync is judged at the sync: a reason is needed", () =>
    expect(checkChartTime({ ...base, nowMs: atMs + 24 * HOUR + 1, queuedAtMs: atMs })).toEqual(BACK_TIMED));
  it("a press exactly at now + skew is accepted", () =>
    expect(checkChartTime({ ...base, nowMs: atMs, queuedAtMs: atMs + FUTURE_SKEW_MS })).toBeNull());
  it("a press 1 ms beyond now + skew is refused", () =>
    expect(checkChartTime({ ...base, nowMs: atMs, queuedAtMs: atMs + FUTURE_SKEW_MS + 1 })).toEqual({
      message: "The time this entry was saved on the device is in the future.", field: "queuedAt", fieldMessage: "must not be in the future",
    }));
  it("a press before the session opened is refused", () =>
    expect(checkChartTime({ ...base, atMs: openedAtMs, nowMs: atMs, queuedAtMs: openedAtMs - 1 })).toEqual({
      message: "The time this entry was saved on the device is before this session opened.", field: "queuedAt",
      fieldMessage: `must be at or after ${new Date(openedAtMs).toISOString()}`,
    }));
  it("a press exactly at the opening is accepted", () =>
    expect(checkChartTime({ ...base, atMs: openedAtMs, nowMs: atMs, queuedAtMs: openedAtMs, backTimeReason: "late" })).toBeNull());
  it("a clinical time 1 ms beyond the press + skew is refused (charting what had not happened)", () =>
    expect(checkChartTime({ ...base, nowMs: atMs + 30 * MIN, queuedAtMs: atMs - FUTURE_SKEW_MS - 1 })).toEqual({
      message: "The time is after this entry was saved on the device.", field: "at", fieldMessage: "must not be after the time it was saved",
    }));
  it("a clinical time exactly at the press + skew is accepted", () =>
    expect(checkChartTime({ ...base, nowMs: atMs + 30 * MIN, queuedAtMs: atMs - FUTURE_SKEW_MS })).toBeNull());
});

describe("a refused offline entry charted again from its form", () => {
  const HOUR = 60 * MIN;
  // pressed offline at 10:00:30.250 for a clinical time 10:00:30.250 (stamped "now"), refused at
  // sync, loaded back into its form and saved again later
  const pressMs = 600 * MIN + 30_250;
  const refused = { refusedAtMs: pressMs, refusedPressMs: pressMs };

  describe("carriedPressMs: the press travels with the time given at it", () => {
    it("the time kept to the millisecond: the original press", () => expect(carriedPressMs({ ...refused, atMs: pressMs })).toBe(pressMs));
    it("1 ms earlier: a new time, no press carried", () => expect(carriedPressMs({ ...refused, atMs: pressMs - 1 })).toBeNull());
    it("1 ms later: a new time, no press carried", () => expect(carriedPressMs({ ...refused, atMs: pressMs + 1 })).toBeNull());
    it("10:00:00.000 for 10:00:30.250 (the seconds lost): a new time", () => expect(carriedPressMs({ ...refused, atMs: 600 * MIN })).toBeNull());
    it("a back-timed original (10:00 given at a 10:25 press) carries its own press", () =>
      expect(carriedPressMs({ atMs: 600 * MIN, refusedAtMs: 600 * MIN, refusedPressMs: 625 * MIN })).toBe(625 * MIN));
  });

  describe("isBackTimedAt: the form asks for a reason exactly when the server would", () => {
    it("no press: judged at now, 10 min is within the grace, 10 min + 1 ms is not", () => {
      expect(isBackTimedAt(pressMs + 10 * MIN, pressMs)).toBe(false);
      expect(isBackTimedAt(pressMs + 10 * MIN + 1, pressMs)).toBe(true);
      expect(isBackTimedAt(pressMs + 10 * MIN + 1, pressMs, null)).toBe(true);
    });
    it("saved again 3 h after the press, time kept: judged at the press, no reason", () =>
      expect(isBackTimedAt(pressMs + 3 * HOUR, pressMs, pressMs)).toBe(false));
    it("saved again exactly 24 h after the press: still judged at the press", () =>
      expect(isBackTimedAt(pressMs + 24 * HOUR, pressMs, pressMs)).toBe(false));
    it("saved again 24 h + 1 ms after the press: judged at now, a reason is needed", () =>
      expect(isBackTimedAt(pressMs + 24 * HOUR + 1, pressMs, pressMs)).toBe(true));
    it("a press exactly 10 min after the time: no reason; 10 min + 1 ms: a reason, as asked at the press", () => {
      expect(isBackTimedAt(pressMs + 2 * HOUR, pressMs - 10 * MIN, pressMs)).toBe(false);
      expect(isBackTimedAt(pressMs + 2 * HOUR, pressMs - 10 * MIN - 1, pressMs)).toBe(true);
    });
    it("the time changed (no press carried) 3 h later: judged at now, a reason is needed", () => {
      const atMs = pressMs - 5 * MIN;
      expect(isBackTimedAt(pressMs + 3 * HOUR, atMs, carriedPressMs({ ...refused, atMs }))).toBe(true);
    });
    it("agrees with checkChartTime at the 24 h boundary", () => {
      const base = { openedAtMs: pressMs - HOUR, completedAtMs: null, isInProgress: true, atMs: pressMs, queuedAtMs: pressMs };
      expect(checkChartTime({ ...base, nowMs: pressMs + 24 * HOUR })).toBeNull();
      expect(checkChartTime({ ...base, nowMs: pressMs + 24 * HOUR + 1 })?.field).toBe("backTimeReason");
    });
  });
});
