import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import type { Tx, Db } from "../db";
import { epochMs } from "../sql/fragments";
import { preparedSql } from "../sql/prepared";

export type DueSessionRow = { id: string; clinicId: string };

/**
 * The running sessions whose vitals may be overdue at `nowMs`, across every clinic, in one
 * query (the clock runs it every tick, docs/decisions/0011-clock-driven-flags.md).
 *
 * A necessary condition, never a sufficient one: the exact due time is the domain's
 * (lib/domain/vitals-schedule.ts), evaluated afterwards per session. The open requirement
 * starts at START, at the last set after START, or at a rate increase after that set, and is
 * due at least min(vitalsIntervalMin, vitalsAfterIncreaseMin) after its start; so its due
 * time is never earlier than max(START, last set) + that minimum. Only rows in force count
 * (not retracted, not replaced by a correction): a corrected set moved earlier must not keep a
 * session out. Left out:
 * - sessions with a STOP in force: nothing is due after STOP, and the gap before it was
 *   reconciled by the STOP's own write;
 * - sessions whose open gap already has its live VITALS_OVERDUE flag (key
 *   `VITALS_OVERDUE:<gap start ms>`, the gap start being at or after that lower bound's
 *   start): nothing can change until someone charts, and charting reconciles by itself.
 */
export function selectSessionsWithVitalsPossiblyDue(client: Tx | Db, nowMs: number): Promise<DueSessionRow[]> {
  return client.$queryRaw<DueSessionRow[]>(preparedSql("clock-due-sessions", Prisma.sql`
    SELECT r.id, r."clinicId"
      FROM (
        SELECT s.id, s."clinicId",
               least(pv."vitalsIntervalMin", pv."vitalsAfterIncreaseMin")::bigint * 60000 AS "minGapMs",
               (SELECT max(${Prisma.raw(epochMs("d.at"))}) FROM "DoseEvent" d
                 WHERE d."sessionId" = s.id AND d.type = 'START' AND NOT d."isRetraction"
                   AND NOT EXISTS (SELECT 1 FROM "DoseEvent" c WHERE c."correctsId" = d.id)) AS "startMs",
               (SELECT max(${Prisma.raw(epochMs("v.at"))}) FROM "VitalSigns" v
                 WHERE v."sessionId" = s.id AND NOT v."isRetraction"
                   AND NOT EXISTS (SELECT 1 FROM "VitalSigns" c WHERE c."correctsId" = v.id)) AS "lastVitalsMs"
          FROM "InfusionSession" s
          JOIN "Series" se ON se.id = s."seriesId"
          JOIN "ProtocolVersion" pv ON pv.id = se."protocolVersionId"
         WHERE s.status = 'IN_PROGRESS'
           AND NOT EXISTS (
             SELECT 1 FROM "DoseEvent" d
              WHERE d."sessionId" = s.id AND d.type = 'STOP' AND NOT d."isRetraction"
                AND NOT EXISTS (SELECT 1 FROM "DoseEvent" c WHERE c."correctsId" = d.id))
      ) r
     WHERE r."startMs" IS NOT NULL
       AND greatest(r."startMs", coalesce(r."lastVitalsMs", r."startMs")) + r."minGapMs" < ${nowMs}::bigint
       AND NOT EXISTS (
         SELECT 1 FROM "Flag" f
          WHERE f."sessionId" = r.id AND f.code = 'VITALS_OVERDUE' AND f."resolvedAt" IS NULL
            AND substring(f."conditionKey" from '^VITALS_OVERDUE:([0-9]+)$')::bigint
                >= greatest(r."startMs", coalesce(r."lastVitalsMs", r."startMs")))
     ORDER BY r.id`));
}
