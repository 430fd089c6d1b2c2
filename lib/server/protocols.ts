import "server-only";
import type { ProtocolLimits } from "@/lib/domain/protocol";
import type { ProtocolVersion } from "@/lib/generated/prisma/client";
import { requirePermission, type Actor } from "./actor";
import { db } from "./db";

/** The plain limits object the domain rule engine reads, from a stored protocol version. */
export function limitsOf(v: ProtocolVersion): ProtocolLimits {
  return {
    doseBasis: v.doseBasis,
    softMinRateUgPerKgPerH: v.softMinRateUgPerKgPerH,
    softMaxRateUgPerKgPerH: v.softMaxRateUgPerKgPerH,
    startMinRateUgPerKgPerH: v.startMinRateUgPerKgPerH,
    startMaxRateUgPerKgPerH: v.startMaxRateUgPerKgPerH,
    hardMaxRateUgPerKgPerH: v.hardMaxRateUgPerKgPerH,
    softMaxBolusUgPerKg: v.softMaxBolusUgPerKg,
    hardMaxBolusUgPerKg: v.hardMaxBolusUgPerKg,
    maxStepUgPerKgPerH: v.maxStepUgPerKgPerH,
    maxCumulativeUgPerKg: v.maxCumulativeUgPerKg,
    maxCumulativeUg: v.maxCumulativeUg,
    minDurationMin: v.minDurationMin,
    maxDurationMin: v.maxDurationMin,
    defaultPlannedSessions: v.defaultPlannedSessions,
    minIntervalHours: v.minIntervalHours,
    maxSessionsPer7Days: v.maxSessionsPer7Days,
    vitalsIntervalMin: v.vitalsIntervalMin,
    sbpHighMmHg: v.sbpHighMmHg,
    dbpHighMmHg: v.dbpHighMmHg,
    bpRisePct: v.bpRisePct,
    hrHighPerMin: v.hrHighPerMin,
    hrLowPerMin: v.hrLowPerMin,
    spo2LowPct: v.spo2LowPct,
    rrLowPerMin: v.rrLowPerMin,
    rrHighPerMin: v.rrHighPerMin,
    weightChangeConfirmPct: v.weightChangeConfirmPct,
    poundsTolerancePct: v.poundsTolerancePct,
    standardConcentrationsUgPerMl: v.standardConcentrationsUgPerMl,
    pumpStepCentiMlPerH: v.pumpStepCentiMlPerH,
    pumpRoundingTolerancePct: v.pumpRoundingTolerancePct,
    bolusWindowMin: v.bolusWindowMin,
    vitalsAfterIncreaseMin: v.vitalsAfterIncreaseMin,
    lowBaselinePainNrs: v.lowBaselinePainNrs,
  };
}

export function protocolVersionDto(v: ProtocolVersion) {
  return {
    id: v.id,
    version: v.version,
    limits: limitsOf(v),
    sourceDocument: v.sourceDocument,
    sourceWording: v.sourceWording,
    limitRationale: v.limitRationale,
    createdAt: v.createdAt.toISOString(),
  };
}

/** Every protocol of the actor's clinic with all its versions, newest version first. */
export async function findProtocols({ actor }: { actor: Actor }) {
  requirePermission(actor, "protocol:read");
  const protocols = await db.protocol.findMany({
    where: { clinicId: actor.clinicId },
    orderBy: { name: "asc" },
    include: { versions: { orderBy: { version: "desc" } } },
  });
  return protocols.map((p) => ({
    id: p.id,
    name: p.name,
    indication: p.indication,
    route: p.route,
    retired: p.retiredAt !== null,
    versions: p.versions.map(protocolVersionDto),
  }));
}
