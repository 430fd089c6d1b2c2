import "server-only";
import { checkOpenedAt, pumpRateRefusal, startGuards } from "@/lib/domain/guards";
import { safetySettingsOf, type ProtocolLimits, type ProtocolRoute } from "@/lib/domain/protocol";
import { rateUgPerKgPerHFromMgPerKgPerH } from "@/lib/domain/units";
import { AppError, badInput } from "@/lib/errors";
import type { DoseEventInput, StartSessionInput } from "@/lib/validation/session";
import type { Tx } from "../db";

// Dosing-error guards at the point of entry (docs/clinical-brief.md "Safety guards in the
// style of smart-pump drug libraries [defaults unless marked]"; decision 0009): every check
// here runs before anything is written, and each is the same pure function the form runs as
// the nurse types (lib/domain/guards.ts), so the API refuses exactly what the form refuses.
// The flags these facts raise (CONCENTRATION_NOT_STANDARD, WEIGHT_CHANGE_LARGE, ...) are the
// timeline engine's business (lib/domain/session-flags.ts), not this file's.

/** The patient's last recorded weight, g: the newest weighing, else the registration weight. */
export async function lastRecordedWeightG(tx: Tx, patientId: string): Promise<number | null> {
  const newest = await tx.patientWeight.findFirst({ where: { patientId }, orderBy: { measuredAt: "desc" }, select: { weightG: true } });
  if (newest) return newest.weightG;
  const patient = await tx.patient.findUnique({ where: { id: patientId }, select: { weightG: true } });
  return patient?.weightG ?? null;
}

/** What a new session stores from its guards: the clinical opening time and the reasons given. */
export interface StartSessionFacts {
  openedAt: Date;
  enteredAt: Date;
  lateEntryReason: string | null;
  weightConfirmReason: string | null;
  concentrationReason: string | null;
  concentrationOverrideReason: string | null;
}

/**
 * Weight, concentration and opening time of a session about to start. Throws 400 with the
 * field (weightKg, concentrationMgPerMl, openedAt, lateEntryReason) or 422 HARD_LIMIT for an
 * undiluted stock vial without a physician's override; else the facts to store. A reason is
 * stored only when its guard asked for it, so a stored reason always means something.
 */
export async function checkStartInputs(
  tx: Tx,
  { patientId, limits, route, input, weightG, concentrationUgPerMl, now }: {
    patientId: string; limits: ProtocolLimits; route: ProtocolRoute; input: StartSessionInput; weightG: number; concentrationUgPerMl: number; now: Date;
  },
): Promise<StartSessionFacts> {
  const openedAt = input.openedAt ? new Date(input.openedAt) : now;
  const timeError = input.openedAt
    ? checkOpenedAt({ openedAtMs: openedAt.getTime(), nowMs: now.getTime(), lateEntryReason: input.lateEntryReason })
    : null;
  if (timeError) throw badInput(timeError.field === "openedAt" ? `Opening time ${timeError.message}.` : "This session is documented late: give a reason.", { [timeError.field]: timeError.message });
  const guards = startGuards({
    weightG, previousWeightG: await lastRecordedWeightG(tx, patientId), concentrationUgPerMl, route, settings: safetySettingsOf(limits),
    weightConfirmReason: input.weightConfirmReason, concentrationReason: input.concentrationReason,
    concentrationOverrideReason: input.concentrationOverrideReason,
  });
  const [firstField, firstMessage] = Object.entries(guards.errors).find(([field]) => field === "weightKg" || field === "concentrationMgPerMl") ?? [];
  if (guards.isHardLimit) {
    throw new AppError("HARD_LIMIT", {
      userMessage: `Hard limit: ${guards.errors.concentrationMgPerMl ?? ""} A physician's override reason is required.`,
      fields: guards.errors,
    });
  }
  if (firstField && firstMessage) throw badInput(firstMessage, guards.errors);
  const reason = (text: string | undefined, asked: boolean) => (asked ? text?.trim() || null : null);
  return {
    openedAt,
    enteredAt: now,
    lateEntryReason: now.getTime() - openedAt.getTime() > 10 * 60_000 ? input.lateEntryReason?.trim() || null : null,
    weightConfirmReason: reason(input.weightConfirmReason, guards.weight?.status === "LARGE_CHANGE" || guards.weight?.status === "LOOKS_LIKE_POUNDS"),
    concentrationReason: reason(input.concentrationReason, guards.concentration?.status === "NOT_STANDARD"),
    concentrationOverrideReason: reason(input.concentrationOverrideReason, guards.concentration?.status === "STOCK_VIAL"),
  };
}

/**
 * A running rate (START, RATE_CHANGE; a RESUME runs the last of these, already checked) that
 * the pump would set as 0.0 mL/h is refused: the chart would say a dose runs while nothing does.
 */
export async function checkDoseEventInputs(
  tx: Tx,
  { sessionId, limits, weightG, input }: { sessionId: string; limits: ProtocolLimits; weightG: number; input: DoseEventInput },
): Promise<void> {
  if (input.rateMgPerKgPerH === undefined) return;
  const rateUgPerKgPerH = rateUgPerKgPerHFromMgPerKgPerH(input.rateMgPerKgPerH);
  if (rateUgPerKgPerH === null || rateUgPerKgPerH <= 0) return; // the schema reports it
  const session = await tx.infusionSession.findUnique({
    where: { id: sessionId },
    select: { concentrationUgPerMl: true, series: { select: { protocolVersion: { select: { protocol: { select: { route: true } } } } } } },
  });
  // only an IV protocol runs a pump (decision 0009, as the flag engine's PUMP_RATE_ROUNDING)
  if (!session || session.series.protocolVersion.protocol.route !== "IV") return;
  const refusal = pumpRateRefusal({ rateUgPerKgPerH, weightG, concentrationUgPerMl: session.concentrationUgPerMl, settings: safetySettingsOf(limits) });
  if (refusal) throw badInput(refusal, { rateMgPerKgPerH: refusal });
}
