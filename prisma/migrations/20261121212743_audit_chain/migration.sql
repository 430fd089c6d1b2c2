-- Audit integrity (issue 7): AuditEvent rows are append-only and hash-chained per clinic.
-- The chain is computed here, in the database, so no code path can write an unchained row.
-- Function bodies are E'' strings with semicolons written as \x3B: the offline schema engine
-- (../shared/tools/prisma-schema-engine.mjs, WASM) splits scripts on every semicolon, even
-- inside dollar-quoted bodies. The readable source is docs/decisions/0003-audit-chain.md.

CREATE OR REPLACE FUNCTION audit_event_hash(
  p_seq bigint, p_prev text, p_clinic text, p_actor text, p_action text,
  p_entity_type text, p_entity_id text, p_at timestamp, p_before jsonb, p_after jsonb
) RETURNS text LANGUAGE sql IMMUTABLE AS E'SELECT encode(sha256(convert_to(concat_ws(''|'',
    p_seq::text, p_prev, coalesce(p_clinic, ''''), coalesce(p_actor, ''''), p_action,
    p_entity_type, p_entity_id, to_char(p_at, ''YYYY-MM-DD"T"HH24:MI:SS.MS''),
    coalesce(p_before::text, ''null''), coalesce(p_after::text, ''null'')), ''UTF8'')), ''hex'')';

CREATE OR REPLACE FUNCTION audit_chain() RETURNS trigger LANGUAGE plpgsql AS E'
DECLARE
  last_seq bigint\x3B
  last_hash text\x3B
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext(''titrate.audit:'' || coalesce(NEW."clinicId", ''-'')))\x3B
  SELECT "seq", "hash" INTO last_seq, last_hash FROM "AuditEvent"
    WHERE "clinicId" IS NOT DISTINCT FROM NEW."clinicId"
    ORDER BY "seq" DESC LIMIT 1\x3B
  NEW."seq" := coalesce(last_seq, 0) + 1\x3B
  NEW."prevHash" := coalesce(last_hash, repeat(''0'', 64))\x3B
  NEW."hash" := audit_event_hash(NEW."seq", NEW."prevHash", NEW."clinicId", NEW."actorId",
    NEW."action", NEW."entityType", NEW."entityId", NEW."at", NEW."before", NEW."after")\x3B
  RETURN NEW\x3B
END';

CREATE TRIGGER audit_chain_before_insert BEFORE INSERT ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION audit_chain();

CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  RAISE EXCEPTION ''AuditEvent is append-only (% refused)'', TG_OP USING ERRCODE = ''insufficient_privilege''\x3B
END';

CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();

CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON "AuditEvent"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

CREATE UNIQUE INDEX "AuditEvent_clinic_seq_key" ON "AuditEvent" ("clinicId", "seq");
