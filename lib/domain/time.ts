/** Time display and day boundaries in the clinic's zone (all times are shown in it). */

// Building an Intl.DateTimeFormat costs far more than using one (exports format tens of
// thousands of instants), so each (kind, zone) formatter is built once.
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
// What the "parts" formatter prints, e.g. "11/21/2026, 18:42:59". Reading format()'s text costs
// a third of formatToParts (which builds an object per part), and an export converts tens of
// thousands of instants. Any other shape (another ICU's punctuation) takes formatToParts.
const EN_US_DATE_TIME = /^(\d{1,2})\/(\d{1,2})\/(\d+), (\d{2}):(\d{2}):(\d{2})$/;

/** Offset of `timeZone` from UTC at `at`, in minutes (e.g. -300 for New York in winter). */
export function zoneOffsetMin(at: Date, timeZone: string): number {
  const f = formatter("parts", "en-US", timeZone, PARTS_OPTIONS);
  const m = EN_US_DATE_TIME.exec(f.format(at));
  let asUtc: number;
  if (m) {
    asUtc = Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]));
  } else {
    const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
    asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  }
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
