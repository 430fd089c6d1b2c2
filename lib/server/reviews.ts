import "server-only";
import type { DoseEventPoint } from "@/lib/domain/dose";
import { FLAG_LABELS, type FlagCode } from "@/lib/domain/flags";
import { documentedBand, type ProtocolLimits } from "@/lib/domain/protocol";
import { compareSeries, summarizeSeries, type SummarySessionInput } from "@/lib/domain/series-summary";
import { conflict, notFound, badInput } from "@/lib/errors";
import { formatDate } from "@/lib/time";
import type { SignReviewInput } from "@/lib/validation/review";
import { requirePermission, type Actor } from "./actor";
import { auditAs } from "./audit";
import { db, type Tx } from "./db";
import { limitsOf } from "./protocols";
import { effectiveRows } from "./sessions";

/**
 * Everything the summary needs of one series, in five narrow queries (no vitals: the review
 * reads doses, pain, side effects and flags). Scoped to the actor's clinic.
 */
async function loadSeriesInputs(actor: Actor, seriesId: string) {
  const inSeries = { session: { seriesId, clinicId: actor.clinicId } };
  // One round trip: the series and its charted rows are read side by side (every query is
  // scoped by the series id and the clinic; nothing is used before the series is found).
  const [series, sessions, doseEvents, pain, sideEffects, flags] = await Promise.all([
    db.series.findFirst({
      where: { id: seriesId, clinicId: actor.clinicId },
      include: {
        patient: { select: { id: true, mrn: true, givenName: true, familyName: true, birthDate: true, sex: true, allergies: true } },
        protocolVersion: { include: { protocol: { select: { id: true, name: true, route: true, indication: true } } } },
        orderingPhysician: { select: { name: true } },
      },
    }),
    db.infusionSession.findMany({
      where: { seriesId, clinicId: actor.clinicId },
      select: { id: true, sequence: true, status: true, openedAt: true, completedAt: true, weightG: true, signedAt: true },
      orderBy: { sequence: "asc" },
    }),
    db.doseEvent.findMany({
      where: inSeries,
      select: { id: true, sessionId: true, type: true, at: true, rateUgPerKgPerH: true, bolusUg: true, correctsId: true, isRetraction: true },
      orderBy: [{ at: "asc" }, { enteredAt: "asc" }],
    }),
    db.painScore.findMany({
      where: { seriesId, series: { clinicId: actor.clinicId } },
      select: { id: true, sessionId: true, at: true, score: true, scale: true, phase: true, correctsId: true, isRetraction: true },
      orderBy: { at: "asc" },
    }),
    db.sideEffect.findMany({
      where: inSeries,
      select: { id: true, sessionId: true, kind: true, severity: true, correctsId: true, isRetraction: true },
    }),
    db.flag.findMany({ where: { seriesId, clinicId: actor.clinicId }, orderBy: { raisedAt: "asc" } }),
  ]);
  if (!series) throw notFound("Series");
  const group = <T extends { sessionId: string | null }>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) if (r.sessionId) m.set(r.sessionId, [...(m.get(r.sessionId) ?? []), r]);
    return m;
  };
  const doseBy = group(effectiveRows(doseEvents));
  const painBy = group(effectiveRows(pain));
  const sideBy = group(effectiveRows(sideEffects));
  const flagsBy = group(flags);
  const tz = actor.clinicTimezone;
  const inputs: SummarySessionInput[] = sessions.map((s) => ({
    id: s.id, sequence: s.sequence, status: s.status, openedAtMs: s.openedAt.getTime(), date: formatDate(s.openedAt, tz),
    completedAtMs: s.completedAt?.getTime() ?? null, weightG: s.weightG,
    doseEvents: (doseBy.get(s.id) ?? []).map((e): DoseEventPoint => ({ type: e.type, atMs: e.at.getTime(), rateUgPerKgPerH: e.rateUgPerKgPerH, bolusUg: e.bolusUg })),
    pain: (painBy.get(s.id) ?? []).map((p) => ({ atMs: p.at.getTime(), score: p.score, scale: p.scale, phase: p.phase })),
    sideEffects: (sideBy.get(s.id) ?? []).map((e) => ({ kind: e.kind, severity: e.severity })),
    flags: (flagsBy.get(s.id) ?? []).map((f) => ({ code: f.code, severity: f.severity, acknowledged: f.acknowledgedAt !== null })),
  }));
  const limits: ProtocolLimits = limitsOf(series.protocolVersion);
  return { series, sessions, inputs, flags, limits };
}

function summarize(loaded: Awaited<ReturnType<typeof loadSeriesInputs>>, now: Date) {
  const s = loaded.series;
  return summarizeSeries({
    sessions: loaded.inputs, limits: loaded.limits, plannedSessions: s.plannedSessions, intervalDays: s.intervalDays,
    startDate: s.startDate.toISOString().slice(0, 10), nowMs: now.getTime(),
  });
}

/**
 * A series across weeks for the reviewing physician: per-session rows, response, dose,
 * side-effect burden, flags, schedule, reviews, and the patient's previous series on the
 * same protocol with its summary and the difference.
 */
export async function getSeriesSummary({ actor, seriesId, now = new Date() }: { actor: Actor; seriesId: string; now?: Date }) {
  requirePermission(actor, "patient:read");
  // The patient's previous series on the same protocol is found beside the inputs (one SQL
  // query), so its summary loads in the second round trip together with reviews and names.
  const [loaded, previousSeries] = await Promise.all([
    loadSeriesInputs(actor, seriesId),
    db.$queryRaw<{ id: string }[]>`
      SELECT p.id
        FROM "Series" s
        JOIN "ProtocolVersion" v ON v.id = s."protocolVersionId"
        JOIN "Series" p ON p."patientId" = s."patientId" AND p."clinicId" = s."clinicId" AND p.id <> s.id
        JOIN "ProtocolVersion" pv ON pv.id = p."protocolVersionId" AND pv."protocolId" = v."protocolId"
       WHERE s.id = ${seriesId} AND s."clinicId" = ${actor.clinicId}
         AND (p."startDate" < s."startDate" OR (p."startDate" = s."startDate" AND p."createdAt" < s."createdAt"))
       ORDER BY p."startDate" DESC, p."createdAt" DESC
       LIMIT 1`.then((rows) => rows[0] ?? null),
  ]);
  const { series, limits } = loaded;
  const pv = series.protocolVersion;
  const summary = summarize(loaded, now);
  const userIds = [...new Set(loaded.flags.flatMap((f) => [f.acknowledgedById, f.raisedById]).filter((x): x is string => !!x))];
  const [previous, reviews, users] = await Promise.all([
    previousSeries ? previousOf(actor, previousSeries.id, summary, now) : Promise.resolve(null),
    findSeriesReviews({ actor, seriesId }),
    db.user.findMany({ where: { id: { in: userIds }, clinicId: actor.clinicId }, select: { id: true, name: true } }),
  ]);
  const names = Object.fromEntries(users.map((u) => [u.id, u.name]));
  const sequenceOf = Object.fromEntries(loaded.sessions.map((s) => [s.id, s.sequence]));
  const p = series.patient;
  return {
    series: {
      id: series.id, status: series.status, plannedSessions: series.plannedSessions, intervalDays: series.intervalDays,
      startDate: series.startDate.toISOString().slice(0, 10), orderingPhysician: series.orderingPhysician.name,
      screeningOverrideReason: series.screeningOverrideReason,
    },
    patient: { id: p.id, mrn: p.mrn, name: `${p.familyName}, ${p.givenName}`, birthDate: p.birthDate.toISOString().slice(0, 10), sex: p.sex, allergies: p.allergies },
    protocol: {
      id: pv.protocol.id, versionId: pv.id, name: pv.protocol.name, version: pv.version, route: pv.protocol.route, indication: pv.protocol.indication,
      doseBasis: pv.doseBasis, band: documentedBand(limits), maxCumulativeUgPerKg: limits.maxCumulativeUgPerKg, minIntervalHours: limits.minIntervalHours,
      sourceDocument: pv.sourceDocument, sourceWording: pv.sourceWording,
    },
    rows: summary.rows.map(rowDto),
    response: summary.response,
    schedule: summary.schedule,
    dose: summary.dose,
    sideEffectBurden: summary.sideEffectBurden,
    flagCounts: summary.flags,
    flags: loaded.flags.map((f) => ({
      id: f.id, code: f.code, label: FLAG_LABELS[f.code as FlagCode] ?? f.code, severity: f.severity, message: f.message,
      valueText: f.valueText, limitText: f.limitText, reason: f.reason, raisedAt: f.raisedAt.toISOString(), raisedBy: names[f.raisedById] ?? null,
      sessionId: f.sessionId, sessionSequence: f.sessionId ? sequenceOf[f.sessionId] ?? null : null,
      acknowledgedAt: f.acknowledgedAt?.toISOString() ?? null, acknowledgedBy: f.acknowledgedById ? names[f.acknowledgedById] ?? null : null, ackReason: f.ackReason,
    })),
    reviews,
    previous,
    serverNow: now.toISOString(),
  };
}
export type SeriesSummaryDto = Awaited<ReturnType<typeof getSeriesSummary>>;

/** The patient's previous series on the same protocol, summarised, and this one minus it. */
async function previousOf(actor: Actor, seriesId: string, current: ReturnType<typeof summarizeSeries>, now: Date) {
  const prevLoaded = await loadSeriesInputs(actor, seriesId);
  const prevSummary = summarize(prevLoaded, now);
  return {
    seriesId,
    startDate: prevLoaded.series.startDate.toISOString().slice(0, 10),
    status: prevLoaded.series.status,
    protocolVersion: prevLoaded.series.protocolVersion.version,
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
    durabilityDays: r.durabilityDays, followUps: r.followUps.map((f) => ({ at: new Date(f.atMs).toISOString(), atMs: f.atMs, nrs: f.nrs, score: f.score, scale: f.scale })),
  };
}
export type SummaryRowDto = ReturnType<typeof rowDto>;

/** Reviews of a series (series-level and per-session), oldest first, addenda after their review. */
export async function findSeriesReviews({ actor, seriesId }: { actor: Actor; seriesId: string }) {
  requirePermission(actor, "patient:read");
  // Another clinic's series is a 404, not an empty list (the authorization matrix, issue 7).
  const series = await db.series.findFirst({ where: { id: seriesId, clinicId: actor.clinicId }, select: { id: true } });
  if (!series) throw notFound("Series");
  const rows = await db.review.findMany({
    where: { seriesId, series: { clinicId: actor.clinicId } },
    include: { author: { select: { name: true } }, session: { select: { sequence: true } } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((r) => ({
    id: r.id, note: r.note, sessionId: r.sessionId, sessionSequence: r.session?.sequence ?? null, author: r.author.name,
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
