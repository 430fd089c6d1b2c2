/** Time display and day boundaries in the clinic's zone (all times are shown in it). */

// Building an Intl.DateTimeFormat costs far more than using one (exports format tens of
// thousands of instants), so each (kind, zone) formatter is built once. One kind, one set
// of options: the key does not include them.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(kind: string, locale: string, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${kind}|${timeZone}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone, ...options });
    formatters.set(key, f);
  }
  return f;
}

export function formatDateTime(iso: string | Date, timeZone: string): string {
  const d = typeof iso === "string" ? new Date(iso) : iso;
  return formatter("datetime", "en-CA", timeZone, {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).format(d).replace(",", "");
}

export function formatTime(iso: string | Date, timeZone: string): string {
  const d = typeof iso === "string" ? new Date(iso) : iso;
  return formatter("time", "en-GB", timeZone, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(d);
}

export function formatDate(iso: string | Date, timeZone: string): string {
  const d = typeof iso === "string" ? new Date(iso) : iso;
  return formatter("date", "en-CA", timeZone, { year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
}

const PARTS_OPTIONS: Intl.DateTimeFormatOptions = {
  hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
};

interface WallClock {
  /** the zone's wall-clock fields at the instant (whole seconds) read as if they were UTC, epoch ms */
  asUtcMs: number;
  /** the formatter's text "MM/DD/YYYY, HH:mm:ss" when it had that shape (a 4-digit year), else null */
  text: string | null;
}

/** Two decimal digits of `t` at `i`, or NaN. */
function twoDigits(t: string, i: number): number {
  const a = t.charCodeAt(i) - 48;
  const b = t.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : Number.NaN;
}

// The "parts" formatter prints "11/21/2026, 18:42:59" for a 4-digit year. Reading that text digit
// by digit costs a third of formatToParts (an object per part) and allocates nothing; an export
// converts tens of thousands of instants. Any other text (a year outside 1000-9999, another
// ICU's punctuation) takes formatToParts.
function wallClock(atMs: number, timeZone: string): WallClock {
  const f = formatter("parts", "en-US", timeZone, PARTS_OPTIONS);
  const t = f.format(atMs);
  if (t.length === 20 && t[2] === "/" && t[5] === "/" && t[10] === "," && t[11] === " " && t[14] === ":" && t[17] === ":") {
    const month = twoDigits(t, 0);
    const day = twoDigits(t, 3);
    const year = twoDigits(t, 6) * 100 + twoDigits(t, 8);
    const asUtcMs = Date.UTC(year, month - 1, day, twoDigits(t, 12), twoDigits(t, 15), twoDigits(t, 18));
    if (!Number.isNaN(asUtcMs)) return { asUtcMs, text: t };
  }
  const parts = Object.fromEntries(f.formatToParts(atMs).map((p) => [p.type, p.value]));
  return {
    asUtcMs: Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)),
    text: null,
  };
}

/** Offset of `timeZone` from UTC at `at` (a Date or epoch ms), in minutes (e.g. -300 for New York in winter). */
export function zoneOffsetMin(at: Date | number, timeZone: string): number {
  const atMs = typeof at === "number" ? at : at.getTime();
  return Math.round((wallClock(atMs, timeZone).asUtcMs - Math.floor(atMs / 1000) * 1000) / 60_000);
}

/** The UTC instant at which the clinic's calendar day containing `at` began. */
export function startOfDayInZone(at: Date, timeZone: string): Date {
  const ymd = formatDate(at, timeZone);
  const guess = new Date(`${ymd}T00:00:00Z`);
  return new Date(guess.getTime() - zoneOffsetMin(guess, timeZone) * 60_000);
}

/** An ISO 8601 string with the zone's offset, e.g. 2026-11-21T09:15:00-05:00 (for exports); `at` is a Date or epoch ms. */
export function isoWithOffset(at: Date | number, timeZone: string): string {
  const atMs = typeof at === "number" ? at : at.getTime();
  const wall = wallClock(atMs, timeZone);
  const offsetMs = wall.asUtcMs - Math.floor(atMs / 1000) * 1000;
  const off = Math.round(offsetMs / 60_000);
  // With a whole-minute offset (every zone since the 1970s) the wall clock's text is exactly the
  // instant shifted by the offset; otherwise (a historical offset in seconds) the instant is
  // shifted by the rounded offset, so the text and the printed offset agree.
  const t = wall.text;
  const local = t !== null && offsetMs % 60_000 === 0
    ? `${t.slice(6, 10)}-${t.slice(0, 2)}-${t.slice(3, 5)}T${t.slice(12, 20)}`
    : new Date(atMs + off * 60_000).toISOString().slice(0, 19);
  const sign = off < 0 ? "-" : "+";
  const abs = Math.abs(off);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** An instant as a clinic-local "YYYY-MM-DDTHH:MM" (24-hour clock), the time fields' value. */
export function toLocalInputValue(ms: number, timeZone: string): string {
  const parts = Object.fromEntries(
    formatter("input-parts", "en-US", timeZone, {
      hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/**
 * The instant a clinic-local "YYYY-MM-DDTHH:MM" (24-hour clock) names, or null when it is
 * not a real date and time: "24:00", minute 60 or 31 February are refused rather than rolled
 * over into another day (a nurse who types 25:10 made a typo, not a next-day entry). In the
 * repeated hour of a DST change the first (earlier) instant is taken; a time skipped by the
 * change moves forward by the gap.
 */
export function fromLocalInputValue(value: string, timeZone: string): number | null {
  const m = LOCAL_INPUT.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59) return null;
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  if (new Date(asUtc).getUTCDate() !== day) return null; // 31 February, 31 April
  // The zone's offsets a day either side bracket any DST change; an instant is valid for an
  // offset when the zone really has that offset then.
  const DAY = 86_400_000;
  const before = zoneOffsetMin(new Date(asUtc - DAY), timeZone);
  const after = zoneOffsetMin(new Date(asUtc + DAY), timeZone);
  const valid = [before, after]
    .map((offsetMin) => ({ offsetMin, ms: asUtc - offsetMin * 60_000 }))
    .filter((c) => zoneOffsetMin(new Date(c.ms), timeZone) === c.offsetMin)
    .map((c) => c.ms);
  if (valid.length > 0) return Math.min(...valid);
  return asUtc - before * 60_000; // in the gap: the wall time read with the offset before the change
}
