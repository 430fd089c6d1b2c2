import { describe, expect, it } from "vitest";
import { formatDateTime, isoWithOffset, startOfDayInZone, zoneOffsetMin } from "./time";

describe("clinic-zone time", () => {
  it.each([
    ["2026-01-15T12:00:00Z", "America/New_York", -300], // EST
    ["2026-07-15T12:00:00Z", "America/New_York", -240], // EDT
    ["2026-03-08T06:59:59Z", "America/New_York", -300], // one second before the spring-forward switch (02:00 EST)
    ["2026-03-08T07:00:00Z", "America/New_York", -240],
    ["2026-07-15T12:00:00Z", "Asia/Kolkata", 330],
    ["2026-07-15T12:00:00Z", "UTC", 0],
  ])("offset at %s in %s is %i min", (iso, tz, off) => {
    expect(zoneOffsetMin(new Date(iso), tz)).toBe(off);
  });

  it("formats instants with the zone's offset", () => {
    expect(isoWithOffset(new Date("2026-11-02T14:05:00Z"), "America/New_York")).toBe("2026-11-02T09:05:00-05:00");
    expect(isoWithOffset(new Date("2026-07-15T12:00:00Z"), "Asia/Kolkata")).toBe("2026-07-15T17:30:00+05:30");
  });

  it("finds the start of the clinic's day, also on a DST day", () => {
    // 2026-11-21 03:00 UTC is still 2026-11-20 22:00 in New York
    expect(startOfDayInZone(new Date("2026-11-21T03:00:00Z"), "America/New_York").toISOString()).toBe("2026-11-20T05:00:00.000Z");
    // spring-forward day begins at 00:00 EST = 05:00 UTC
    expect(startOfDayInZone(new Date("2026-03-08T15:00:00Z"), "America/New_York").toISOString()).toBe("2026-03-08T05:00:00.000Z");
  });

  it("shows date and time in 24 h clinic time", () => {
    expect(formatDateTime("2026-11-02T14:05:00Z", "America/New_York")).toBe("2026-11-02 09:05");
  });
});
