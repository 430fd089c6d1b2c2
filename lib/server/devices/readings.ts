import "server-only";
import { AppError, badInput, conflict, notFound } from "@/lib/errors";
import type { AcceptDeviceVitalsInput, RejectDeviceVitalsInput } from "@/lib/validation/devices";
import { fieldMessages } from "@/lib/validation/common";
import { VitalsSchema } from "@/lib/validation/session";
import { requirePermission, type Actor } from "../actor";
import { auditAs } from "../audit";
import type { Tx } from "../db";
import { chartVitals } from "../sessions/charting";
import { openSessionWrite } from "../sessions/write-context";

// The nurse's validation of a monitor reading (docs/decisions/0021-monitor-vitals-over-hl7.md):
// accept it as measured (it becomes a charted vitals set attributed to her, with the reading
// as its source, through the one vitals charting service: flags, countdown, audit) or reject it
// with a reason. Either way exactly once: the reading is locked and must still be pending.

type ReadingRow = {
  id: string; status: "PENDING" | "ACCEPTED" | "REJECTED"; at: Date; deviceName: string;
  systolicMmHg: number | null; diastolicMmHg: number | null; heartRatePerMin: number | null; spo2Pct: number | null;
  respRatePerMin: number | null; temperatureDeciC: number | null;
};

async function lockPendingReading(tx: Tx, actor: Actor, sessionId: string, readingId: string): Promise<ReadingRow> {
  const rows = await tx.$queryRaw<ReadingRow[]>`
    SELECT r.id, r.status::text AS status, r.at, d.name AS "deviceName", r."systolicMmHg", r."diastolicMmHg", r."heartRatePerMin",
           r."spo2Pct", r."respRatePerMin", r."temperatureDeciC"
      FROM "DeviceVitals" r JOIN "Device" d ON d.id = r."deviceId"
     WHERE r.id = ${readingId} AND r."sessionId" = ${sessionId} AND r."clinicId" = ${actor.clinicId}
       FOR UPDATE OF r`;
  const row = rows[0];
  if (!row) throw notFound("Monitor reading");
  if (row.status !== "PENDING") throw conflict(`This monitor reading was already ${row.status === "ACCEPTED" ? "accepted" : "rejected"}.`);
  return row;
}

const CORE = ["systolicMmHg", "diastolicMmHg", "heartRatePerMin", "spo2Pct", "respRatePerMin"] as const;
const LABEL: Record<(typeof CORE)[number], string> = {
  systolicMmHg: "systolic BP", diastolicMmHg: "diastolic BP", heartRatePerMin: "heart rate", spo2Pct: "SpO2", respRatePerMin: "respiratory rate",
};

export async function acceptDeviceVitals(
  tx: Tx,
  { actor, sessionId, readingId, input, now = new Date() }: { actor: Actor; sessionId: string; readingId: string; input: AcceptDeviceVitalsInput; now?: Date },
) {
  // the same door as typing the set: permission (403), session of the clinic (404), state (409)
  await openSessionWrite(tx, actor, sessionId, "chart-observation");
  const r = await lockPendingReading(tx, actor, sessionId, readingId);
  const overridden = CORE.filter((f) => input[f] !== undefined && r[f] !== null);
  if (overridden.length > 0)
    throw badInput("A value the monitor measured cannot be changed on acceptance: reject the reading and chart the set by hand.",
      Object.fromEntries(overridden.map((f) => [f, "was measured by the monitor"])));
  const missing = CORE.filter((f) => r[f] === null && input[f] === undefined);
  if (missing.length > 0)
    throw badInput(`The monitor did not send the ${missing.map((f) => LABEL[f]).join(", ")}: enter ${missing.length > 1 ? "them" : "it"} to accept the reading.`,
      Object.fromEntries(missing.map((f) => [f, "is required: the monitor did not send it"])));
  const parsed = VitalsSchema.safeParse({
    at: r.at.toISOString(),
    ...Object.fromEntries(CORE.map((f) => [f, r[f] ?? input[f]])),
    ...(r.temperatureDeciC !== null ? { temperatureC: r.temperatureDeciC / 10 } : {}),
    ...(input.sedationRass !== undefined ? { sedationRass: input.sedationRass } : {}),
    // a monitor reading is timed by the monitor; validated later, it is back-timed by nature
    backTimeReason: `Monitor reading (${r.deviceName}), validated`,
  });
  if (!parsed.success) throw new AppError("BAD_INPUT", { userMessage: "This reading cannot be charted as it is.", fields: fieldMessages(parsed.error.issues) });
  const charted = await chartVitals(tx, { actor, sessionId, input: parsed.data, now, deviceReadingId: r.id });
  await tx.deviceVitals.update({ where: { id: r.id }, data: { status: "ACCEPTED", validatedById: actor.userId, validatedAt: now } });
  await auditAs(tx, actor)("device-vitals.accept", "DeviceVitals", r.id, { before: { status: "PENDING" }, after: { status: "ACCEPTED", vitalsId: charted.vitals.id } });
  return charted;
}

export async function rejectDeviceVitals(
  tx: Tx,
  { actor, sessionId, readingId, input, now = new Date() }: { actor: Actor; sessionId: string; readingId: string; input: RejectDeviceVitalsInput; now?: Date },
) {
  requirePermission(actor, "session:chart");
  await openSessionWrite(tx, actor, sessionId, "chart-observation");
  const r = await lockPendingReading(tx, actor, sessionId, readingId);
  const reason = input.reason.trim();
  await tx.deviceVitals.update({ where: { id: r.id }, data: { status: "REJECTED", validatedById: actor.userId, validatedAt: now, rejectReason: reason } });
  await auditAs(tx, actor)("device-vitals.reject", "DeviceVitals", r.id, { before: { status: "PENDING" }, after: { status: "REJECTED", reason } });
  return { reading: { id: r.id, status: "REJECTED" as const, rejectReason: reason } };
}
