import "server-only";
import type { DoseEventPoint, DoseEventType } from "@/lib/domain/dose";
import type { PainScale } from "@/lib/domain/pain";
import type { SummaryPainScore, SummarySessionInput } from "@/lib/domain/series-summary";
import { Prisma, type ProtocolVersion } from "@/lib/generated/prisma/client";
import { db } from "../db";
import { chartOrder, epochMs, flagOrder, inClinic, sameClinic } from "./fragments";
import { preparedSql } from "./prepared";

// The series review's query: the series, the patient's previous series on the same protocol,
// and the charted rows of both (no vitals: the review does not read them), in ONE query. The
// charted rows travel as compact JSON arrays built by PostgreSQL and are parsed once:
// materialising two years of weekly sessions (~1,000 dose events, ~400 pain scores) through
// Prisma model queries cost ~20 ms of server CPU per page, this ~3 ms, plus ~7 ms in
// PostgreSQL. Splitting it into parallel queries was tried: no faster, and ~2.5 ms more
// PostgreSQL CPU per page on a shared machine (docs/decisions/0005-physician-review.md "How
// the review reads and ships its data"; bench/RESULTS.md "physician review page"). SQL only
// selects and scopes rows; which rows are in force and every clinical figure stay in lib/domain.

/** Its prepared statement (lib/server/sql/prepared.ts). */
export const SERIES_REVIEW_STATEMENT = "series-review";

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
  /** set when its condition went away (decision 0009): the flag is kept, not open */
  resolvedAtMs: number | null;
  resolution: string | null;
  conditionKey: string | null;
}

// The charted rows' JSON arrays; positions match the SQL below.
type SessionTuple = [id: string, sequence: number, status: SummarySessionInput["status"], openedAtMs: number, completedAtMs: number | null, weightG: number];
type DoseTuple = [id: string, sessionId: string, type: DoseEventType, atMs: number, rateUgPerKgPerH: number | null, bolusUg: number | null, correctsId: string | null, isRetraction: boolean];
type PainTuple = [id: string, sessionId: string | null, atMs: number, score: number, scale: PainScale, phase: SummaryPainScore["phase"], correctsId: string | null, isRetraction: boolean, reportedBy: "STAFF" | "PATIENT"];
type SideEffectTuple = [id: string, sessionId: string, kind: string, severity: number, correctsId: string | null, isRetraction: boolean];

/** The protocol version as to_jsonb writes it, its timestamp left out (JSON has no dates; it comes as epoch ms). */
type ProtocolVersionJson = Omit<ProtocolVersion, "createdAt">;

/** One row as the driver returns it: a bigint column is a JS bigint, a jsonb column a parsed object, a ::text column a string. */
/** The series' own columns, the same in the driver's row and the decoded one. */
export interface SeriesReviewHead {
  id: string;
  status: string;
  plannedSessions: number;
  intervalDays: number | null;
  /** YYYY-MM-DD */
  startDate: string;
  screeningOverrideReason: string | null;
  orderingPhysician: string;
}

export interface SeriesReviewDriverRow extends SeriesReviewHead {
  isTarget: boolean;
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
  pv: ProtocolVersionJson;
  pvCreatedAtMs: bigint;
  sessions: string;
  doseEvents: string;
  pain: string;
  sideEffects: string;
  flags: string;
}

/** A charted row with what effectiveRows needs beside the value the domain reads. */
export interface Charted<V> { id: string; sessionId: string | null; correctsId: string | null; isRetraction: boolean; value: V }

/** One series, decoded: dates are Dates, epochs numbers, charted rows objects in chart order (corrections and retractions included). */
export interface SeriesReviewRow extends SeriesReviewHead {
  isTarget: boolean;
  patient: { id: string; mrn: string; givenName: string; familyName: string; birthDate: string; sex: string; allergies: string };
  protocol: { id: string; name: string; route: string; indication: string };
  protocolVersion: ProtocolVersion;
  sessions: { id: string; sequence: number; status: SummarySessionInput["status"]; openedAtMs: number; completedAtMs: number | null; weightG: number }[];
  doseEvents: Charted<DoseEventPoint>[];
  pain: Charted<SummaryPainScore>[];
  sideEffects: Charted<{ kind: string; severity: number }>[];
  flags: ReviewFlagRow[];
}

/**
 * The SQL: series `seriesId` of clinic `clinicId` (isTarget) and the patient's latest earlier
 * series on the same protocol. Every subquery is scoped through the series row `w`, itself
 * found by id AND clinic: a series of another clinic yields no row, so none of its charted
 * rows can be read.
 */
export function seriesReviewSql(clinicId: string, seriesId: string): Prisma.Sql {
  return preparedSql(SERIES_REVIEW_STATEMENT, Prisma.sql`
  WITH target AS (
    SELECT s.id, s."clinicId", s."patientId", s."protocolVersionId", s."startDate", s."createdAt"
      FROM "Series" s
     WHERE s.id = ${seriesId} AND ${inClinic("s", clinicId)}
  ), previous AS (
    SELECT p.id
      FROM target t
      JOIN "ProtocolVersion" v ON v.id = t."protocolVersionId"
      JOIN "Series" p ON p."patientId" = t."patientId" AND ${Prisma.raw(sameClinic("p", "t"))} AND p.id <> t.id
      JOIN "ProtocolVersion" pv ON pv.id = p."protocolVersionId" AND pv."protocolId" = v."protocolId"
     WHERE p."startDate" < t."startDate" OR (p."startDate" = t."startDate" AND p."createdAt" < t."createdAt")
     ORDER BY p."startDate" DESC, p."createdAt" DESC
     LIMIT 1
  ), wanted AS (
    SELECT id, true AS "isTarget" FROM target
    UNION ALL
    SELECT id, false FROM previous
  )
  ${Prisma.raw(`SELECT w.id, wanted."isTarget", w.status::text AS status, w."plannedSessions", w."intervalDays",
         to_char(w."startDate", 'YYYY-MM-DD') AS "startDate", w."screeningOverrideReason",
         op.name AS "orderingPhysician",
         pa.id AS "patientId", pa.mrn, pa."givenName", pa."familyName", to_char(pa."birthDate", 'YYYY-MM-DD') AS "birthDate",
         pa.sex::text AS sex, pa.allergies,
         pr.id AS "protocolId", pr.name AS "protocolName", pr.route::text AS route, pr.indication,
         to_jsonb(pv) - 'createdAt' AS pv, ${epochMs(`pv."createdAt"`)} AS "pvCreatedAtMs",
         (SELECT coalesce(json_agg(json_build_array(i.id, i.sequence, i.status::text, ${epochMs(`i."openedAt"`)}, ${epochMs(`i."completedAt"`)}, i."weightG") ORDER BY i.sequence), '[]')::text
            FROM "InfusionSession" i
           WHERE i."seriesId" = w.id AND ${sameClinic("i", "w")}) AS sessions,
         (SELECT coalesce(json_agg(json_build_array(d.id, d."sessionId", d.type::text, ${epochMs("d.at")}, d."rateUgPerKgPerH", d."bolusUg", d."correctsId", d."isRetraction") ORDER BY ${chartOrder("d")}), '[]')::text
            FROM "DoseEvent" d JOIN "InfusionSession" i ON i.id = d."sessionId"
           WHERE i."seriesId" = w.id AND ${sameClinic("i", "w")}) AS "doseEvents",
         (SELECT coalesce(json_agg(json_build_array(p.id, p."sessionId", ${epochMs("p.at")}, p.score, p.scale::text, p.phase::text, p."correctsId", p."isRetraction", p."reportedBy"::text) ORDER BY ${chartOrder("p")}), '[]')::text
            FROM "PainScore" p
           WHERE p."seriesId" = w.id) AS pain,
         (SELECT coalesce(json_agg(json_build_array(e.id, e."sessionId", e.kind, e.severity, e."correctsId", e."isRetraction") ORDER BY ${chartOrder("e")}), '[]')::text
            FROM "SideEffect" e JOIN "InfusionSession" i ON i.id = e."sessionId"
           WHERE i."seriesId" = w.id AND ${sameClinic("i", "w")}) AS "sideEffects",
         (SELECT coalesce(json_agg(json_build_object(
                   'id', f.id, 'sessionId', f."sessionId", 'code', f.code, 'severity', f.severity::text, 'message', f.message,
                   'valueText', f."valueText", 'limitText', f."limitText", 'reason', f.reason,
                   'raisedAtMs', ${epochMs(`f."raisedAt"`)}, 'raisedBy', ru.name,
                   'acknowledgedAtMs', ${epochMs(`f."acknowledgedAt"`)}, 'acknowledgedBy', au.name, 'ackReason', f."ackReason",
                   'resolvedAtMs', ${epochMs(`f."resolvedAt"`)}, 'resolution', f.resolution, 'conditionKey', f."conditionKey"
                 ) ORDER BY ${flagOrder("f")}), '[]')::text
            FROM "Flag" f
            LEFT JOIN "User" ru ON ru.id = f."raisedById" AND ${sameClinic("ru", "f")}
            LEFT JOIN "User" au ON au.id = f."acknowledgedById" AND ${sameClinic("au", "f")}
           WHERE f."seriesId" = w.id AND ${sameClinic("f", "w")}) AS flags
    FROM wanted
    JOIN "Series" w ON w.id = wanted.id
    JOIN "User" op ON op.id = w."orderingPhysicianId"
    JOIN "Patient" pa ON pa.id = w."patientId"
    JOIN "ProtocolVersion" pv ON pv.id = w."protocolVersionId"
    JOIN "Protocol" pr ON pr.id = pv."protocolId"`)}`);
}

/** The driver's row -> SeriesReviewRow: the JSON texts parsed once, tuples named, the version's epoch made a Date again. */
export function decodeSeriesReviewRow(r: SeriesReviewDriverRow): SeriesReviewRow {
  return {
    id: r.id, isTarget: r.isTarget, status: r.status, plannedSessions: r.plannedSessions, intervalDays: r.intervalDays, startDate: r.startDate,
    screeningOverrideReason: r.screeningOverrideReason, orderingPhysician: r.orderingPhysician,
    patient: { id: r.patientId, mrn: r.mrn, givenName: r.givenName, familyName: r.familyName, birthDate: r.birthDate, sex: r.sex, allergies: r.allergies },
    protocol: { id: r.protocolId, name: r.protocolName, route: r.route, indication: r.indication },
    protocolVersion: { ...r.pv, createdAt: new Date(Number(r.pvCreatedAtMs)) },
    sessions: (JSON.parse(r.sessions) as SessionTuple[]).map(([id, sequence, status, openedAtMs, completedAtMs, weightG]) =>
      ({ id, sequence, status, openedAtMs, completedAtMs, weightG })),
    doseEvents: (JSON.parse(r.doseEvents) as DoseTuple[]).map(([id, sessionId, type, atMs, rateUgPerKgPerH, bolusUg, correctsId, isRetraction]) =>
      ({ id, sessionId, correctsId, isRetraction, value: { type, atMs, rateUgPerKgPerH, bolusUg } })),
    pain: (JSON.parse(r.pain) as PainTuple[]).map(([id, sessionId, atMs, score, scale, phase, correctsId, isRetraction, reportedBy]) =>
      ({ id, sessionId, correctsId, isRetraction, value: { atMs, score, scale, phase, reportedBy } })),
    sideEffects: (JSON.parse(r.sideEffects) as SideEffectTuple[]).map(([id, sessionId, kind, severity, correctsId, isRetraction]) =>
      ({ id, sessionId, correctsId, isRetraction, value: { kind, severity } })),
    flags: JSON.parse(r.flags) as ReviewFlagRow[],
  };
}

/** The series (of clinic `clinicId`) and the patient's previous series on its protocol, decoded; none when the series is not the clinic's. One round trip. */
export async function readSeriesReviewRows(clinicId: string, seriesId: string): Promise<SeriesReviewRow[]> {
  const rows = await db.$queryRaw<SeriesReviewDriverRow[]>(seriesReviewSql(clinicId, seriesId));
  return rows.map(decodeSeriesReviewRow);
}
