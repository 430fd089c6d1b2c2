-- AlterTable
ALTER TABLE "Clinic" ADD COLUMN     "defaultBpRisePct" INTEGER NOT NULL DEFAULT 20,
ADD COLUMN     "defaultDbpHighMmHg" INTEGER NOT NULL DEFAULT 100,
ADD COLUMN     "defaultHrHighPerMin" INTEGER NOT NULL DEFAULT 120,
ADD COLUMN     "defaultHrLowPerMin" INTEGER NOT NULL DEFAULT 50,
ADD COLUMN     "defaultRrHighPerMin" INTEGER NOT NULL DEFAULT 24,
ADD COLUMN     "defaultRrLowPerMin" INTEGER NOT NULL DEFAULT 10,
ADD COLUMN     "defaultSbpHighMmHg" INTEGER NOT NULL DEFAULT 160,
ADD COLUMN     "defaultSpo2LowPct" INTEGER NOT NULL DEFAULT 92;

-- Issue 6: a protocol version any series was ordered on is immutable (a change is a new
-- version), so what a series was charted against can always be shown again. Function body as
-- an E'' string with \x3B for semicolons (see docs/decisions/0001, offline engine pitfall).
CREATE OR REPLACE FUNCTION protocol_version_guard() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF EXISTS (SELECT 1 FROM "Series" WHERE "protocolVersionId" = OLD."id") THEN
    RAISE EXCEPTION ''protocol version % is used by a series and cannot change'', OLD."id" USING ERRCODE = ''P0001''\x3B
  END IF\x3B
  IF TG_OP = ''DELETE'' THEN
    RETURN OLD\x3B
  END IF\x3B
  RETURN NEW\x3B
END';

CREATE TRIGGER protocol_version_immutable_when_used
  BEFORE UPDATE OR DELETE ON "ProtocolVersion"
  FOR EACH ROW EXECUTE FUNCTION protocol_version_guard();
