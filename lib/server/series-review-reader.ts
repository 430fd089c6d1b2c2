import "server-only";
import { effectiveRows } from "@/lib/domain/charting";
import type { ProtocolLimits } from "@/lib/domain/protocol";
import type { SummarySessionInput } from "@/lib/domain/series-summary";
import { formatDate } from "@/lib/time";
import type { Actor } from "./actor";
import { limitsOf } from "./protocols";
import { readSeriesReviewRows, type ReviewFlagRow, type SeriesReviewHead, type SeriesReviewRow } from "./sql/series-review";

// What a series review is computed from, read in one query (lib/server/sql/series-review.ts)
// and handed to lib/domain: which rows are in force (corrections, retractions) and every
// clinical figure are computed there (docs/decisions/0005-physician-review.md).

export type { ReviewFlagRow };

export interface ReviewSeries extends SeriesReviewHead, Pick<SeriesReviewRow, "patient" | "protocol"> {
  protocolVersion: { id: string; version: number; doseBasis: string; sourceDocument: string; sourceWording: string };
  limits: ProtocolLimits;
  /** one per session, by sequence, with the rows in force (the input of summarizeSeries) */
  inputs: SummarySessionInput[];
  flags: ReviewFlagRow[];
}

/**
 * The series (of the actor's clinic) and the patient's previous series on the same protocol,
 * each with its per-session inputs of the summary; null when the series is not in the
 * actor's clinic. One round trip.
 */
export async function readSeriesForReview(actor: Actor, seriesId: string): Promise<{ series: ReviewSeries; previous: ReviewSeries | null } | null> {
  const rows = await readSeriesReviewRows(actor.clinicId, seriesId);
  const target = rows.find((r) => r.isTarget);
  if (!target) return null;
  const previous = rows.find((r) => !r.isTarget);
  return { series: toReviewSeries(target, actor.clinicTimezone), previous: previous ? toReviewSeries(previous, actor.clinicTimezone) : null };
}

function toReviewSeries(r: SeriesReviewRow, timeZone: string): ReviewSeries {
  // Which rows are in force is decided over the whole series, as on the bedside chart.
  const doseBy = groupBySession(effectiveRows(r.doseEvents));
  const painBy = groupBySession(effectiveRows(r.pain));
  const sideBy = groupBySession(effectiveRows(r.sideEffects));
  const flagsBy = groupBySession(r.flags);
  const inputs: SummarySessionInput[] = r.sessions.map(({ id, sequence, status, openedAtMs, completedAtMs, weightG }) => ({
    id, sequence, status, openedAtMs, date: formatDate(new Date(openedAtMs), timeZone), completedAtMs, weightG,
    doseEvents: (doseBy.get(id) ?? []).map((e) => e.value),
    pain: (painBy.get(id) ?? []).map((p) => p.value),
    sideEffects: (sideBy.get(id) ?? []).map((e) => e.value),
    // a resolved flag no longer stands (decision 0009): it counts neither as open nor as acknowledged
    flags: (flagsBy.get(id) ?? []).filter((f) => f.resolvedAtMs === null).map((f) => ({ code: f.code, severity: f.severity, acknowledged: f.acknowledgedAtMs !== null })),
  }));
  const pv = r.protocolVersion;
  return {
    id: r.id, status: r.status, plannedSessions: r.plannedSessions, intervalDays: r.intervalDays, startDate: r.startDate,
    screeningOverrideReason: r.screeningOverrideReason, orderingPhysician: r.orderingPhysician,
    patient: r.patient,
    protocol: r.protocol,
    protocolVersion: { id: pv.id, version: pv.version, doseBasis: pv.doseBasis, sourceDocument: pv.sourceDocument, sourceWording: pv.sourceWording },
    limits: limitsOf(pv),
    inputs,
    flags: r.flags,
  };
}

/** Rows of one series by session, in their query order; rows without a session are left out. */
function groupBySession<T extends { sessionId: string | null }>(rows: readonly T[]): Map<string, T[]> {
  const bySession = new Map<string, T[]>();
  for (const r of rows) {
    if (!r.sessionId) continue;
    const list = bySession.get(r.sessionId);
    if (list) list.push(r);
    else bySession.set(r.sessionId, [r]);
  }
  return bySession;
}
