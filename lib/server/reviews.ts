import "server-only";
import { FLAG_LABELS, type FlagCode } from "@/lib/domain/flags";
import { documentedBand } from "@/lib/domain/protocol";
import { compareSeries, summarizeSeries } from "@/lib/domain/series-summary";
import { conflict, notFound, badInput } from "@/lib/errors";
import type { SignReviewInput } from "@/lib/validation/review";
import { requirePermission, type Actor } from "./actor";
import { recordAccess } from "./access-audit";
import { auditAs } from "./audit";
import { db, type Tx } from "./db";
import { readSeriesForReview, type ReviewSeries } from "./series-review-reader";

function summarize(s: ReviewSeries, now: Date) {
  return summarizeSeries({
    sessions: s.inputs, limits: s.limits, plannedSessions: s.plannedSessions, intervalDays: s.intervalDays,
    startDate: s.startDate, nowMs: now.getTime(),
  });
}

/**
 * A series across weeks for the reviewing physician: per-session rows, response, dose,
 * side-effect burden, flags, schedule, reviews, and the patient's previous series on the
 * same protocol with its summary and the difference.
 */
export async function getSeriesSummary({ actor, seriesId, now = new Date(), route = "internal" }: { actor: Actor; seriesId: string; now?: Date; route?: string }) {
  requirePermission(actor, "patient:read");
  // One round trip: the series, its previous one and their charted rows in one query, and
  // the reviews beside it (scoped to the clinic too; dropped if the series is not found).
  const [read, reviews] = await Promise.all([readSeriesForReview(actor, seriesId), readReviews(actor, seriesId)]);
  if (!read) throw notFound("Series");
  const { series } = read;
  // The previous series shown beside it is the same patient's.
  await recordAccess(actor, { route, record: "Series", recordId: series.id, patientIds: [series.patient.id] });
  const pv = series.protocolVersion;
  const summary = summarize(series, now);
  const sequenceOf = new Map(series.inputs.map((s) => [s.id, s.sequence]));
  const p = series.patient;
  return {
    series: {
      id: series.id, status: series.status, plannedSessions: series.plannedSessions, intervalDays: series.intervalDays,
      startDate: series.startDate, orderingPhysician: series.orderingPhysician,
      screeningOverrideReason: series.screeningOverrideReason,
    },
    patient: { id: p.id, mrn: p.mrn, name: `${p.familyName}, ${p.givenName}`, birthDate: p.birthDate, sex: p.sex, allergies: p.allergies },
    protocol: {
      id: series.protocol.id, versionId: pv.id, name: series.protocol.name, version: pv.version, route: series.protocol.route, indication: series.protocol.indication,
      doseBasis: pv.doseBasis, band: documentedBand(series.limits), maxCumulativeUgPerKg: series.limits.maxCumulativeUgPerKg, minIntervalHours: series.limits.minIntervalHours,
      sourceDocument: pv.sourceDocument, sourceWording: pv.sourceWording,
    },
    rows: summary.rows.map(rowDto),
    response: summary.response,
    schedule: summary.schedule,
    dose: summary.dose,
    sideEffectBurden: summary.sideEffectBurden,
    flagCounts: summary.flags,
    flags: series.flags.map((f) => ({
      id: f.id, code: f.code, label: FLAG_LABELS[f.code as FlagCode] ?? f.code, severity: f.severity, message: f.message,
      valueText: f.valueText, limitText: f.limitText, reason: f.reason, raisedAt: new Date(f.raisedAtMs).toISOString(), raisedBy: f.raisedBy,
      sessionId: f.sessionId, sessionSequence: f.sessionId ? sequenceOf.get(f.sessionId) ?? null : null,
      acknowledgedAt: f.acknowledgedAtMs === null ? null : new Date(f.acknowledgedAtMs).toISOString(), acknowledgedBy: f.acknowledgedBy, ackReason: f.ackReason,
      resolvedAt: f.resolvedAtMs === null ? null : new Date(f.resolvedAtMs).toISOString(), resolution: f.resolution, conditionKey: f.conditionKey,
      status: (f.resolvedAtMs !== null ? "RESOLVED" : f.acknowledgedAtMs !== null ? "ACKNOWLEDGED" : "OPEN") as "OPEN" | "ACKNOWLEDGED" | "RESOLVED",
    })),
    reviews,
    previous: read.previous ? previousOf(read.previous, summary, now) : null,
    serverNow: now.toISOString(),
  };
}
export type SeriesSummaryDto = Awaited<ReturnType<typeof getSeriesSummary>>;

/** The patient's previous series on the same protocol, summarised, and this one minus it. */
function previousOf(previous: ReviewSeries, current: ReturnType<typeof summarizeSeries>, now: Date) {
  const prevSummary = summarize(previous, now);
  return {
    seriesId: previous.id,
    startDate: previous.startDate,
    status: previous.status,
    protocolVersion: previous.protocolVersion.version,
    response: prevSummary.response,
    dose: prevSummary.dose,
    schedule: prevSummary.schedule,
    sideEffectBurden: prevSummary.sideEffectBurden,
    rows: prevSummary.rows.map(rowDto),
    comparison: compareSeries(current, prevSummary),
  };
}

function rowDto(r: ReturnType<typeof summarizeSeries>["rows"][number]) {
  return {
    sessionId: r.sessionId, sequence: r.sequence, status: r.status, date: r.date, at: new Date(r.atMs).toISOString(), atMs: r.atMs,
    plannedDate: r.plannedDate, daysFromPlan: r.daysFromPlan, isLate: r.isLate, daysSincePrevious: r.daysSincePrevious, intervalTooShort: r.intervalTooShort,
    preNrs: r.preNrs, postNrs: r.postNrs, pre: r.pre, post: r.post, reliefPct: r.reliefPct,
    totalMgPerKg: r.totalMgPerKg, peakRateMgPerKgPerH: r.peakRateMgPerKgPerH, peakRateZone: r.peakRateZone, totalZone: r.totalZone,
    maxSideEffectSeverity: r.maxSideEffectSeverity, sideEffects: r.sideEffects,
    openFlags: r.openFlags, ackedFlags: r.ackedFlags, openHardFlags: r.openHardFlags,
    durabilityDays: r.durabilityDays, followUps: r.followUps.map((f) => ({ at: new Date(f.atMs).toISOString(), atMs: f.atMs, nrs: f.nrs, score: f.score, scale: f.scale, reportedBy: f.reportedBy })),
  };
}
export type SummaryRowDto = ReturnType<typeof rowDto>;

/** Reviews of a series (series-level and per-session), oldest first, addenda after their review. */
export async function findSeriesReviews({ actor, seriesId, route = "internal" }: { actor: Actor; seriesId: string; route?: string }) {
  requirePermission(actor, "patient:read");
  // Another clinic's series is a 404, not an empty list (the authorization matrix, docs/SECURITY.md).
  const series = await db.series.findFirst({ where: { id: seriesId, clinicId: actor.clinicId }, select: { id: true, patientId: true } });
  if (!series) throw notFound("Series");
  const [reviews] = await Promise.all([
    readReviews(actor, seriesId),
    recordAccess(actor, { route, record: "Series", recordId: series.id, patientIds: [series.patientId] }),
  ]);
  return reviews;
}

/**
 * The reviews of a series of the actor's clinic (none for another clinic's), without the 404
 * check. One raw query: the Prisma model query with its two relations cost ~3 ms of server CPU
 * even for no rows, a tenth of the review page's own budget (bench/RESULTS.md; decision 0005).
 */
async function readReviews(actor: Actor, seriesId: string) {
  const rows = await db.$queryRaw<{
    id: string; note: string; sessionId: string | null; sessionSequence: number | null; author: string;
    signedAt: Date | null; addendumToId: string | null; createdAt: Date;
  }[]>`
    SELECT r.id, r.note, r."sessionId", i.sequence AS "sessionSequence", u.name AS author, r."signedAt", r."addendumToId", r."createdAt"
      FROM "Review" r
      JOIN "Series" s ON s.id = r."seriesId" AND s."clinicId" = ${actor.clinicId}
      JOIN "User" u ON u.id = r."authorId"
      LEFT JOIN "InfusionSession" i ON i.id = r."sessionId"
     WHERE r."seriesId" = ${seriesId}
     ORDER BY r."createdAt", r.id`;
  return rows.map((r) => ({
    id: r.id, note: r.note, sessionId: r.sessionId, sessionSequence: r.sessionSequence, author: r.author,
    signedAt: r.signedAt?.toISOString() ?? null, addendumToId: r.addendumToId, createdAt: r.createdAt.toISOString(),
  }));
}

/**
 * A physician signs a review of the series (or, with sessionId, of one session). A signed
 * review is locked: signing the same scope again answers 409, and later thoughts are
 * addenda (addendumToId), themselves signed. The series row is locked for the transaction
 * so two concurrent signatures cannot both land.
 */
export async function signReview(
  tx: Tx,
  { actor, seriesId, input, now = new Date() }: { actor: Actor; seriesId: string; input: SignReviewInput; now?: Date },
) {
  requirePermission(actor, "review:sign");
  const locked = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM "Series" WHERE id = ${seriesId} AND "clinicId" = ${actor.clinicId} FOR UPDATE`;
  if (locked.length === 0) throw notFound("Series");
  const sessionId = input.sessionId ?? null;
  if (sessionId) {
    const session = await tx.infusionSession.findFirst({ where: { id: sessionId, seriesId, clinicId: actor.clinicId }, select: { status: true } });
    if (!session) throw badInput("That session is not part of this series.", { sessionId: "not found in this series" });
    if (session.status === "IN_PROGRESS") throw conflict("This session is still in progress: review it once it is completed.");
  }
  if (input.addendumToId) {
    const target = await tx.review.findFirst({ where: { id: input.addendumToId, seriesId } });
    if (!target) throw badInput("The review to add to is not part of this series.", { addendumToId: "not found in this series" });
    if (!target.signedAt) throw conflict("Addenda are for signed reviews.");
  } else {
    const signed = await tx.review.findFirst({ where: { seriesId, sessionId, addendumToId: null, signedAt: { not: null } }, select: { id: true } });
    if (signed)
      throw conflict(`This ${sessionId ? "session's" : "series"} review is already signed: add an addendum instead.`);
  }
  const review = await tx.review.create({
    data: {
      seriesId, sessionId: input.addendumToId ? (await tx.review.findUniqueOrThrow({ where: { id: input.addendumToId } })).sessionId : sessionId,
      authorId: actor.userId, note: input.note, signedAt: now, addendumToId: input.addendumToId ?? null, createdAt: now,
    },
  });
  await auditAs(tx, actor)(input.addendumToId ? "review.addendum" : "review.sign", "Review", review.id, { after: review });
  return {
    review: {
      id: review.id, note: review.note, sessionId: review.sessionId, author: actor.name, signedAt: now.toISOString(),
      addendumToId: review.addendumToId, createdAt: review.createdAt.toISOString(),
    },
  };
}
