// Times in the clinic's zone for client components: the bedside tablet may be set to any
// zone, but every time is shown and typed in the clinic's (lib/time.ts).

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

// Parsing and formatting the typed clinic-local time is pure and tested in lib/domain/time.ts.
export { fromLocalInputValue, toLocalInputValue } from "@/lib/time";

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
