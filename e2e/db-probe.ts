/**
 * Direct, read-mostly access to the end-to-end database (E2E_DATABASE_URL) for the security
 * specs: find real record ids, and fingerprint every table to prove a refused call changed
 * nothing.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { Ids } from "./route-policy";

export function e2eDb(): pg.Pool {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error("E2E_DATABASE_URL is not set (scripts/test-all.sh sets it)");
  return new pg.Pool({ connectionString: url, max: 4 });
}

let tables: string[] | null = null;
async function tableNames(db: pg.Pool) {
  tables ??= (await db.query<{ t: string }>(
    `SELECT table_name AS t FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations' ORDER BY 1`,
  )).rows.map((r) => r.t);
  return tables;
}

export type Snapshot = { counts: Record<string, number>; digests: Record<string, string>; maxAuditSeq: number; auditRows: number };

/**
 * Row count and content digest of every table, and the audit log's highest seq. Two equal
 * snapshots mean no row was inserted, updated or deleted anywhere.
 */
export async function snapshot(db: pg.Pool): Promise<Snapshot> {
  const names = await tableNames(db);
  // AuditEvent by its content only: the sealer links rows into the chain (seq, prevHash, hash,
  // sealedAt) up to a second after their write (docs/decisions/0018), which is not a change made
  // by the call under test; an inserted, edited or removed audit row still changes the digest.
  const row = (t: string) => (t === "AuditEvent"
    ? `(x."id", x."clinicId", x."actorId", x."action", x."entityType", x."entityId", x."at", x."before", x."after")::text`
    : "x::text");
  const sql = names
    .map((t) => `SELECT '${t}' AS t, count(*)::int AS n, coalesce(md5(string_agg(${row(t)}, '|' ORDER BY ${row(t)})), '') AS d FROM "${t}" x`)
    .join(" UNION ALL ");
  const rows = (await db.query<{ t: string; n: number; d: string }>(sql)).rows;
  const seq = (await db.query<{ s: string | null }>(`SELECT max(seq)::text AS s FROM "AuditEvent"`)).rows[0]!.s;
  const counts: Record<string, number> = {};
  const digests: Record<string, string> = {};
  for (const r of rows) {
    counts[r.t] = r.n;
    digests[r.t] = r.d;
  }
  return { counts, digests, maxAuditSeq: Number(seq ?? 0), auditRows: counts.AuditEvent ?? 0 };
}

/** The tables whose content differs between two snapshots. */
export function changedTables(a: Snapshot, b: Snapshot): string[] {
  return Object.keys(a.digests).filter((t) => a.digests[t] !== b.digests[t]);
}

export async function clinicId(db: pg.Pool, name: string): Promise<string> {
  const r = await db.query<{ id: string }>(`SELECT id FROM "Clinic" WHERE name = $1`, [name]);
  if (!r.rows[0]) throw new Error(`no clinic ${name}`);
  return r.rows[0].id;
}

/**
 * A copy of an existing user (same password hash, so the demo password signs in) with a new
 * email and optionally another role: throwaway accounts for tests that lock, deactivate or
 * time logins without touching the demo accounts.
 */
export async function cloneUser(db: pg.Pool, fromEmail: string, opts: { email?: string; role?: "NURSE" | "PHYSICIAN" | "ADMIN" } = {}) {
  const id = `c${randomBytes(12).toString("hex")}`;
  const email = opts.email ?? `${id}@throwaway.test`;
  await db.query(
    `INSERT INTO "User" (id, "clinicId", email, name, role, active, "passwordHash", "mustChangePassword", "failedLoginCount", "createdAt")
     SELECT $1, "clinicId", $2, 'Throwaway ' || role::text, coalesce($4::"Role", role), true, "passwordHash", false, 0, now()
       FROM "User" WHERE email = $3`,
    [id, email, fromEmail, opts.role ?? null],
  );
  return { id, email };
}

/** Real ids of Demo Pain Clinic records for path parameters, plus throwaway user/protocol. */
export async function demoIds(db: pg.Pool): Promise<Ids> {
  const demo = await clinicId(db, "Demo Pain Clinic");
  const one = async (sql: string, params: unknown[] = [demo]) => {
    const r = await db.query<{ id: string }>(sql, params);
    if (!r.rows[0]) throw new Error(`no row for ${sql}`);
    return r.rows[0].id;
  };
  const sessionId = await one(`SELECT s.id FROM "InfusionSession" s JOIN "VitalSigns" v ON v."sessionId" = s.id
                                WHERE s."clinicId" = $1 AND s.status = 'IN_PROGRESS' ORDER BY s."openedAt" DESC LIMIT 1`);
  const seriesId = await one(`SELECT "seriesId" AS id FROM "InfusionSession" WHERE id = $1`, [sessionId]);
  const patientId = await one(`SELECT "patientId" AS id FROM "Series" WHERE id = $1`, [seriesId]);
  const vitalsId = await one(`SELECT id FROM "VitalSigns" WHERE "sessionId" = $1 AND "correctsId" IS NULL ORDER BY at LIMIT 1`, [sessionId]);
  const flagId = await one(`SELECT id FROM "Flag" WHERE "clinicId" = $1 AND "acknowledgedAt" IS NULL ORDER BY "raisedAt" LIMIT 1`);
  const protocolId = await one(`SELECT p.id FROM "Protocol" p WHERE p."clinicId" = $1 AND p."retiredAt" IS NULL ORDER BY p.name LIMIT 1`);
  const protocolVersionId = await one(`SELECT "protocolVersionId" AS id FROM "Series" WHERE id = $1`, [seriesId]);
  const chairId = await one(`SELECT id FROM "Chair" WHERE "clinicId" = $1 AND active ORDER BY "sortOrder" DESC LIMIT 1`);
  const { id: userId } = await cloneUser(db, "nurse@demo.clinic");
  const spareProtocolId = `c${randomBytes(12).toString("hex")}`;
  await db.query(
    `INSERT INTO "Protocol" (id, "clinicId", name, indication, route, "createdAt")
     SELECT $1, "clinicId", 'Matrix spare ' || $1, indication, route, now() FROM "Protocol" WHERE id = $2`,
    [spareProtocolId, protocolId],
  );
  // A monitor of the Demo clinic (the seed registers them) and a reading of the session that a
  // nurse already validated: accepting or rejecting it again is a 409 and stores nothing.
  const deviceId = await one(`SELECT id FROM "Device" WHERE "clinicId" = $1 ORDER BY name LIMIT 1`);
  const deviceReadingId = `c${randomBytes(12).toString("hex")}`;
  await db.query(
    `INSERT INTO "DeviceVitals" (id, "clinicId", "sessionId", "deviceId", "controlId", at, "spo2Pct", status, "validatedAt", "rejectReason")
     VALUES ($1, $2, $3, $4, $1, now(), 97, 'REJECTED', now(), 'matrix fixture')`,
    [deviceReadingId, demo, sessionId, deviceId],
  );
  return { patientId, seriesId, sessionId, vitalsId, flagId, protocolId, protocolVersionId, userId, spareProtocolId, chairId, deviceId, deviceReadingId };
}
