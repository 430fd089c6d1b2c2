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

/** Offset of `timeZone` from UTC at `at`, in minutes (e.g. -300 for New York in winter). */
export function zoneOffsetMin(at: Date, timeZone: string): number {
  const parts = Object.fromEntries(
    formatter("parts", "en-US", timeZone, {
      hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
    }).formatToParts(at).map((p) => [p.type, p.value]),
  );
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/** The UTC instant at which the clinic's calendar day containing `at` began. */
export function startOfDayInZone(at: Date, timeZone: string): Date {
  const ymd = formatDate(at, timeZone);
  const guess = new Date(`${ymd}T00:00:00Z`);
  return new Date(guess.getTime() - zoneOffsetMin(guess, timeZone) * 60_000);
}

/** An ISO 8601 string with the zone's offset, e.g. 2026-11-21T09:15:00-05:00 (for exports). */
export function isoWithOffset(at: Date, timeZone: string): string {
  const off = zoneOffsetMin(at, timeZone);
  const local = new Date(at.getTime() + off * 60_000).toISOString().slice(0, 19);
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
