// Next.js runs register() once when a server process starts. The vitals clock and the audit
// sealer start here so every app instance takes part in their leader elections (docs/decisions/0011-clock-driven-flags.md);
// only the Node.js runtime (it needs a database connection), and not while `next build`
// collects pages (a build must not write flags into whatever database it can reach).
// The live events listener starts here too, so the first stream finds it connected
// (docs/decisions/0014-live-events.md).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  const { startClockFromEnv } = await import("./lib/server/clock/start");
  startClockFromEnv();
  const { getEventHub } = await import("./lib/server/events");
  getEventHub().start();
  // The audit sealer: the same leader election, its own lock (docs/decisions/0018-asynchronous-audit-sealing.md).
  const { startSealerFromEnv } = await import("./lib/server/audit-seal/start");
  startSealerFromEnv();
  // Bedside monitors over HL7 v2 / MLLP, only when HL7_MLLP_PORT is set (docs/decisions/0021-monitor-vitals-over-hl7.md).
  const { startHl7ListenerFromEnv } = await import("./lib/server/devices/start");
  void startHl7ListenerFromEnv();
}
