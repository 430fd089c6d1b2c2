import "server-only";
import type { VitalsThresholds } from "@/lib/domain/protocol";
import type { ClinicSettingsInput } from "@/lib/validation/clinic";
import { requirePermission, type Actor } from "./actor";
import { auditAs } from "./audit";
import { db, type Tx } from "./db";

const SETTINGS_SELECT = {
  id: true, name: true, timezone: true, idleSignOutMin: true, defaultVitalsIntervalMin: true,
  defaultSbpHighMmHg: true, defaultDbpHighMmHg: true, defaultBpRisePct: true, defaultHrHighPerMin: true,
  defaultHrLowPerMin: true, defaultSpo2LowPct: true, defaultRrLowPerMin: true, defaultRrHighPerMin: true,
  phone: true, checkInLinkDaysAfterEnd: true, checkInDaysAfterSession: true, checkInDayBeforeNext: true, checkInSideEffectKinds: true,
  deviceCriticalSpo2BelowPct: true, deviceCriticalSbpAtOrAboveMmHg: true,
} as const;

type ClinicRow = {
  [K in keyof typeof SETTINGS_SELECT]: K extends "id" | "name" | "timezone" | "phone" ? string
    : K extends "checkInDaysAfterSession" ? number[] : K extends "checkInSideEffectKinds" ? string[] : K extends "checkInDayBeforeNext" ? boolean : number
};

function settingsDto(c: ClinicRow): ClinicSettingsInput & { id: string } {
  return {
    id: c.id, name: c.name, timezone: c.timezone, idleSignOutMin: c.idleSignOutMin,
    vitalsIntervalMin: c.defaultVitalsIntervalMin, sbpHighMmHg: c.defaultSbpHighMmHg, dbpHighMmHg: c.defaultDbpHighMmHg,
    bpRisePct: c.defaultBpRisePct, hrHighPerMin: c.defaultHrHighPerMin, hrLowPerMin: c.defaultHrLowPerMin,
    spo2LowPct: c.defaultSpo2LowPct, rrLowPerMin: c.defaultRrLowPerMin, rrHighPerMin: c.defaultRrHighPerMin,
    phone: c.phone, checkInLinkDaysAfterEnd: c.checkInLinkDaysAfterEnd, checkInDaysAfterSession: c.checkInDaysAfterSession,
    checkInDayBeforeNext: c.checkInDayBeforeNext,
    checkInSideEffectKinds: c.checkInSideEffectKinds as ClinicSettingsInput["checkInSideEffectKinds"],
    deviceCriticalSpo2BelowPct: c.deviceCriticalSpo2BelowPct, deviceCriticalSbpAtOrAboveMmHg: c.deviceCriticalSbpAtOrAboveMmHg,
  };
}

export async function getClinicSettings({ actor }: { actor: Actor }) {
  requirePermission(actor, "clinic:settings");
  return settingsDto(await db.clinic.findUniqueOrThrow({ where: { id: actor.clinicId }, select: SETTINGS_SELECT }));
}

/**
 * The actor's clinic's default vitals thresholds, copied into a new protocol where the form
 * leaves them out. Read by whoever writes protocols; `tx` when the caller is inside one.
 */
export async function clinicVitalsDefaults({ actor, tx = db }: { actor: Actor; tx?: Tx | typeof db }): Promise<VitalsThresholds> {
  requirePermission(actor, "protocol:manage");
  const c = await tx.clinic.findUniqueOrThrow({ where: { id: actor.clinicId }, select: SETTINGS_SELECT });
  const { vitalsIntervalMin, sbpHighMmHg, dbpHighMmHg, bpRisePct, hrHighPerMin, hrLowPerMin, spo2LowPct, rrLowPerMin, rrHighPerMin } = settingsDto(c);
  return { vitalsIntervalMin, sbpHighMmHg, dbpHighMmHg, bpRisePct, hrHighPerMin, hrLowPerMin, spo2LowPct, rrLowPerMin, rrHighPerMin };
}

/** Existing protocols keep their thresholds: the defaults apply to protocols created afterwards. */
export async function updateClinicSettings(tx: Tx, { actor, input }: { actor: Actor; input: ClinicSettingsInput }) {
  requirePermission(actor, "clinic:settings");
  const before = await tx.clinic.findUniqueOrThrow({ where: { id: actor.clinicId }, select: SETTINGS_SELECT });
  const after = await tx.clinic.update({
    where: { id: actor.clinicId },
    data: {
      name: input.name, timezone: input.timezone, idleSignOutMin: input.idleSignOutMin,
      defaultVitalsIntervalMin: input.vitalsIntervalMin, defaultSbpHighMmHg: input.sbpHighMmHg, defaultDbpHighMmHg: input.dbpHighMmHg,
      defaultBpRisePct: input.bpRisePct, defaultHrHighPerMin: input.hrHighPerMin, defaultHrLowPerMin: input.hrLowPerMin,
      defaultSpo2LowPct: input.spo2LowPct, defaultRrLowPerMin: input.rrLowPerMin, defaultRrHighPerMin: input.rrHighPerMin,
      phone: input.phone, checkInLinkDaysAfterEnd: input.checkInLinkDaysAfterEnd, checkInDaysAfterSession: input.checkInDaysAfterSession,
      checkInDayBeforeNext: input.checkInDayBeforeNext, checkInSideEffectKinds: input.checkInSideEffectKinds,
      deviceCriticalSpo2BelowPct: input.deviceCriticalSpo2BelowPct, deviceCriticalSbpAtOrAboveMmHg: input.deviceCriticalSbpAtOrAboveMmHg,
    },
    select: SETTINGS_SELECT,
  });
  await auditAs(tx, actor)("clinic.settings.update", "Clinic", actor.clinicId, { before: settingsDto(before), after: settingsDto(after) });
  return settingsDto(after);
}

/** For the route handler: the permission first, then the update and its audit row in one transaction. */
export async function saveClinicSettings(opts: { actor: Actor; input: ClinicSettingsInput }) {
  requirePermission(opts.actor, "clinic:settings");
  return db.$transaction((tx) => updateClinicSettings(tx, opts));
}
