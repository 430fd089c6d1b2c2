// Clock-time axes in the clinic's zone for the session charts.
import { zoneOffsetMin } from "@/lib/time";

const STEP_MIN = [1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 720, 1440];

/** Tick instants on whole clinic-local minutes/hours, at most about `maxTicks` of them. */
export function clockTicks(fromMs: number, toMs: number, timeZone: string, maxTicks = 7): number[] {
  if (!(toMs > fromMs)) return [fromMs];
  const spanMin = (toMs - fromMs) / 60_000;
  const stepMin = STEP_MIN.find((s) => spanMin / s <= maxTicks) ?? Math.ceil(spanMin / maxTicks / 1440) * 1440;
  const stepMs = stepMin * 60_000;
  const offsetMs = zoneOffsetMin(new Date(fromMs), timeZone) * 60_000;
  const ticks: number[] = [];
  for (let local = Math.ceil((fromMs + offsetMs) / stepMs) * stepMs; local - offsetMs <= toMs; local += stepMs) ticks.push(local - offsetMs);
  return ticks;
}

/** "09:15", or "11-21 09:15" when the axis spans more than a day. */
export function clockTickFormatter(timeZone: string, spanMs: number) {
  const withDate = spanMs > 20 * 3_600_000;
  const fmt = new Intl.DateTimeFormat("en-CA", {
    timeZone, hourCycle: "h23", hour: "2-digit", minute: "2-digit", ...(withDate ? { month: "2-digit", day: "2-digit" } : {}),
  });
  return (ms: number) => fmt.format(new Date(ms)).replace(",", "");
}

/** The x domain of a session chart: from opening to the end (now while in progress), widened to the data. */
export function sessionDomain(openedAtMs: number, endMs: number, dataTimes: number[]): [number, number] {
  const from = Math.min(openedAtMs, ...dataTimes);
  const to = Math.max(endMs, ...dataTimes, from + 10 * 60_000);
  // a little room at both ends so a marker (and its label) at the edge is not cut in half
  const pad = Math.round((to - from) * 0.02);
  return [from - pad, to + pad];
}
