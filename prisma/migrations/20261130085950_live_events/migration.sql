-- Live events (docs/decisions/0014-live-events.md): every write that changes what a screen
-- shows sends a notification on the channel `titrate_events`, from the database itself, so
-- no write path can forget it, and PostgreSQL delivers it only when the transaction commits
-- (never for a rolled-back write). The payload carries a kind and ids only, never a name, an
-- MRN, a value or a note: NOTIFY payloads are visible to every database session that
-- listens, and are limited to 8000 bytes. Identical payloads within one transaction are
-- delivered once, so a write that touches several rows of one session sends one event per
-- kind. Each app instance LISTENs on one connection and filters by clinicId in memory.
-- Function bodies are E'' strings with semicolons written as \x3B (the offline schema
-- engine splits scripts on every semicolon, as the audit_chain migration explains). The readable
-- source is in docs/decisions/0014-live-events.md.

-- The one place the payload is shaped.
CREATE FUNCTION titrate_emit_event(kind text, clinic_id text, session_id text, series_id text, patient_id text)
RETURNS void LANGUAGE sql AS E'SELECT pg_notify(''titrate_events'', json_build_object(
    ''kind'', kind, ''clinicId'', clinic_id, ''sessionId'', session_id, ''seriesId'', series_id, ''patientId'', patient_id)::text)';

-- Rows of a session (dose events, vitals, side effects, addenda): clinic, series and patient
-- come from the session and its series, two primary-key lookups of rows the write has just
-- locked or read.
CREATE FUNCTION titrate_events_session_row() RETURNS trigger LANGUAGE plpgsql AS E'
DECLARE
  s record\x3B
BEGIN
  SELECT i."clinicId", i."seriesId", se."patientId" INTO s
    FROM "InfusionSession" i JOIN "Series" se ON se.id = i."seriesId"
   WHERE i.id = NEW."sessionId"\x3B
  PERFORM titrate_emit_event(TG_ARGV[0], s."clinicId", NEW."sessionId", s."seriesId", s."patientId")\x3B
  RETURN NULL\x3B
END';

-- Rows of a series that may name a session (pain scores, flags, reviews).
CREATE FUNCTION titrate_events_series_row() RETURNS trigger LANGUAGE plpgsql AS E'
DECLARE
  se record\x3B
BEGIN
  SELECT x."clinicId", x."patientId" INTO se FROM "Series" x WHERE x.id = NEW."seriesId"\x3B
  PERFORM titrate_emit_event(TG_ARGV[0], se."clinicId", NEW."sessionId", NEW."seriesId", se."patientId")\x3B
  RETURN NULL\x3B
END';

CREATE FUNCTION titrate_events_session() RETURNS trigger LANGUAGE plpgsql AS E'
DECLARE
  se record\x3B
BEGIN
  SELECT x."patientId" INTO se FROM "Series" x WHERE x.id = NEW."seriesId"\x3B
  PERFORM titrate_emit_event(''session'', NEW."clinicId", NEW.id, NEW."seriesId", se."patientId")\x3B
  RETURN NULL\x3B
END';

CREATE FUNCTION titrate_events_series() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  PERFORM titrate_emit_event(''series'', NEW."clinicId", NULL, NEW.id, NEW."patientId")\x3B
  RETURN NULL\x3B
END';

-- Charted rows are append-only (a correction is a new row), so INSERT is their only write.
CREATE TRIGGER titrate_events AFTER INSERT ON "DoseEvent"
  FOR EACH ROW EXECUTE FUNCTION titrate_events_session_row('dose-event');
CREATE TRIGGER titrate_events AFTER INSERT ON "VitalSigns"
  FOR EACH ROW EXECUTE FUNCTION titrate_events_session_row('vitals');
CREATE TRIGGER titrate_events AFTER INSERT ON "SideEffect"
  FOR EACH ROW EXECUTE FUNCTION titrate_events_session_row('side-effect');
CREATE TRIGGER titrate_events AFTER INSERT ON "SessionAddendum"
  FOR EACH ROW EXECUTE FUNCTION titrate_events_session_row('addendum');
CREATE TRIGGER titrate_events AFTER INSERT ON "PainScore"
  FOR EACH ROW EXECUTE FUNCTION titrate_events_series_row('pain');
-- Flags are raised (INSERT) and acknowledged or resolved (UPDATE), reviews are signed later.
CREATE TRIGGER titrate_events AFTER INSERT OR UPDATE ON "Flag"
  FOR EACH ROW EXECUTE FUNCTION titrate_events_series_row('flag');
CREATE TRIGGER titrate_events AFTER INSERT OR UPDATE ON "Review"
  FOR EACH ROW EXECUTE FUNCTION titrate_events_series_row('review');
-- Session lifecycle: started, opened-at moved, completed, signed.
CREATE TRIGGER titrate_events AFTER INSERT OR UPDATE ON "InfusionSession"
  FOR EACH ROW EXECUTE FUNCTION titrate_events_session();
-- Series ordered or closed.
CREATE TRIGGER titrate_events AFTER INSERT OR UPDATE ON "Series"
  FOR EACH ROW EXECUTE FUNCTION titrate_events_series();
