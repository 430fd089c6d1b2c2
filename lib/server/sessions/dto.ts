import "server-only";
import type { DoseEventPoint } from "@/lib/domain/dose";

// Rows as the API and the session screen see them: instants as ISO strings, codes narrowed.

/** A stored dose event as the domain's integration reads it. */
export function toPoint(e: { type: DoseEventPoint["type"]; at: Date; rateUgPerKgPerH: number | null; bolusUg: number | null }): DoseEventPoint {
  return { type: e.type, atMs: e.at.getTime(), rateUgPerKgPerH: e.rateUgPerKgPerH, bolusUg: e.bolusUg };
}

export function doseEventDto(r: { id: string; type: string; at: Date; rateUgPerKgPerH: number | null; bolusUg: number | null; reason: string | null; overrideReason: string | null; enteredById: string; enteredAt: Date; queuedAt?: Date | null; correctsId: string | null; correctionReason: string | null; isRetraction: boolean }) {
  return {
    id: r.id, type: r.type as DoseEventPoint["type"], at: r.at.toISOString(), rateUgPerKgPerH: r.rateUgPerKgPerH, bolusUg: r.bolusUg,
    reason: r.reason, overrideReason: r.overrideReason, enteredById: r.enteredById, enteredAt: r.enteredAt.toISOString(), queuedAt: r.queuedAt?.toISOString() ?? null,
    correctsId: r.correctsId, correctionReason: r.correctionReason, isRetraction: r.isRetraction,
  };
}
export function vitalsDto(r: { id: string; at: Date; systolicMmHg: number; diastolicMmHg: number; heartRatePerMin: number; spo2Pct: number; respRatePerMin: number; temperatureDeciC: number | null; sedationRass: number | null; isBaseline: boolean; enteredById: string; enteredAt: Date; queuedAt?: Date | null; correctsId: string | null; correctionReason: string | null; isRetraction: boolean; deviceReadingId?: string | null }) {
  return {
    id: r.id, at: r.at.toISOString(), systolicMmHg: r.systolicMmHg, diastolicMmHg: r.diastolicMmHg, heartRatePerMin: r.heartRatePerMin,
    spo2Pct: r.spo2Pct, respRatePerMin: r.respRatePerMin, temperatureDeciC: r.temperatureDeciC, sedationRass: r.sedationRass,
    isBaseline: r.isBaseline, enteredById: r.enteredById, enteredAt: r.enteredAt.toISOString(), queuedAt: r.queuedAt?.toISOString() ?? null,
    correctsId: r.correctsId, correctionReason: r.correctionReason, isRetraction: r.isRetraction,
    /** the monitor reading this set was validated from (its source); null when typed */
    deviceReadingId: r.deviceReadingId ?? null,
  };
}

/** A monitor reading as the chart and the board show it (docs/decisions/0021-monitor-vitals-over-hl7.md). */
export function deviceReadingDto(r: {
  id: string; at: Date; receivedAt: Date; deviceId: string; device: { name: string }; systolicMmHg: number | null; diastolicMmHg: number | null; meanMmHg: number | null;
  heartRatePerMin: number | null; spo2Pct: number | null; respRatePerMin: number | null; temperatureDeciC: number | null; criticalText: string | null;
  status: "PENDING" | "ACCEPTED" | "REJECTED"; validatedAt: Date | null; rejectReason: string | null;
}) {
  return {
    id: r.id, at: r.at.toISOString(), receivedAt: r.receivedAt.toISOString(), deviceId: r.deviceId, deviceName: r.device.name,
    systolicMmHg: r.systolicMmHg, diastolicMmHg: r.diastolicMmHg, meanMmHg: r.meanMmHg, heartRatePerMin: r.heartRatePerMin, spo2Pct: r.spo2Pct,
    respRatePerMin: r.respRatePerMin, temperatureDeciC: r.temperatureDeciC, criticalText: r.criticalText,
    status: r.status, validatedAt: r.validatedAt?.toISOString() ?? null, rejectReason: r.rejectReason,
  };
}
export type DeviceReadingDto = ReturnType<typeof deviceReadingDto>;
export function painDto(r: { id: string; at: Date; score: number; scale: string; phase: string; reportedBy?: string; enteredById: string; enteredAt: Date; queuedAt?: Date | null; correctsId: string | null; correctionReason: string | null; isRetraction: boolean }) {
  return {
    id: r.id, at: r.at.toISOString(), score: r.score, scale: r.scale as "NRS" | "VAS", phase: r.phase as "PRE" | "INTRA" | "POST" | "FOLLOW_UP",
    // a patient's own score from a check-in (decision 0020) is shown as such, never as staff's
    reportedBy: (r.reportedBy ?? "STAFF") as "STAFF" | "PATIENT",
    enteredById: r.enteredById, enteredAt: r.enteredAt.toISOString(), queuedAt: r.queuedAt?.toISOString() ?? null, correctsId: r.correctsId, correctionReason: r.correctionReason, isRetraction: r.isRetraction,
  };
}
export function sideEffectDto(r: { id: string; at: Date; kind: string; severity: number; intervention: string | null; note: string | null; enteredById: string; enteredAt: Date; queuedAt?: Date | null; correctsId: string | null; correctionReason: string | null; isRetraction: boolean }) {
  return {
    id: r.id, at: r.at.toISOString(), kind: r.kind, severity: r.severity, intervention: r.intervention, note: r.note,
    enteredById: r.enteredById, enteredAt: r.enteredAt.toISOString(), queuedAt: r.queuedAt?.toISOString() ?? null, correctsId: r.correctsId, correctionReason: r.correctionReason, isRetraction: r.isRetraction,
  };
}
export function flagDto(
  f: { id: string; code: string; severity: string; valueText: string; limitText: string; message: string; sourceType: string | null; sourceId: string | null; reason: string | null; raisedById: string; raisedAt: Date; acknowledgedAt: Date | null; acknowledgedById: string | null; ackReason: string | null; sessionId: string | null; seriesId: string;
     conditionKey?: string | null; resolvedAt?: Date | null; resolution?: string | null },
  acknowledgedByName: string | null,
) {
  return {
    id: f.id, code: f.code, severity: f.severity as "SOFT" | "HARD", valueText: f.valueText, limitText: f.limitText, message: f.message,
    sourceType: f.sourceType, sourceId: f.sourceId, reason: f.reason, raisedById: f.raisedById, raisedAt: f.raisedAt.toISOString(),
    acknowledgedAt: f.acknowledgedAt?.toISOString() ?? null, acknowledgedBy: acknowledgedByName, ackReason: f.ackReason,
    sessionId: f.sessionId, seriesId: f.seriesId,
    conditionKey: f.conditionKey ?? null,
    // RESOLVED wins: a flag whose condition went away is not open, acknowledged or not (decision 0009)
    status: (f.resolvedAt ? "RESOLVED" : f.acknowledgedAt ? "ACKNOWLEDGED" : "OPEN") as "OPEN" | "ACKNOWLEDGED" | "RESOLVED",
    resolvedAt: f.resolvedAt?.toISOString() ?? null, resolution: f.resolution ?? null,
  };
}
export type FlagDto = ReturnType<typeof flagDto>;
