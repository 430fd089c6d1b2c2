-- Patient check-ins between sessions (docs/decisions/0020-patient-check-ins.md).

-- CreateEnum
CREATE TYPE "PainReporter" AS ENUM ('STAFF', 'PATIENT');

-- AlterTable
ALTER TABLE "Clinic" ADD COLUMN     "phone" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "checkInLinkDaysAfterEnd" INTEGER NOT NULL DEFAULT 30,
ADD COLUMN     "checkInDaysAfterSession" INTEGER[] DEFAULT ARRAY[1, 3, 7]::INTEGER[],
ADD COLUMN     "checkInDayBeforeNext" BOOLEAN NOT NULL DEFAULT true;

-- AlterTable
ALTER TABLE "PainScore" ADD COLUMN     "reportedBy" "PainReporter" NOT NULL DEFAULT 'STAFF';

-- CreateTable
CREATE TABLE "CheckInLink" (
    "id" TEXT NOT NULL,
    "clinicId" TEXT NOT NULL,
    "seriesId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "revokedById" TEXT,

    CONSTRAINT "CheckInLink_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CheckIn" (
    "id" TEXT NOT NULL,
    "clinicId" TEXT NOT NULL,
    "seriesId" TEXT NOT NULL,
    "linkId" TEXT NOT NULL,
    "sessionId" TEXT,
    "day" DATE NOT NULL,
    "dueDay" DATE,
    "submittedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "painNrs" INTEGER NOT NULL,
    "enjoymentNrs" INTEGER NOT NULL,
    "activityNrs" INTEGER NOT NULL,
    "note" TEXT,
    "painScoreId" TEXT NOT NULL,
    "hasSevereSideEffect" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "CheckIn_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CheckInSideEffect" (
    "id" TEXT NOT NULL,
    "checkInId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "severity" INTEGER NOT NULL,

    CONSTRAINT "CheckInSideEffect_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CheckInRateLimit" (
    "key" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "CheckInRateLimit_pkey" PRIMARY KEY ("key","windowStart")
);

-- CreateIndex
CREATE UNIQUE INDEX "CheckInLink_tokenHash_key" ON "CheckInLink"("tokenHash");

-- CreateIndex
CREATE INDEX "CheckInLink_seriesId_idx" ON "CheckInLink"("seriesId");

-- CreateIndex
CREATE UNIQUE INDEX "CheckIn_painScoreId_key" ON "CheckIn"("painScoreId");

-- CreateIndex
CREATE INDEX "CheckIn_clinicId_submittedAt_idx" ON "CheckIn"("clinicId", "submittedAt");

-- CreateIndex
CREATE UNIQUE INDEX "CheckIn_seriesId_day_key" ON "CheckIn"("seriesId", "day");

-- CreateIndex
CREATE INDEX "CheckInSideEffect_checkInId_idx" ON "CheckInSideEffect"("checkInId");

-- AddForeignKey
ALTER TABLE "CheckInLink" ADD CONSTRAINT "CheckInLink_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CheckInLink" ADD CONSTRAINT "CheckInLink_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CheckIn" ADD CONSTRAINT "CheckIn_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CheckIn" ADD CONSTRAINT "CheckIn_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CheckIn" ADD CONSTRAINT "CheckIn_linkId_fkey" FOREIGN KEY ("linkId") REFERENCES "CheckInLink"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CheckInSideEffect" ADD CONSTRAINT "CheckInSideEffect_checkInId_fkey" FOREIGN KEY ("checkInId") REFERENCES "CheckIn"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Live events (decision 0014): a check-in and a link issued or revoked change what the series
-- review shows. The PainScore the check-in writes already sends 'pain', the CheckIn row sends
-- 'check-in' so the PEG chart and the worklist refresh too. Payload: kind and ids only.
CREATE FUNCTION titrate_events_check_in_row() RETURNS trigger LANGUAGE plpgsql AS E'
DECLARE
  se record\x3B
BEGIN
  SELECT x."patientId" INTO se FROM "Series" x WHERE x.id = NEW."seriesId"\x3B
  PERFORM titrate_emit_event(TG_ARGV[0], NEW."clinicId", NULL, NEW."seriesId", se."patientId")\x3B
  RETURN NULL\x3B
END';

CREATE TRIGGER titrate_events AFTER INSERT ON "CheckIn"
  FOR EACH ROW EXECUTE FUNCTION titrate_events_check_in_row('check-in');
CREATE TRIGGER titrate_events AFTER INSERT OR UPDATE ON "CheckInLink"
  FOR EACH ROW EXECUTE FUNCTION titrate_events_check_in_row('check-in-link');
