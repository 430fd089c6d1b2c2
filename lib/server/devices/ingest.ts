import "server-only";
import { deviceCriticalFindings, mapDeviceObservations, oneEquipment, parseHl7Timestamp } from "@/lib/domain/device-vitals";
import { writeAudit } from "../audit";
import { db, type Tx } from "../db";
import { newId } from "../ids";
import type { ExtractedMessage } from "./hl7-extract";

// What the listener does with one understood message (docs/decisions/0021-monitor-vitals-over-hl7.md):
// find the registered monitor, map its observations, find the running session in its chair at
// the observation's time, and store one unverified reading, at most once per (device, control
// id). The answer is the acknowledgement code and its text: AA stored (or stored before),
// AE understood but not usable (the reason goes back to the device and onto the device page).

export type AckCode = "AA" | "AE" | "AR";
export interface IngestAnswer {
  code: AckCode;
  text: string;
  /** the stored reading (AA), or null */
  readingId: string | null;
  duplicate?: boolean;
}

/** A device's clock may run a little ahead of ours; beyond this the time is refused. */
const FUTURE_SKEW_MS = 5 * 60_000;

const DEVICE_SELECT = {
  id: true, clinicId: true, identifier: true, name: true, active: true, chairId: true,
  chair: { select: { name: true } },
  clinic: { select: { deviceCriticalSpo2BelowPct: true, deviceCriticalSbpAtOrAboveMmHg: true } },
} as const;

/** Records a refusal (AE/AR) for the device page, and the device's last message when it is known. */
async function refuse(msg: { senderKey: string; controlId: string }, device: { id: string; clinicId: string } | null, code: "AE" | "AR", text: string, now: Date): Promise<IngestAnswer> {
  await db.$transaction(async (tx) => {
    await tx.deviceMessage.create({
      data: { id: newId(now.getTime()), deviceId: device?.id ?? null, clinicId: device?.clinicId ?? null, senderKey: msg.senderKey.slice(0, 200), controlId: msg.controlId.slice(0, 200), receivedAt: now, ackCode: code, error: text },
    });
    if (device) await tx.device.update({ where: { id: device.id }, data: { lastMessageAt: now, lastAckCode: code, lastError: text } });
  });
  return { code, text, readingId: null };
}

const duplicateAnswer = (readingId: string | null): IngestAnswer =>
  ({ code: "AA", text: "duplicate message control id: already stored", readingId, duplicate: true });

/** A message the listener could not parse at all (no usable MSH): logged without a sender. */
export async function recordUnparsable(text: string, now = new Date()): Promise<void> {
  await refuse({ senderKey: "", controlId: "" }, null, "AR", text, now);
}

/** The registered device a message comes from: the most specific identifier it carries decides (equipment id before the gateway's application). */
async function findSender(msg: ExtractedMessage) {
  if (msg.senderCandidates.length === 0) return null;
  const found = await db.device.findMany({ where: { identifier: { in: msg.senderCandidates } }, select: DEVICE_SELECT });
  return msg.senderCandidates.map((c) => found.find((d) => d.identifier === c)).find((d) => d !== undefined) ?? null;
}

const senderKeyOf = (msg: ExtractedMessage) => msg.senderCandidates[msg.senderCandidates.length - 1] ?? "";

/**
 * A message we failed to process (database down, a value PostgreSQL refuses): answered AE so the
 * device retries, and logged against its device so the clinic's device page shows the error.
 */
export async function recordProcessingFailure(msg: ExtractedMessage, now = new Date()): Promise<void> {
  const device = await findSender(msg).catch(() => null);
  // the text that made the write fail may be what fails again: keep printable characters only
  const printable = (t: string) => t.replace(/[\x00-\x1f\x7f]/g, "?");
  await refuse({ senderKey: printable(senderKeyOf(msg)), controlId: printable(msg.controlId) }, device, "AE", "could not be processed (server error): the device was asked to send it again", now);
}

export async function ingestDeviceMessage(msg: ExtractedMessage, now = new Date()): Promise<IngestAnswer> {
  const senderKey = senderKeyOf(msg);
  const log = { senderKey, controlId: msg.controlId };
  // resolved first so that even a message refused as unreadable shows on its clinic's device page
  const device = await findSender(msg);
  if (msg.controlId === "") return refuse(log, device, "AR", "MSH-10 message control id is missing", now);
  if (msg.controlId.length > 199) return refuse(log, device, "AR", "MSH-10 message control id is too long", now);
  if (msg.messageCode !== "ORU" || msg.triggerEvent !== "R01")
    return refuse(log, device, "AR", `message type ${msg.messageCode || "?"}^${msg.triggerEvent || "?"} is not accepted (ORU^R01 only)`, now);
  if (msg.senderCandidates.length === 0) return refuse(log, null, "AE", "no device identifier (MSH-3 or OBX-18)", now);
  if (!device) return refuse(log, null, "AE", `unknown device ${senderKey.slice(0, 80)}: register it on the device page`, now);

  // A resend after a lost ACK is answered as the first time, before any check of the present
  // state: the session may have ended, the monitor moved or been deactivated since, and an AE
  // now would tell the monitor (and the device page) that a stored reading was refused. Only an
  // acceptance is looked up: a message refused before is evaluated afresh.
  const accepted = await db.deviceVitals.findUnique({ where: { deviceId_controlId: { deviceId: device.id, controlId: msg.controlId } }, select: { id: true } });
  if (accepted) {
    await db.device.update({ where: { id: device.id }, data: { lastMessageAt: now, lastAckCode: "AA", lastError: null } });
    return duplicateAnswer(accepted.id);
  }

  // one message, one monitor: two equipment ids would merge two monitors' values into one set
  const equipment = oneEquipment(msg.observations);
  if (!equipment.ok) return refuse(log, device, "AE", equipment.error, now);
  if (!device.active) return refuse(log, device, "AE", `device ${device.name} is deactivated`, now);
  if (!device.chairId) return refuse(log, device, "AE", `device ${device.name} is not assigned to a chair`, now);

  const mapping = mapDeviceObservations(msg.observations);
  if (!mapping.ok) return refuse(log, device, "AE", mapping.error, now);

  // the set's time is its observations' own (OBX-14, checked by the mapping); else the message's
  const timeText = mapping.observedAtMs === null ? msg.messageTimes[0] : undefined;
  const atMs = mapping.observedAtMs ?? (timeText === undefined ? null : parseHl7Timestamp(timeText));
  if (atMs === null)
    return refuse(log, device, "AE", timeText === undefined ? "no observation time (OBX-14, OBR-7 or MSH-7)" : `observation time ${timeText.slice(0, 30)} is not a timestamp with a UTC offset`, now);
  if (atMs > now.getTime() + FUTURE_SKEW_MS) return refuse(log, device, "AE", "observation time is in the future", now);
  const at = new Date(atMs);

  const session = await db.infusionSession.findFirst({
    where: { clinicId: device.clinicId, chairId: device.chairId, status: "IN_PROGRESS", openedAt: { lte: at } },
    select: { id: true },
  });
  if (!session) return refuse(log, device, "AE", `no running session in ${device.chair?.name ?? "its chair"} at ${at.toISOString()}`, now);

  const findings = deviceCriticalFindings(mapping.values, {
    spo2BelowPct: device.clinic.deviceCriticalSpo2BelowPct, sbpAtOrAboveMmHg: device.clinic.deviceCriticalSbpAtOrAboveMmHg,
  });
  const id = newId(now.getTime());
  return db.$transaction(async (tx: Tx) => {
    // Idempotent by (device, control id) whatever the number of listeners: a repeated message
    // is acknowledged again and stored once (the unique index decides under a race).
    const inserted = await tx.deviceVitals.createMany({
      data: [{
        id, clinicId: device.clinicId, sessionId: session.id, deviceId: device.id, controlId: msg.controlId, at, receivedAt: now,
        ...mapping.values, criticalText: findings.length > 0 ? findings.join("; ") : null,
      }],
      skipDuplicates: true,
    });
    await tx.device.update({ where: { id: device.id }, data: { lastMessageAt: now, lastAckCode: "AA", lastError: null } });
    if (inserted.count === 0) {
      const prior = await tx.deviceVitals.findUnique({ where: { deviceId_controlId: { deviceId: device.id, controlId: msg.controlId } }, select: { id: true } });
      return duplicateAnswer(prior?.id ?? null);
    }
    // A clinical write by a device, not a user: no actor id, the device named in the snapshot.
    await writeAudit(tx, {
      clinicId: device.clinicId, actorId: null, action: "device-vitals.receive", entityType: "DeviceVitals", entityId: id,
      after: { id, sessionId: session.id, deviceId: device.id, device: device.name, controlId: msg.controlId, at, ...mapping.values, criticalText: findings.join("; ") || null },
    });
    const notes = [
      ...(findings.length > 0 ? [`critical: ${findings.join("; ")}`] : []),
      ...(mapping.withheld.length > 0 ? [`not stored: ${mapping.withheld.join(", ")}`] : []),
    ];
    return { code: "AA" as const, text: ["stored", ...notes].join("; "), readingId: id };
  });
}
