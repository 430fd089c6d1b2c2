// Times in the clinic's zone for client components: the bedside tablet may be set to any
// zone, but every time is shown and typed in the clinic's (lib/time.ts).
import { zoneOffsetMin } from "@/lib/time";

const pad = (n: number) => String(n).padStart(2, "0");

// One formatter per zone: building one costs far more than using it, and a multi-day
// session's logs format thousands of times.
const partsFormatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(timeZone: string) {
  let f = partsFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
    });
    partsFormatters.set(timeZone, f);
  }
  return f;
}

function partsInZone(ms: number, timeZone: string) {
  const parts = Object.fromEntries(partsFormatter(timeZone).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return parts as Record<"year" | "month" | "day" | "hour" | "minute" | "second", string>;
}

/** An instant as the value of an <input type="datetime-local"> in the clinic zone: "2026-11-21T09:15". */
export function toLocalInputValue(ms: number, timeZone: string): string {
  const p = partsInZone(ms, timeZone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * The instant a clinic-local "YYYY-MM-DDTHH:MM" names, or null when it is not a complete
 * date-time. In the repeated hour of a DST change the first (earlier) instant is taken.
 */
export function fromLocalInputValue(value: string, timeZone: string): number | null {
  const m = LOCAL_INPUT.exec(value);
  if (!m) return null;
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  if (!Number.isFinite(asUtc)) return null;
  const firstGuess = asUtc - zoneOffsetMin(new Date(asUtc), timeZone) * 60_000;
  const offsetThen = zoneOffsetMin(new Date(firstGuess), timeZone);
  return asUtc - offsetThen * 60_000;
}

/** "09:15:30" in the clinic zone. */
export function formatClock(ms: number, timeZone: string): string {
  const p = partsInZone(ms, timeZone);
  return `${p.hour}:${p.minute}:${p.second}`;
}

/** "09:15" in the clinic zone. */
export function formatHm(ms: number, timeZone: string): string {
  const p = partsInZone(ms, timeZone);
  return `${p.hour}:${p.minute}`;
}

/** "2026-11-21 09:15" in the clinic zone. */
export function formatDateHm(ms: number, timeZone: string): string {
  const p = partsInZone(ms, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** "1:05:09" (h:mm:ss) or "5:09" (m:ss) for a non-negative duration. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}
