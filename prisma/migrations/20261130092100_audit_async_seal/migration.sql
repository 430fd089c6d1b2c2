-- Asynchronous sealing of the audit chain (docs/decisions/0018-asynchronous-audit-sealing.md).
-- An audit row is inserted without any lock or read of the previous hash, carrying its
-- transaction id (xid8): the sealer links rows into each clinic's chain later, in (xid, id)
-- order, below the oldest running transaction. Rows already chained by the old trigger stay
-- valid: the sealer continues each clinic's chain from its current head.
-- Function bodies are E'' strings with semicolons written as \x3B (the offline schema engine
-- splits scripts on every semicolon): the readable source is
-- docs/decisions/0018-asynchronous-audit-sealing.sql.

-- The old chain trigger (per-clinic advisory lock + tail read on every insert) goes.
DROP TRIGGER "audit_chain_before_insert" ON "AuditEvent";
DROP TRIGGER "audit_no_update" ON "AuditEvent";
DROP FUNCTION audit_chain();

-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN     "sealedAt" TIMESTAMP(3),
ADD COLUMN     "xid" xid8 NOT NULL DEFAULT pg_current_xact_id(),
ALTER COLUMN "seq" DROP NOT NULL,
ALTER COLUMN "seq" DROP DEFAULT,
ALTER COLUMN "prevHash" DROP NOT NULL,
ALTER COLUMN "prevHash" DROP DEFAULT,
ALTER COLUMN "hash" DROP NOT NULL,
ALTER COLUMN "hash" DROP DEFAULT;

-- Rows chained by the old trigger were sealed when they were inserted. (The update guard is
-- dropped above and created below, so this is the one UPDATE that touches their columns.)
UPDATE "AuditEvent" SET "sealedAt" = "at";

-- A row is unsealed (all four null) or sealed (all four set): nothing in between.
ALTER TABLE "AuditEvent" ADD CONSTRAINT "AuditEvent_sealed_whole" CHECK (
  ("seq" IS NULL AND "prevHash" IS NULL AND "hash" IS NULL AND "sealedAt" IS NULL)
  OR ("seq" IS NOT NULL AND "prevHash" IS NOT NULL AND "hash" IS NOT NULL AND "sealedAt" IS NOT NULL));

-- The sealer's scan: unsealed rows in (xid, id) order. Partial, so it holds only the rows
-- waiting for the next seal (a handful) however long the log grows.
CREATE INDEX "AuditEvent_unsealed_xid_id" ON "AuditEvent" ("xid", "id") WHERE "seq" IS NULL;

-- (clinicId, seq) is unique per clinic (AuditEvent_clinic_seq_key): rows without a clinic form
-- one chain of their own, and a NULL clinicId is distinct in that index, so they get theirs.
CREATE UNIQUE INDEX "AuditEvent_no_clinic_seq_key" ON "AuditEvent" ("seq") WHERE "clinicId" IS NULL AND "seq" IS NOT NULL;

CREATE OR REPLACE FUNCTION audit_stamp() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  NEW."xid" := pg_current_xact_id()\x3B
  NEW."seq" := NULL\x3B
  NEW."prevHash" := NULL\x3B
  NEW."hash" := NULL\x3B
  NEW."sealedAt" := NULL\x3B
  RETURN NEW\x3B
END';

CREATE TRIGGER "audit_stamp_before_insert" BEFORE INSERT ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION audit_stamp();

CREATE OR REPLACE FUNCTION audit_guard_change() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF TG_OP <> ''UPDATE'' THEN
    RAISE EXCEPTION ''AuditEvent is append-only (% refused)'', TG_OP USING ERRCODE = ''insufficient_privilege''\x3B
  END IF\x3B
  IF OLD."seq" IS NOT NULL THEN
    RAISE EXCEPTION ''AuditEvent is append-only (UPDATE refused)'' USING ERRCODE = ''insufficient_privilege'',
      DETAIL = ''the row is sealed''\x3B
  END IF\x3B
  IF NEW."seq" IS NULL OR NEW."prevHash" IS NULL
     OR (NEW."id", NEW."clinicId", NEW."actorId", NEW."action", NEW."entityType", NEW."entityId", NEW."at", NEW."before", NEW."after", NEW."xid")
        IS DISTINCT FROM
        (OLD."id", OLD."clinicId", OLD."actorId", OLD."action", OLD."entityType", OLD."entityId", OLD."at", OLD."before", OLD."after", OLD."xid") THEN
    RAISE EXCEPTION ''AuditEvent is append-only (UPDATE refused)'' USING ERRCODE = ''insufficient_privilege'',
      DETAIL = ''an unsealed row may only be sealed: seq and prevHash set once, its content unchanged''\x3B
  END IF\x3B
  NEW."hash" := audit_event_hash(NEW."seq", NEW."prevHash", NEW."clinicId", NEW."actorId",
    NEW."action", NEW."entityType", NEW."entityId", NEW."at", NEW."before", NEW."after")\x3B
  NEW."sealedAt" := (now() AT TIME ZONE ''UTC'')\x3B
  RETURN NEW\x3B
END';

-- Same name as before, so operators who know the trigger find it: now it admits the seal.
CREATE TRIGGER "audit_no_update" BEFORE UPDATE OR DELETE ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION audit_guard_change();

CREATE OR REPLACE FUNCTION audit_seal_batch(p_limit integer)
  RETURNS TABLE (head_clinic_id text, head_seq bigint, head_hash text, head_sealed_at timestamp(3), rows_sealed integer)
  LANGUAGE plpgsql AS E'
DECLARE
  horizon xid8\x3B
  r record\x3B
  started boolean := false\x3B
  cur_clinic text\x3B
  cur_seq bigint\x3B
  cur_hash text\x3B
  cur_sealed_at timestamp(3)\x3B
  cur_count integer := 0\x3B
BEGIN
  IF current_setting(''transaction_isolation'') <> ''repeatable read'' THEN
    RAISE EXCEPTION ''audit_seal_batch must run in a REPEATABLE READ transaction (decision 0018)''\x3B
  END IF\x3B
  horizon := pg_snapshot_xmin(pg_current_snapshot())\x3B
  FOR r IN
    SELECT b."id", b."clinicId" FROM (
      SELECT e."id", e."clinicId", e."xid" FROM "AuditEvent" e
       WHERE e."seq" IS NULL AND e."xid" < horizon
       ORDER BY e."xid", e."id" LIMIT p_limit) b
     ORDER BY b."clinicId" NULLS FIRST, b."xid", b."id"
  LOOP
    IF NOT started OR r."clinicId" IS DISTINCT FROM cur_clinic THEN
      IF started THEN
        head_clinic_id := cur_clinic\x3B head_seq := cur_seq\x3B head_hash := cur_hash\x3B
        head_sealed_at := cur_sealed_at\x3B rows_sealed := cur_count\x3B
        RETURN NEXT\x3B
      END IF\x3B
      started := true\x3B
      cur_clinic := r."clinicId"\x3B
      cur_count := 0\x3B
      cur_seq := NULL\x3B
      cur_hash := NULL\x3B
      IF cur_clinic IS NULL THEN
        SELECT e."seq", e."hash" INTO cur_seq, cur_hash FROM "AuditEvent" e
         WHERE e."clinicId" IS NULL AND e."seq" IS NOT NULL ORDER BY e."seq" DESC LIMIT 1\x3B
      ELSE
        SELECT e."seq", e."hash" INTO cur_seq, cur_hash FROM "AuditEvent" e
         WHERE e."clinicId" = cur_clinic AND e."seq" IS NOT NULL ORDER BY e."seq" DESC LIMIT 1\x3B
      END IF\x3B
      cur_seq := coalesce(cur_seq, 0)\x3B
      cur_hash := coalesce(cur_hash, repeat(''0'', 64))\x3B
    END IF\x3B
    UPDATE "AuditEvent" e SET "seq" = cur_seq + 1, "prevHash" = cur_hash
     WHERE e."id" = r."id" AND e."seq" IS NULL
     RETURNING e."seq", e."hash", e."sealedAt" INTO cur_seq, cur_hash, cur_sealed_at\x3B
    IF NOT FOUND THEN
      RAISE EXCEPTION ''audit row % was sealed by another transaction'', r."id" USING ERRCODE = ''serialization_failure''\x3B
    END IF\x3B
    cur_count := cur_count + 1\x3B
  END LOOP\x3B
  IF started THEN
    head_clinic_id := cur_clinic\x3B head_seq := cur_seq\x3B head_hash := cur_hash\x3B
    head_sealed_at := cur_sealed_at\x3B rows_sealed := cur_count\x3B
    RETURN NEXT\x3B
  END IF\x3B
END';
