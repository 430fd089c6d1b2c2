import "server-only";
import { describeError } from "../leader-loop";
import { startHl7Listener, type RunningListener } from "./listener";

// The monitor listener starts with the app when HL7_MLLP_PORT is set (the demo sets 2575); off
// otherwise: a production deployment opens the port only when it has monitors
// (docs/decisions/0021-monitor-vitals-over-hl7.md).

const globalForHl7 = globalThis as unknown as { titrateHl7Listener?: Promise<RunningListener | null> };

/** Parses HL7_MLLP_PORT: null when unset or empty; throws on anything but a port number. */
export function mllpPortFromEnv(env: NodeJS.ProcessEnv = process.env): number | null {
  const raw = env.HL7_MLLP_PORT?.trim();
  if (!raw) return null;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error("HL7_MLLP_PORT must be a port number (1-65535)");
  return port;
}

/**
 * Starts this process's listener once. Not awaited by the app's startup: when another
 * instance on this host holds the port, @medplum/hl7 keeps trying it, and this instance takes
 * over when that one stops. Storage is idempotent either way.
 */
export function startHl7ListenerFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<RunningListener | null> {
  if (globalForHl7.titrateHl7Listener) return globalForHl7.titrateHl7Listener;
  const port = mllpPortFromEnv(env);
  if (port === null) return (globalForHl7.titrateHl7Listener = Promise.resolve(null));
  return (globalForHl7.titrateHl7Listener = startHl7Listener(port).catch((err) => {
    console.log(`[hl7] listener could not start on port ${port}: ${describeError(err)}`);
    return null;
  }));
}
