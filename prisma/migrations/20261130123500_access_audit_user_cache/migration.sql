-- Access auditing and the per-instance user cache (docs/decisions/0019-access-audit-and-user-cache.md).

-- 1. "Who accessed this patient": access rows name the patients read in after->'patientIds'
-- (one row per request, however many patients it showed). A GIN index on that array answers
-- "rows naming patient X" with `after->'patientIds' @> '["X"]'`. Rows without the key index a
-- null, which costs GIN next to nothing, the hashed content of a row is unchanged (the chain
-- covers `after` already, decision 0003).
CREATE INDEX "AuditEvent_patientIds_idx" ON "AuditEvent" USING gin ((after->'patientIds') jsonb_path_ops);
-- The access report pages newest first within a clinic, by id.
CREATE INDEX "AuditEvent_access_clinic_id_idx" ON "AuditEvent" ("clinicId", id) WHERE action = 'access.read';

-- 2. Every app instance caches who a user is (active, role, clinic, must-change-password) and
-- drops the entry when the database says it changed: a notification on the live-events
-- channel (one LISTEN connection per instance, decision 0014), sent by the database itself so
-- no admin path can forget it, and delivered only if the change commits. The payload carries
-- ids only. Sign-in bookkeeping (failed counts, lockouts) does not notify.
CREATE FUNCTION titrate_user_changed() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  PERFORM pg_notify(''titrate_events'', json_build_object(''kind'', ''user'', ''clinicId'', OLD."clinicId", ''userId'', OLD.id)::text)\x3B
  RETURN NULL\x3B
END';

CREATE TRIGGER titrate_user_changed AFTER UPDATE ON "User"
  FOR EACH ROW WHEN (
    OLD.active IS DISTINCT FROM NEW.active OR OLD.role IS DISTINCT FROM NEW.role
    OR OLD."clinicId" IS DISTINCT FROM NEW."clinicId" OR OLD."mustChangePassword" IS DISTINCT FROM NEW."mustChangePassword"
    OR OLD."passwordHash" IS DISTINCT FROM NEW."passwordHash" OR OLD.name IS DISTINCT FROM NEW.name OR OLD.email IS DISTINCT FROM NEW.email)
  EXECUTE FUNCTION titrate_user_changed();
CREATE TRIGGER titrate_user_deleted AFTER DELETE ON "User"
  FOR EACH ROW EXECUTE FUNCTION titrate_user_changed();

-- The cached entry also holds the clinic's time zone and idle sign-out time.
CREATE FUNCTION titrate_clinic_changed() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  PERFORM pg_notify(''titrate_events'', json_build_object(''kind'', ''clinic-settings'', ''clinicId'', OLD.id)::text)\x3B
  RETURN NULL\x3B
END';

CREATE TRIGGER titrate_clinic_changed AFTER UPDATE ON "Clinic"
  FOR EACH ROW WHEN (OLD.timezone IS DISTINCT FROM NEW.timezone OR OLD."idleSignOutMin" IS DISTINCT FROM NEW."idleSignOutMin")
  EXECUTE FUNCTION titrate_clinic_changed();
