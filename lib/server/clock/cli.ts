// Runs the vitals clock alone in a process (no web server): the two-process integration test
// starts two of these, and bench/ measures a tick with it. Prints one JSON line per event.
// Usage: DATABASE_URL=... TITRATE_CLOCK_TICK_MS=1000 tsx --conditions=react-server lib/server/clock/cli.ts
import { startClockFromEnv } from "./start";

const print = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ pid: process.pid, ...event })}\n`);

const clock = startClockFromEnv(process.env, {
  log: (line) => print({ event: "log", line }),
  onTick: (result) => print({ event: "tick", ...result }),
});
if (!clock) process.exit(0);
const stop = () => void clock.stop().then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
