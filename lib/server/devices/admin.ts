import "server-only";
import { deviceSilence, deviceSilenceThresholdMin } from "@/lib/domain/device-vitals";
import { AppError, notFound } from "@/lib/errors";
import type { CreateDeviceInput, UpdateDeviceInput } from "@/lib/validation/devices";
import { requirePermission, type Actor } from "../actor";
import { auditAs } from "../audit";
import { db, type Tx } from "../db";
import { isUniqueViolation } from "../http";

// The clinic's bedside monitors (docs/decisions/0021-monitor-vitals-over-hl7.md): the admin
// registers each under the identifier it sends and assigns it to a chair; the device page
// shows each monitor's last message, and the messages refused, so a monitor that stopped
// sending or is misconfigured is seen.

const DEVICE_SELECT = {
  id: true, identifier: true, name: true, active: true, chairId: true, createdAt: true, lastMessageAt: true, lastAckCode: true, lastError: true,
  chair: { select: { name: true } },
} as const;
type DeviceRow = {
  id: string; identifier: string; name: string; active: boolean; chairId: string | null; createdAt: Date;
  lastMessageAt: Date | null; lastAckCode: string | null; lastError: string | null; chair: { name: string } | null;
};

export function deviceDto(d: DeviceRow) {
  return {
    id: d.id, identifier: d.identifier, name: d.name, active: d.active, chairId: d.chairId, chairName: d.chair?.name ?? null,
    createdAt: d.createdAt.toISOString(), lastMessageAt: d.lastMessageAt?.toISOString() ?? null, lastAckCode: d.lastAckCode, lastError: d.lastError,
  };
}
export type DeviceDto = ReturnType<typeof deviceDto>;

/** How many refused messages the page lists (newest first). */
export const REFUSED_MESSAGES_SHOWN = 50;

/**
 * The device page: every monitor of the clinic with its last message and, for an active one
 * silent past the threshold (twice the clinic's vitals interval), how long it has been silent;
 * and the latest refused messages and processing errors of the clinic's monitors.
 */
export async function findClinicDevices({ actor, now = new Date() }: { actor: Actor; now?: Date }) {
  requirePermission(actor, "device:manage");
  const [devices, refused, clinic] = await Promise.all([
    db.device.findMany({ where: { clinicId: actor.clinicId }, orderBy: [{ active: "desc" }, { name: "asc" }], select: DEVICE_SELECT }),
    db.deviceMessage.findMany({
      where: { clinicId: actor.clinicId }, orderBy: { receivedAt: "desc" }, take: REFUSED_MESSAGES_SHOWN,
      select: { id: true, receivedAt: true, ackCode: true, error: true, controlId: true, device: { select: { name: true } } },
    }),
    db.clinic.findUnique({ where: { id: actor.clinicId }, select: { defaultVitalsIntervalMin: true } }),
  ]);
  const silence = deviceSilenceThresholdMin(clinic?.defaultVitalsIntervalMin ?? null);
  return {
    silence: { ...silence, vitalsIntervalMin: silence.thresholdMin / 2 },
    devices: devices.map((d) => ({
      ...deviceDto(d),
      silent: deviceSilence({ active: d.active, lastMessageAtMs: d.lastMessageAt?.getTime() ?? null, registeredAtMs: d.createdAt.getTime(), nowMs: now.getTime(), thresholdMin: silence.thresholdMin }),
    })),
    refused: refused.map((m) => ({ id: m.id, receivedAt: m.receivedAt.toISOString(), ackCode: m.ackCode, error: m.error, controlId: m.controlId, deviceName: m.device?.name ?? null })),
  };
}
export type ClinicDevices = Awaited<ReturnType<typeof findClinicDevices>>;

async function chairOfClinic(tx: Tx, clinicId: string, chairId: string | null | undefined): Promise<void> {
  if (chairId === undefined || chairId === null) return;
  const chair = await tx.chair.findFirst({ where: { id: chairId, clinicId }, select: { id: true } });
  if (!chair) throw new AppError("NOT_FOUND", { userMessage: "Chair not found.", fields: { chairId: "not a chair of this clinic" } });
}

const identifierTaken = () =>
  new AppError("CONFLICT", { userMessage: "A device with this identifier is already registered.", fields: { identifier: "already registered" } });

export async function createDevice(tx: Tx, { actor, input }: { actor: Actor; input: CreateDeviceInput }) {
  requirePermission(actor, "device:manage");
  await chairOfClinic(tx, actor.clinicId, input.chairId);
  try {
    const device = await tx.device.create({
      data: { clinicId: actor.clinicId, identifier: input.identifier, name: input.name, chairId: input.chairId ?? null },
      select: DEVICE_SELECT,
    });
    await auditAs(tx, actor)("device.create", "Device", device.id, { after: deviceDto(device) });
    return deviceDto(device);
  } catch (err) {
    if (isUniqueViolation(err)) throw identifierTaken();
    throw err;
  }
}

export async function updateDevice(tx: Tx, { actor, deviceId, input }: { actor: Actor; deviceId: string; input: UpdateDeviceInput }) {
  requirePermission(actor, "device:manage");
  const before = await tx.device.findFirst({ where: { id: deviceId, clinicId: actor.clinicId }, select: DEVICE_SELECT });
  if (!before) throw notFound("Device");
  await chairOfClinic(tx, actor.clinicId, input.chairId);
  const after = await tx.device.update({
    where: { id: deviceId },
    data: {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.chairId !== undefined ? { chairId: input.chairId } : {}),
      ...(input.active !== undefined ? { active: input.active } : {}),
    },
    select: DEVICE_SELECT,
  });
  await auditAs(tx, actor)("device.update", "Device", deviceId, { before: deviceDto(before), after: deviceDto(after) });
  return deviceDto(after);
}

export async function addDevice(opts: { actor: Actor; input: CreateDeviceInput }) {
  requirePermission(opts.actor, "device:manage");
  return db.$transaction((tx) => createDevice(tx, opts));
}

export async function changeDevice(opts: { actor: Actor; deviceId: string; input: UpdateDeviceInput }) {
  requirePermission(opts.actor, "device:manage");
  return db.$transaction((tx) => updateDevice(tx, opts));
}
