-- audit_event_hash
SELECT encode(sha256(convert_to(concat_ws('|',
    p_seq::text, p_prev, coalesce(p_clinic, ''), coalesce(p_actor, ''), p_action,
    p_entity_type, p_entity_id, to_char(p_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS'),
    coalesce(p_before::text, 'null'), coalesce(p_after::text, 'null')), 'UTF8')), 'hex')

-- audit_chain()

DECLARE
  last_seq bigint;
  last_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('titrate.audit:' || coalesce(NEW."clinicId", '-')));
  -- two branches so the (clinicId, seq) index serves the tail lookup (migration *_audit_chain_indexed_tail)
  IF NEW."clinicId" IS NULL THEN
    SELECT "seq", "hash" INTO last_seq, last_hash FROM "AuditEvent"
      WHERE "clinicId" IS NULL ORDER BY "seq" DESC LIMIT 1;
  ELSE
    SELECT "seq", "hash" INTO last_seq, last_hash FROM "AuditEvent"
      WHERE "clinicId" = NEW."clinicId" ORDER BY "seq" DESC LIMIT 1;
  END IF;
  NEW."seq" := coalesce(last_seq, 0) + 1;
  NEW."prevHash" := coalesce(last_hash, repeat('0', 64));
  NEW."hash" := audit_event_hash(NEW."seq", NEW."prevHash", NEW."clinicId", NEW."actorId",
    NEW."action", NEW."entityType", NEW."entityId", NEW."at", NEW."before", NEW."after");
  RETURN NEW;
END

-- audit_refuse_change()

BEGIN
  RAISE EXCEPTION 'AuditEvent is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
