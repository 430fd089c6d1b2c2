import "server-only";
import { effectiveRows } from "@/lib/domain/charting";
import type { DoseEventPoint, DoseEventType } from "@/lib/domain/dose";
import type { PainScale } from "@/lib/domain/pain";
import type { ProtocolLimits } from "@/lib/domain/protocol";
import type { SummaryPainScore, SummarySessionInput } from "@/lib/domain/series-summary";
import { formatDate } from "@/lib/time";
import type { ProtocolVersion } from "@/lib/generated/prisma/client";
import type { Actor } from "./actor";
import { db } from "./db";
import { limitsOf } from "./protocols";

// Reads what a series review is computed from: the series, the patient's previous series on
// the same protocol, and the charted rows of both (no vitals: the review does not read them),
// in ONE query. The charted rows travel as compact JSON arrays built by PostgreSQL and are
// parsed once: materialising two years of weekly sessions (~1,000 dose events, ~400 pain
// scores) through Prisma model queries cost ~20 ms of server CPU per page, this ~3 ms, plus
// ~7 ms in PostgreSQL (bench/RESULTS.md, issue 4). Splitting it into parallel queries was
// tried: no faster, and ~2.5 ms more PostgreSQL CPU per page on a shared machine. SQL only
// selects and scopes rows; which rows are in force (corrections, retractions) and every
// clinical figure stay in lib/domain, computed here and in the domain functions as before.

/** One charted dose event as the query returns it (positions match the SQL below). */
type DoseTuple = [id: string, sessionId: string, type: DoseEventType, atMs: number, rateUgPerKgPerH: number | null, bolusUg: number | null, correctsId: string | null, isRetraction: boolean];
type PainTuple = [id: string, sessionId: string | null, atMs: number, score: number, scale: PainScale, phase: SummaryPainScore["phase"], correctsId: string | null, isRetraction: boolean];
type SideEffectTuple = [id: string, sessionId: string, kind: string, severity: number, correctsId: string | null, isRetraction: boolean];
type SessionTuple = [id: string, sequence: number, status: SummarySessionInput["status"], openedAtMs: number, completedAtMs: number | null, weightG: number];

/** A flag of the series with the names of who raised and acknowledged it (same clinic only). */
export interface ReviewFlagRow {
  id: string;
  sessionId: string | null;
  code: string;
  severity: "SOFT" | "HARD";
  message: string;
  valueText: string;
  limitText: string;
  reason: string | null;
  raisedAtMs: number;
  raisedBy: string | null;
  acknowledgedAtMs: number | null;
  acknowledgedBy: string | null;
  ackReason: string | null;
}

interface Row {
  id: string;
  isTarget: boolean;
  status: string;
  plannedSessions: number;
  intervalDays: number | null;
  startDate: string;
  screeningOverrideReason: string | null;
  orderingPhysician: string;
  patientId: string;
  mrn: string;
  givenName: string;
  familyName: string;
  birthDate: string;
  sex: string;
  allergies: string;
  protocolId: string;
  protocolName: string;
  route: string;
  indication: string;
  pv: ProtocolVersion;
  sessions: string;
  doseEvents: string;
  pain: string;
  sideEffects: string;
  flags: string;
}

export interface ReviewSeries {
  id: string;
  status: string;
  plannedSessions: number;
  intervalDays: number | null;
  /** YYYY-MM-DD */
  startDate: string;
  screeningOverrideReason: string | null;
  orderingPhysician: string;
  patient: { id: string; mrn: string; givenName: string; familyName: string; birthDate: string; sex: string; allergies: string };
  protocol: { id: string; name: string; route: string; indication: string };
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
  // Every subquery is scoped through the series row `w`, itself found by id AND clinic: a
  // series of another clinic yields no row, so none of its charted rows can be read.
  // (extract(epoch FROM t) * 1000)::bigint is the epoch ms of a timestamp column (stored as
  // UTC without a zone, so this is its UTC instant). Prepared once per connection (db.ts).
  const rows = await db.$queryRaw<Row[]>`/* prepared: series-review */
  WITH target AS (
    SELECT s.id, s."clinicId", s."patientId", s."protocolVersionId", s."startDate", s."createdAt"
      FROM "Series" s
     WHERE s.id = ${seriesId} AND s."clinicId" = ${actor.clinicId}
  ), previous AS (
    SELECT p.id
      FROM target t
      JOIN "ProtocolVersion" v ON v.id = t."protocolVersionId"
      JOIN "Series" p ON p."patientId" = t."patientId" AND p."clinicId" = t."clinicId" AND p.id <> t.id
      JOIN "ProtocolVersion" pv ON pv.id = p."protocolVersionId" AND pv."protocolId" = v."protocolId"
     WHERE p."startDate" < t."startDate" OR (p."startDate" = t."startDate" AND p."createdAt" < t."createdAt")
     ORDER BY p."startDate" DESC, p."createdAt" DESC
     LIMIT 1
  ), wanted AS (
    SELECT id, true AS "isTarget" FROM target
    UNION ALL
    SELECT id, false FROM previous
  )
  SELECT w.id, wanted."isTarget", w.status::text AS status, w."plannedSessions", w."intervalDays",
         to_char(w."startDate", 'YYYY-MM-DD') AS "startDate", w."screeningOverrideReason",
         op.name AS "orderingPhysician",
         pa.id AS "patientId", pa.mrn, pa."givenName", pa."familyName", to_char(pa."birthDate", 'YYYY-MM-DD') AS "birthDate",
         pa.sex::text AS sex, pa.allergies,
         pr.id AS "protocolId", pr.name AS "protocolName", pr.route::text AS route, pr.indication,
         to_jsonb(pv) AS pv,
         (SELECT coalesce(json_agg(json_build_array(i.id, i.sequence, i.status::text, (extract(epoch FROM i."openedAt") * 1000)::bigint, (extract(epoch FROM i."completedAt") * 1000)::bigint, i."weightG") ORDER BY i.sequence), '[]')::text
            FROM "InfusionSession" i
           WHERE i."seriesId" = w.id AND i."clinicId" = w."clinicId") AS sessions,
         (SELECT coalesce(json_agg(json_build_array(d.id, d."sessionId", d.type::text, (extract(epoch FROM d.at) * 1000)::bigint, d."rateUgPerKgPerH", d."bolusUg", d."correctsId", d."isRetraction") ORDER BY d.at, d."enteredAt", d.id), '[]')::text
            FROM "DoseEvent" d JOIN "InfusionSession" i ON i.id = d."sessionId"
           WHERE i."seriesId" = w.id AND i."clinicId" = w."clinicId") AS "doseEvents",
         (SELECT coalesce(json_agg(json_build_array(p.id, p."sessionId", (extract(epoch FROM p.at) * 1000)::bigint, p.score, p.scale::text, p.phase::text, p."correctsId", p."isRetraction") ORDER BY p.at, p.id), '[]')::text
            FROM "PainScore" p
           WHERE p."seriesId" = w.id) AS pain,
         (SELECT coalesce(json_agg(json_build_array(e.id, e."sessionId", e.kind, e.severity, e."correctsId", e."isRetraction") ORDER BY e.at, e.id), '[]')::text
            FROM "SideEffect" e JOIN "InfusionSession" i ON i.id = e."sessionId"
           WHERE i."seriesId" = w.id AND i."clinicId" = w."clinicId") AS "sideEffects",
         (SELECT coalesce(json_agg(json_build_object(
                   'id', f.id, 'sessionId', f."sessionId", 'code', f.code, 'severity', f.severity::text, 'message', f.message,
                   'valueText', f."valueText", 'limitText', f."limitText", 'reason', f.reason,
                   'raisedAtMs', (extract(epoch FROM f."raisedAt") * 1000)::bigint, 'raisedBy', ru.name,
                   'acknowledgedAtMs', (extract(epoch FROM f."acknowledgedAt") * 1000)::bigint, 'acknowledgedBy', au.name, 'ackReason', f."ackReason"
                 ) ORDER BY f."raisedAt", f.id), '[]')::text
            FROM "Flag" f
            LEFT JOIN "User" ru ON ru.id = f."raisedById" AND ru."clinicId" = f."clinicId"
            LEFT JOIN "User" au ON au.id = f."acknowledgedById" AND au."clinicId" = f."clinicId"
           WHERE f."seriesId" = w.id AND f."clinicId" = w."clinicId") AS flags
    FROM wanted
    JOIN "Series" w ON w.id = wanted.id
    JOIN "User" op ON op.id = w."orderingPhysicianId"
    JOIN "Patient" pa ON pa.id = w."patientId"
    JOIN "ProtocolVersion" pv ON pv.id = w."protocolVersionId"
    JOIN "Protocol" pr ON pr.id = pv."protocolId"`;
  const target = rows.find((r) => r.isTarget);
  if (!target) return null;
  const previous = rows.find((r) => !r.isTarget);
  return { series: toReviewSeries(target, actor.clinicTimezone), previous: previous ? toReviewSeries(previous, actor.clinicTimezone) : null };
}

function toReviewSeries(r: Row, timeZone: string): ReviewSeries {
  const sessions = JSON.parse(r.sessions) as SessionTuple[];
  // Which rows are in force is decided over the whole series, as on the bedside chart.
  const doseEvents = effectiveRows((JSON.parse(r.doseEvents) as DoseTuple[]).map(([id, sessionId, type, atMs, rateUgPerKgPerH, bolusUg, correctsId, isRetraction]) =>
    ({ id, sessionId, correctsId, isRetraction, point: { type, atMs, rateUgPerKgPerH, bolusUg } satisfies DoseEventPoint })));
  const pain = effectiveRows((JSON.parse(r.pain) as PainTuple[]).map(([id, sessionId, atMs, score, scale, phase, correctsId, isRetraction]) =>
    ({ id, sessionId, correctsId, isRetraction, score: { atMs, score, scale, phase } satisfies SummaryPainScore })));
  const sideEffects = effectiveRows((JSON.parse(r.sideEffects) as SideEffectTuple[]).map(([id, sessionId, kind, severity, correctsId, isRetraction]) =>
    ({ id, sessionId, correctsId, isRetraction, kind, severity })));
  const flags = JSON.parse(r.flags) as ReviewFlagRow[];

  const doseBy = groupBySession(doseEvents);
  const painBy = groupBySession(pain);
  const sideBy = groupBySession(sideEffects);
  const flagsBy = groupBySession(flags);
  const inputs: SummarySessionInput[] = sessions.map(([id, sequence, status, openedAtMs, completedAtMs, weightG]) => ({
    id, sequence, status, openedAtMs, date: formatDate(new Date(openedAtMs), timeZone), completedAtMs, weightG,
    doseEvents: (doseBy.get(id) ?? []).map((e) => e.point),
    pain: (painBy.get(id) ?? []).map((p) => p.score),
    sideEffects: (sideBy.get(id) ?? []).map((e) => ({ kind: e.kind, severity: e.severity })),
    flags: (flagsBy.get(id) ?? []).map((f) => ({ code: f.code, severity: f.severity, acknowledged: f.acknowledgedAtMs !== null })),
  }));
  const pv = r.pv;
  return {
    id: r.id, status: r.status, plannedSessions: r.plannedSessions, intervalDays: r.intervalDays, startDate: r.startDate,
    screeningOverrideReason: r.screeningOverrideReason, orderingPhysician: r.orderingPhysician,
    patient: { id: r.patientId, mrn: r.mrn, givenName: r.givenName, familyName: r.familyName, birthDate: r.birthDate, sex: r.sex, allergies: r.allergies },
    protocol: { id: r.protocolId, name: r.protocolName, route: r.route, indication: r.indication },
    protocolVersion: { id: pv.id, version: pv.version, doseBasis: pv.doseBasis, sourceDocument: pv.sourceDocument, sourceWording: pv.sourceWording },
    limits: limitsOf(pv),
    inputs,
    flags,
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
