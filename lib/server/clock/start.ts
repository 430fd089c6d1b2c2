import "server-only";
import { DEFAULT_CLOCK_TICK_MS, startVitalsClock, type ClockOptions, type RunningClock } from "./scheduler";

// Bounds of TITRATE_CLOCK_TICK_MS: short ticks for tests; never so long that a due time could
// pass unflagged for 60 s (docs/decisions/0011-clock-driven-flags.md "Why 15 s").
const MIN_TICK_MS = 250;
const MAX_TICK_MS = 45_000;

const globalForClock = globalThis as unknown as { titrateVitalsClock?: RunningClock | null };

/**
 * Starts this process's clock from the environment, once per process:
 * TITRATE_CLOCK=off disables it; TITRATE_CLOCK_TICK_MS sets the tick (default 15 s);
 * TITRATE_EMBEDDED_DB=1 (the demo's PGlite) runs without the leader lock.
 */
export function startClockFromEnv(env: NodeJS.ProcessEnv = process.env, extra: Pick<ClockOptions, "onTick" | "log"> = {}): RunningClock | null {
  if (globalForClock.titrateVitalsClock !== undefined) return globalForClock.titrateVitalsClock;
  if (env.TITRATE_CLOCK === "off") {
    console.log("[vitals-clock] off (TITRATE_CLOCK=off): VITALS_OVERDUE is raised only when someone charts");
    return (globalForClock.titrateVitalsClock = null);
  }
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) throw new Error("DATABASE_URL is not set");
  const tickMs = env.TITRATE_CLOCK_TICK_MS === undefined ? DEFAULT_CLOCK_TICK_MS : Number(env.TITRATE_CLOCK_TICK_MS);
  if (!Number.isInteger(tickMs) || tickMs < MIN_TICK_MS || tickMs > MAX_TICK_MS)
    throw new Error(`TITRATE_CLOCK_TICK_MS must be a whole number of ms from ${MIN_TICK_MS} to ${MAX_TICK_MS}`);
  return (globalForClock.titrateVitalsClock = startVitalsClock({ databaseUrl, tickMs, embedded: env.TITRATE_EMBEDDED_DB === "1", ...extra }));
}
