import { describe, expect, it } from "vitest";
import { formatDateTime, fromLocalInputValue, isoWithOffset, startOfDayInZone, toLocalInputValue, zoneOffsetMin } from "./time";

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

  describe("typed clinic-local times (the session forms' 24-hour time fields)", () => {
    it("round-trips an instant through the clinic-local text", () => {
      // 14:05 UTC on 2 Nov 2026 is 09:05 EST (UTC-5)
      expect(toLocalInputValue(Date.parse("2026-11-02T14:05:00Z"), "America/New_York")).toBe("2026-11-02T09:05");
      expect(fromLocalInputValue("2026-11-02T09:05", "America/New_York")).toBe(Date.parse("2026-11-02T14:05:00Z"));
      // past midnight in the clinic while still the previous day in UTC: 00:30 IST = 19:00 UTC the day before
      expect(toLocalInputValue(Date.parse("2026-07-14T19:00:00Z"), "Asia/Kolkata")).toBe("2026-07-15T00:30");
      expect(fromLocalInputValue("2026-07-15T00:30", "Asia/Kolkata")).toBe(Date.parse("2026-07-14T19:00:00Z"));
    });

    it("uses the 24-hour clock: 23:59 and 00:00, never 12 AM/PM", () => {
      expect(toLocalInputValue(Date.parse("2026-01-01T04:59:00Z"), "America/New_York")).toBe("2025-12-31T23:59");
      expect(toLocalInputValue(Date.parse("2026-01-01T05:00:00Z"), "America/New_York")).toBe("2026-01-01T00:00");
      expect(toLocalInputValue(Date.parse("2026-01-01T17:00:00Z"), "America/New_York")).toBe("2026-01-01T12:00");
    });

    it.each([
      "2026-11-02T24:00", // no hour 24
      "2026-11-02T09:60",
      "2026-02-31T09:00", // 31 February does not roll into March
      "2026-04-31T09:00",
      "2026-13-01T09:00",
      "2026-00-10T09:00",
      "2026-11-02T9:05", // the field pads hours
      "2026-11-02 09:05",
      "2026-11-02T09:05:30", // minute precision
      "",
    ])("refuses %j", (text) => {
      expect(fromLocalInputValue(text, "America/New_York")).toBeNull();
    });

    it("takes 29 February in a leap year only", () => {
      expect(fromLocalInputValue("2028-02-29T08:00", "UTC")).toBe(Date.parse("2028-02-29T08:00:00Z"));
      expect(fromLocalInputValue("2026-02-29T08:00", "UTC")).toBeNull();
    });

    it("across DST: the repeated hour means its first instant; a skipped time moves forward", () => {
      // 2026-11-01 01:30 happens twice in New York: first at EDT (UTC-4) = 05:30 UTC
      expect(fromLocalInputValue("2026-11-01T01:30", "America/New_York")).toBe(Date.parse("2026-11-01T05:30:00Z"));
      // 2026-03-08 02:30 does not exist (02:00 EST jumps to 03:00 EDT): read as 03:30 EDT = 07:30 UTC
      expect(fromLocalInputValue("2026-03-08T02:30", "America/New_York")).toBe(Date.parse("2026-03-08T07:30:00Z"));
    });
  });
});

describe("zoneOffsetMin's fast path", () => {
  // The definition it replaced: the zone's wall clock from formatToParts, minus the instant.
  const options = { hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" } as const;
  const referenceFormats = new Map<string, Intl.DateTimeFormat>();
  const reference = (at: Date, timeZone: string) => {
    if (!referenceFormats.has(timeZone)) referenceFormats.set(timeZone, new Intl.DateTimeFormat("en-US", { timeZone, ...options }));
    const parts = Object.fromEntries(referenceFormats.get(timeZone)!.formatToParts(at).map((p) => [p.type, p.value]));
    const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
    return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
  };

  it.each(["America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns", "Pacific/Apia", "Europe/London", "UTC"])(
    "agrees with formatToParts in %s, every 4 hours over 2025-2027 and around each DST switch",
    (tz) => {
      const instants: number[] = [];
      for (let t = Date.UTC(2025, 0, 1); t < Date.UTC(2028, 0, 1); t += 4 * 3_600_000 + 1_234) instants.push(t);
      // one second either side of midnight and of every quarter hour on the 2026 switch days of the northern and southern hemispheres
      for (const day of [Date.UTC(2026, 2, 8), Date.UTC(2026, 10, 1), Date.UTC(2026, 3, 5), Date.UTC(2026, 9, 4), Date.UTC(2026, 2, 29), Date.UTC(2026, 9, 25)]) {
        for (let q = 0; q < 96; q++) instants.push(day + q * 900_000 - 1000, day + q * 900_000, day + q * 900_000 + 999);
      }
      const mismatches = instants.filter((t) => zoneOffsetMin(new Date(t), tz) !== reference(new Date(t), tz) || zoneOffsetMin(t, tz) !== reference(new Date(t), tz));
      expect(mismatches).toEqual([]);
      // isoWithOffset as it was defined: the instant shifted by the offset, printed as UTC
      const referenceIso = (t: number) => {
        const off = reference(new Date(t), tz);
        const abs = Math.abs(off);
        return `${new Date(t + off * 60_000).toISOString().slice(0, 19)}${off < 0 ? "-" : "+"}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
      };
      expect(instants.filter((t) => isoWithOffset(t, tz) !== referenceIso(t) || isoWithOffset(new Date(t), tz) !== referenceIso(t))).toEqual([]);
      expect(instants.length).toBeGreaterThan(8_000);
    },
  );

  it("this runtime's ICU prints the shape the fast path reads (else every call would take formatToParts)", () => {
    const text = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", ...options }).format(new Date("2026-11-21T23:42:59Z"));
    expect(text).toBe("11/21/2026, 18:42:59");
  });

  it("a year outside 1000-9999 (another text shape) takes formatToParts and still agrees", () => {
    for (const t of [Date.UTC(999, 0, 1, 12), Date.UTC(11999, 5, 1, 12), Date.UTC(1000, 0, 1, 12)]) {
      expect(zoneOffsetMin(t, "America/New_York")).toBe(reference(new Date(t), "America/New_York"));
    }
  });

  it("a historical offset in seconds keeps the shifted-instant text (Monrovia was UTC-0:44:30 until 1972)", () => {
    const t = Date.UTC(1960, 5, 1, 12, 0, 0);
    const off = zoneOffsetMin(t, "Africa/Monrovia");
    expect(off === -44 || off === -45).toBe(true);
    expect(isoWithOffset(t, "Africa/Monrovia")).toBe(`${new Date(t + off * 60_000).toISOString().slice(0, 19)}-00:${String(-off)}`);
  });

  it("the midnight hour prints as 00, not 24 (hourCycle h23), so a day boundary keeps its offset", () => {
    expect(zoneOffsetMin(new Date("2026-11-21T05:00:00Z"), "America/New_York")).toBe(-300);
    expect(isoWithOffset(new Date("2026-11-21T05:00:00Z"), "America/New_York")).toBe("2026-11-21T00:00:00-05:00");
  });
});
