-- The chain's tail lookup used `IS NOT DISTINCT FROM`, which cannot use the (clinicId, seq)
-- index: every audited write scanned the whole table. Same chain rule, indexed lookup.
-- (Body written as an E'' string with \x3B for semicolons: see the audit_chain migration.)

CREATE OR REPLACE FUNCTION audit_chain() RETURNS trigger LANGUAGE plpgsql AS E'
DECLARE
  last_seq bigint\x3B
  last_hash text\x3B
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext(''titrate.audit:'' || coalesce(NEW."clinicId", ''-'')))\x3B
  IF NEW."clinicId" IS NULL THEN
    SELECT "seq", "hash" INTO last_seq, last_hash FROM "AuditEvent"
      WHERE "clinicId" IS NULL ORDER BY "seq" DESC LIMIT 1\x3B
  ELSE
    SELECT "seq", "hash" INTO last_seq, last_hash FROM "AuditEvent"
      WHERE "clinicId" = NEW."clinicId" ORDER BY "seq" DESC LIMIT 1\x3B
  END IF\x3B
  NEW."seq" := coalesce(last_seq, 0) + 1\x3B
  NEW."prevHash" := coalesce(last_hash, repeat(''0'', 64))\x3B
  NEW."hash" := audit_event_hash(NEW."seq", NEW."prevHash", NEW."clinicId", NEW."actorId",
    NEW."action", NEW."entityType", NEW."entityId", NEW."at", NEW."before", NEW."after")\x3B
  RETURN NEW\x3B
END';
