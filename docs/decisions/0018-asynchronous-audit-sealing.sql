-- Readable source of the function bodies in migration *_audit_async_seal (decision 0018).
-- The migration holds the same bodies as E'' strings with semicolons written as \x3B (the
-- offline schema engine splits scripts on every semicolon; see the *_audit_chain migration).
-- audit_event_hash() is unchanged from decision 0003.

-- audit_stamp(): BEFORE INSERT. No lock, no read: the row records its transaction and
-- arrives unsealed, whatever the caller supplied.
BEGIN
  NEW."xid" := pg_current_xact_id();
  NEW."seq" := NULL;
  NEW."prevHash" := NULL;
  NEW."hash" := NULL;
  NEW."sealedAt" := NULL;
  RETURN NEW;
END

-- audit_guard_change(): BEFORE UPDATE OR DELETE. DELETE never; UPDATE only to seal an
-- unsealed row once, content untouched; the hash and sealedAt are computed here.
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION 'AuditEvent is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD."seq" IS NOT NULL THEN
    RAISE EXCEPTION 'AuditEvent is append-only (UPDATE refused)' USING ERRCODE = 'insufficient_privilege',
      DETAIL = 'the row is sealed';
  END IF;
  IF NEW."seq" IS NULL OR NEW."prevHash" IS NULL
     OR (NEW."id", NEW."clinicId", NEW."actorId", NEW."action", NEW."entityType", NEW."entityId", NEW."at", NEW."before", NEW."after", NEW."xid")
        IS DISTINCT FROM
        (OLD."id", OLD."clinicId", OLD."actorId", OLD."action", OLD."entityType", OLD."entityId", OLD."at", OLD."before", OLD."after", OLD."xid") THEN
    RAISE EXCEPTION 'AuditEvent is append-only (UPDATE refused)' USING ERRCODE = 'insufficient_privilege',
      DETAIL = 'an unsealed row may only be sealed: seq and prevHash set once, its content unchanged';
  END IF;
  NEW."hash" := audit_event_hash(NEW."seq", NEW."prevHash", NEW."clinicId", NEW."actorId",
    NEW."action", NEW."entityType", NEW."entityId", NEW."at", NEW."before", NEW."after");
  NEW."sealedAt" := (now() AT TIME ZONE 'UTC');
  RETURN NEW;
END

-- audit_seal_batch(p_limit integer): the sealer's one statement, inside a REPEATABLE READ
-- transaction. Takes the first p_limit unsealed rows in (xid, id) order whose transaction is
-- below the snapshot's xmin (finished: committed or aborted), links each clinic's rows after
-- that clinic's head in (xid, id) order, and returns one row per clinic whose head advanced.
DECLARE
  horizon xid8;
  r record;
  started boolean := false;
  cur_clinic text;
  cur_seq bigint;
  cur_hash text;
  cur_sealed_at timestamp(3);
  cur_count integer := 0;
BEGIN
  IF current_setting('transaction_isolation') <> 'repeatable read' THEN
    RAISE EXCEPTION 'audit_seal_batch must run in a REPEATABLE READ transaction (decision 0018)';
  END IF;
  horizon := pg_snapshot_xmin(pg_current_snapshot());
  FOR r IN
    SELECT b."id", b."clinicId" FROM (
      SELECT e."id", e."clinicId", e."xid" FROM "AuditEvent" e
       WHERE e."seq" IS NULL AND e."xid" < horizon
       ORDER BY e."xid", e."id" LIMIT p_limit) b
     ORDER BY b."clinicId" NULLS FIRST, b."xid", b."id"
  LOOP
    IF NOT started OR r."clinicId" IS DISTINCT FROM cur_clinic THEN
      IF started THEN
        head_clinic_id := cur_clinic; head_seq := cur_seq; head_hash := cur_hash;
        head_sealed_at := cur_sealed_at; rows_sealed := cur_count;
        RETURN NEXT;
      END IF;
      started := true;
      cur_clinic := r."clinicId";
      cur_count := 0;
      cur_seq := NULL;
      cur_hash := NULL;
      IF cur_clinic IS NULL THEN
        SELECT e."seq", e."hash" INTO cur_seq, cur_hash FROM "AuditEvent" e
         WHERE e."clinicId" IS NULL AND e."seq" IS NOT NULL ORDER BY e."seq" DESC LIMIT 1;
      ELSE
        SELECT e."seq", e."hash" INTO cur_seq, cur_hash FROM "AuditEvent" e
         WHERE e."clinicId" = cur_clinic AND e."seq" IS NOT NULL ORDER BY e."seq" DESC LIMIT 1;
      END IF;
      cur_seq := coalesce(cur_seq, 0);
      cur_hash := coalesce(cur_hash, repeat('0', 64));
    END IF;
    UPDATE "AuditEvent" e SET "seq" = cur_seq + 1, "prevHash" = cur_hash
     WHERE e."id" = r."id" AND e."seq" IS NULL
     RETURNING e."seq", e."hash", e."sealedAt" INTO cur_seq, cur_hash, cur_sealed_at;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'audit row % was sealed by another transaction', r."id" USING ERRCODE = 'serialization_failure';
    END IF;
    cur_count := cur_count + 1;
  END LOOP;
  IF started THEN
    head_clinic_id := cur_clinic; head_seq := cur_seq; head_hash := cur_hash;
    head_sealed_at := cur_sealed_at; rows_sealed := cur_count;
    RETURN NEXT;
  END IF;
END
