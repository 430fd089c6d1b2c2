import { describe, expect, it } from "vitest";
import { checkInScheduleWords, dueDayFor, linkEndMs, expectedCheckInDays, hasSevereSideEffect, linkExpiresAtMs, linkState, linkWindow, missedCheckInDays, pegScore } from "./check-in";

const DAY = 86_400_000;
const at = (iso: string) => Date.parse(iso);

describe("linkExpiresAtMs", () => {
  it("is 30 days after the end of the planned last session day", () => {
    // planned end 2026-12-10: end of that day 2026-12-11T00:00Z, + 30 days = 2027-01-10T00:00Z
    expect(linkExpiresAtMs({ plannedEndDate: "2026-12-10", closedAtMs: null, nowMs: at("2026-12-01T12:00:00Z"), daysAfterEnd: 30 }))
      .toBe(at("2027-01-10T00:00:00Z"));
  });
  it("is never earlier than 30 days from now when the plan lies in the past", () => {
    const now = at("2027-03-01T08:00:00Z");
    expect(linkExpiresAtMs({ plannedEndDate: "2026-12-10", closedAtMs: null, nowMs: now, daysAfterEnd: 30 })).toBe(now + 30 * DAY);
  });
  it("counts from the close of a closed series", () => {
    const closed = at("2026-12-05T15:00:00Z");
    expect(linkExpiresAtMs({ plannedEndDate: "2026-12-10", closedAtMs: closed, nowMs: at("2026-12-06T00:00:00Z"), daysAfterEnd: 30 })).toBe(closed + 30 * DAY);
  });
  it("counts from now without a plan", () => {
    expect(linkExpiresAtMs({ plannedEndDate: null, closedAtMs: null, nowMs: 1000, daysAfterEnd: 7 })).toBe(1000 + 7 * DAY);
  });
});

describe("linkState", () => {
  const base = { expiresAtMs: 10 * DAY, revokedAtMs: null, seriesClosedAtMs: null, daysAfterEnd: 30 };
  it("is usable until one millisecond before expiry, expired at it", () => {
    expect(linkState({ ...base, nowMs: 10 * DAY - 1 })).toBe("USABLE");
    expect(linkState({ ...base, nowMs: 10 * DAY })).toBe("EXPIRED");
  });
  it("is revoked from the moment of revocation", () => {
    expect(linkState({ ...base, revokedAtMs: 5 * DAY, nowMs: 5 * DAY })).toBe("REVOKED");
    expect(linkState({ ...base, revokedAtMs: 5 * DAY, nowMs: 5 * DAY - 1 })).toBe("USABLE");
  });
  it("is shortened by a series closed after issue", () => {
    // closed at day 1: valid until day 1 + 2 (daysAfterEnd 2), before the issued day-10 expiry
    expect(linkState({ ...base, daysAfterEnd: 2, seriesClosedAtMs: 1 * DAY, nowMs: 3 * DAY - 1 })).toBe("USABLE");
    expect(linkState({ ...base, daysAfterEnd: 2, seriesClosedAtMs: 1 * DAY, nowMs: 3 * DAY })).toBe("EXPIRED");
  });
});

describe("expectedCheckInDays", () => {
  it("gives days 1, 3, 7 after each session and the day before the next", () => {
    expect(expectedCheckInDays({ sessionDates: ["2026-12-01"], nextSessionDate: "2026-12-15", daysAfterSession: [1, 3, 7], dayBeforeNext: true }))
      .toEqual(["2026-12-02", "2026-12-04", "2026-12-08", "2026-12-14"]);
  });
  it("merges duplicates and skips a day-before that is not after the preceding session", () => {
    // sessions two days apart: day 3 of the first = day 1 of the second (12-04); the day
    // before the second (12-02) is also day 1 of the first; the day before the next (12-03)
    // is the second session's own date, so it is skipped
    expect(expectedCheckInDays({ sessionDates: ["2026-12-01", "2026-12-03"], nextSessionDate: "2026-12-04", daysAfterSession: [1, 3], dayBeforeNext: true }))
      .toEqual(["2026-12-02", "2026-12-04", "2026-12-06"]);
  });
  it("keeps the day before a session that has since been held", () => {
    // weekly: 12-07 was the day before the second session; it stays expected once that session is held
    expect(expectedCheckInDays({ sessionDates: ["2026-12-01", "2026-12-08"], nextSessionDate: null, daysAfterSession: [1], dayBeforeNext: true }))
      .toEqual(["2026-12-02", "2026-12-07", "2026-12-09"]);
    expect(expectedCheckInDays({ sessionDates: ["2026-12-01", "2026-12-08"], nextSessionDate: null, daysAfterSession: [1], dayBeforeNext: false }))
      .toEqual(["2026-12-02", "2026-12-09"]);
  });
  it("sorts session dates given out of order and ignores a repeated date", () => {
    expect(expectedCheckInDays({ sessionDates: ["2026-12-08", "2026-12-01", "2026-12-08"], nextSessionDate: null, daysAfterSession: [1], dayBeforeNext: true }))
      .toEqual(["2026-12-02", "2026-12-07", "2026-12-09"]);
  });
  it("skips the day before sessions on consecutive days (it is the preceding session's date)", () => {
    expect(expectedCheckInDays({ sessionDates: ["2026-12-01", "2026-12-02"], nextSessionDate: "2026-12-03", daysAfterSession: [], dayBeforeNext: true }))
      .toEqual([]);
  });
  it("leaves out a day that is itself a session's date (day 7 of a weekly series)", () => {
    expect(expectedCheckInDays({ sessionDates: ["2026-12-01", "2026-12-08"], nextSessionDate: "2026-12-15", daysAfterSession: [1, 3, 7], dayBeforeNext: true }))
      // 12-08 (day 7 of the first) is a session day; 12-07 is the day before it; 12-15 is the
      // next, not yet held, session's date and the second's day 7
      .toEqual(["2026-12-02", "2026-12-04", "2026-12-07", "2026-12-09", "2026-12-11", "2026-12-14", "2026-12-15"]);
  });
  it("ignores zero and negative offsets and the day-before when switched off", () => {
    expect(expectedCheckInDays({ sessionDates: ["2026-12-31"], nextSessionDate: "2027-01-10", daysAfterSession: [0, -1, 1], dayBeforeNext: false }))
      .toEqual(["2027-01-01"]);
  });
  it("is empty before any session", () => {
    expect(expectedCheckInDays({ sessionDates: [], nextSessionDate: null, daysAfterSession: [1, 3, 7], dayBeforeNext: true })).toEqual([]);
  });
});

describe("dueDayFor", () => {
  const expectedDays = ["2026-12-02", "2026-12-04", "2026-12-08"];
  it("is on time on an expected day", () => {
    expect(dueDayFor({ today: "2026-12-04", expectedDays, checkInDays: [] })).toEqual({ dueDay: "2026-12-04", isLate: false });
  });
  it("answers the latest unanswered earlier day, late", () => {
    expect(dueDayFor({ today: "2026-12-05", expectedDays, checkInDays: ["2026-12-02"] })).toEqual({ dueDay: "2026-12-04", isLate: true });
  });
  it("is nothing due when the latest day was already answered", () => {
    expect(dueDayFor({ today: "2026-12-06", expectedDays, checkInDays: ["2026-12-05"] })).toEqual({ dueDay: null, isLate: false });
  });
  it("is nothing due before the first expected day", () => {
    expect(dueDayFor({ today: "2026-12-01", expectedDays, checkInDays: [] })).toEqual({ dueDay: null, isLate: false });
  });
});

describe("missedCheckInDays", () => {
  const expectedDays = ["2026-12-02", "2026-12-04", "2026-12-08"];
  const always = [{ fromDay: "2026-12-01", untilDay: "2027-01-31" }];
  it("counts days before today with no check-in up to the next expected day", () => {
    expect(missedCheckInDays({ today: "2026-12-09", expectedDays, checkInDays: ["2026-12-03"], linkWindows: always })).toEqual(["2026-12-04", "2026-12-08"]);
  });
  it("a late check-in answers the day it follows; today is not missed yet", () => {
    expect(missedCheckInDays({ today: "2026-12-08", expectedDays, checkInDays: ["2026-12-02", "2026-12-07"], linkWindows: always })).toEqual([]);
  });
  it("a check-in before the expected day does not answer it", () => {
    expect(missedCheckInDays({ today: "2026-12-03", expectedDays, checkInDays: ["2026-12-01"], linkWindows: always })).toEqual(["2026-12-02"]);
  });
  it("counts nothing without a link: the patient could not check in", () => {
    expect(missedCheckInDays({ today: "2026-12-09", expectedDays, checkInDays: [], linkWindows: [] })).toEqual([]);
  });
  it("counts only days inside a link's window, both ends included", () => {
    // issued on 12-04 (the day 12-02 had passed), revoked on 12-04 and re-issued 12-08
    const windows = [{ fromDay: "2026-12-04", untilDay: "2026-12-04" }, { fromDay: "2026-12-08", untilDay: "2026-12-20" }];
    expect(missedCheckInDays({ today: "2026-12-09", expectedDays, checkInDays: [], linkWindows: windows })).toEqual(["2026-12-04", "2026-12-08"]);
    // a window ending the day before an expected day does not cover it
    expect(missedCheckInDays({ today: "2026-12-09", expectedDays, checkInDays: [], linkWindows: [{ fromDay: "2026-12-01", untilDay: "2026-12-07" }] }))
      .toEqual(["2026-12-02", "2026-12-04"]);
  });
});

describe("linkWindow", () => {
  it("runs from the issue day to the end day", () => {
    expect(linkWindow({ issuedDay: "2026-12-01", endDay: "2026-12-31" })).toEqual({ fromDay: "2026-12-01", untilDay: "2026-12-31" });
  });
  it("is at least the issue day when it ended the day it was issued (or the clock disagrees)", () => {
    expect(linkWindow({ issuedDay: "2026-12-05", endDay: "2026-12-05" })).toEqual({ fromDay: "2026-12-05", untilDay: "2026-12-05" });
    expect(linkWindow({ issuedDay: "2026-12-05", endDay: "2026-12-04" })).toEqual({ fromDay: "2026-12-05", untilDay: "2026-12-05" });
  });
});

describe("pegScore", () => {
  it.each([
    [{ painNrs: 0, enjoymentNrs: 0, activityNrs: 0 }, 0],
    [{ painNrs: 10, enjoymentNrs: 10, activityNrs: 10 }, 10],
    [{ painNrs: 7, enjoymentNrs: 7, activityNrs: 8 }, 7.3], // 22/3 = 7.333…
    [{ painNrs: 7, enjoymentNrs: 8, activityNrs: 8 }, 7.7], // 23/3 = 7.666…
    [{ painNrs: 0, enjoymentNrs: 0, activityNrs: 1 }, 0.3], // 1/3 = 0.333…
    [{ painNrs: 0, enjoymentNrs: 1, activityNrs: 1 }, 0.7], // 2/3 = 0.666…
  ])("%o → %d", (items, expected) => {
    expect(pegScore(items)).toBe(expected);
  });
});

describe("hasSevereSideEffect", () => {
  it("is true at severity 3 only", () => {
    expect(hasSevereSideEffect([{ severity: 2 }, { severity: 3 }])).toBe(true);
    expect(hasSevereSideEffect([{ severity: 2 }])).toBe(false);
    expect(hasSevereSideEffect([])).toBe(false);
  });
});

describe("checkInScheduleWords", () => {
  it.each<[number[], boolean, string]>([
    [[1, 3, 7], true, "on days 1, 3 and 7 after each treatment and the day before the next one"],
    [[7, 1, 3, 3], false, "on days 1, 3 and 7 after each treatment"],
    [[2], true, "on day 2 after each treatment and the day before the next one"],
    [[1, 14], false, "on days 1 and 14 after each treatment"],
    [[], true, "on the day before the next one"],
    [[], false, "whenever you want to tell us how you are"],
  ])("days %j, day before next %s", (daysAfterSession, dayBeforeNext, words) => {
    expect(checkInScheduleWords({ daysAfterSession, dayBeforeNext })).toBe(words);
  });
});

describe("linkEndMs", () => {
  const base = { expiresAtMs: 10 * 86_400_000, revokedAtMs: null, seriesClosedAtMs: null, daysAfterEnd: 30 };
  it("is the expiry when nothing else ends the link", () => {
    expect(linkEndMs(base)).toBe(10 * 86_400_000);
  });
  it("is the revocation when it comes first, the expiry when it comes later", () => {
    expect(linkEndMs({ ...base, revokedAtMs: 5 })).toBe(5);
    expect(linkEndMs({ ...base, revokedAtMs: 11 * 86_400_000 })).toBe(10 * 86_400_000);
  });
  it("is daysAfterEnd after the series closed, when that is before the expiry", () => {
    // closed on day 0 with 3 days: day 3, before the day-10 expiry
    expect(linkEndMs({ ...base, seriesClosedAtMs: 0, daysAfterEnd: 3 })).toBe(3 * 86_400_000);
    expect(linkEndMs({ ...base, seriesClosedAtMs: 0, daysAfterEnd: 30 })).toBe(10 * 86_400_000);
  });
});
