-- CreateEnum
CREATE TYPE "Role" AS ENUM ('NURSE', 'PHYSICIAN', 'ADMIN');

-- CreateEnum
CREATE TYPE "Sex" AS ENUM ('FEMALE', 'MALE', 'OTHER', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "Route" AS ENUM ('IV', 'PO', 'IN');

-- CreateEnum
CREATE TYPE "DoseBasis" AS ENUM ('RATE_PER_KG', 'AMOUNT_PER_KG', 'FIXED_TOTAL', 'DAILY_PER_KG', 'PER_DOSE_PER_KG');

-- CreateEnum
CREATE TYPE "SeriesStatus" AS ENUM ('ACTIVE', 'COMPLETED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "SessionStatus" AS ENUM ('IN_PROGRESS', 'COMPLETED', 'SIGNED');

-- CreateEnum
CREATE TYPE "DoseEventType" AS ENUM ('START', 'RATE_CHANGE', 'BOLUS', 'PAUSE', 'RESUME', 'STOP');

-- CreateEnum
CREATE TYPE "PainScale" AS ENUM ('NRS', 'VAS');

-- CreateEnum
CREATE TYPE "PainPhase" AS ENUM ('PRE', 'INTRA', 'POST', 'FOLLOW_UP');

-- CreateEnum
CREATE TYPE "FlagSeverity" AS ENUM ('SOFT', 'HARD');

-- CreateTable
CREATE TABLE "Clinic" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "timezone" TEXT NOT NULL DEFAULT 'America/New_York',
    "idleSignOutMin" INTEGER NOT NULL DEFAULT 15,
    "defaultVitalsIntervalMin" INTEGER NOT NULL DEFAULT 15,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Clinic_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "clinicId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "passwordHash" TEXT NOT NULL,
    "mustChangePassword" BOOLEAN NOT NULL DEFAULT false,
    "failedLoginCount" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Patient" (
    "id" TEXT NOT NULL,
    "clinicId" TEXT NOT NULL,
    "mrn" TEXT NOT NULL,
    "givenName" TEXT NOT NULL,
    "familyName" TEXT NOT NULL,
    "birthDate" DATE NOT NULL,
    "sex" "Sex" NOT NULL,
    "allergies" TEXT NOT NULL DEFAULT '',
    "weightG" INTEGER,
    "screenSubstanceMisuse" BOOLEAN,
    "screenPsychosis" BOOLEAN,
    "screenCardiovascular" BOOLEAN,
    "screenHepatic" BOOLEAN,
    "screenInteractingMeds" BOOLEAN,
    "screeningNotes" TEXT NOT NULL DEFAULT '',
    "screenedAt" TIMESTAMP(3),
    "consentOnFile" BOOLEAN NOT NULL DEFAULT false,
    "consentDate" DATE,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Patient_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PatientWeight" (
    "id" TEXT NOT NULL,
    "patientId" TEXT NOT NULL,
    "weightG" INTEGER NOT NULL,
    "measuredAt" TIMESTAMP(3) NOT NULL,
    "enteredById" TEXT NOT NULL,
    "sessionId" TEXT,

    CONSTRAINT "PatientWeight_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Protocol" (
    "id" TEXT NOT NULL,
    "clinicId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "indication" TEXT NOT NULL,
    "route" "Route" NOT NULL,
    "retiredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Protocol_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProtocolVersion" (
    "id" TEXT NOT NULL,
    "protocolId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "doseBasis" "DoseBasis" NOT NULL,
    "softMinRateUgPerKgPerH" INTEGER,
    "softMaxRateUgPerKgPerH" INTEGER,
    "startMinRateUgPerKgPerH" INTEGER,
    "startMaxRateUgPerKgPerH" INTEGER,
    "hardMaxRateUgPerKgPerH" INTEGER NOT NULL,
    "softMaxBolusUgPerKg" INTEGER,
    "hardMaxBolusUgPerKg" INTEGER NOT NULL,
    "maxStepUgPerKgPerH" INTEGER,
    "maxCumulativeUgPerKg" INTEGER,
    "maxCumulativeUg" INTEGER,
    "minDurationMin" INTEGER,
    "maxDurationMin" INTEGER,
    "defaultPlannedSessions" INTEGER,
    "minIntervalHours" INTEGER,
    "maxSessionsPer7Days" INTEGER,
    "vitalsIntervalMin" INTEGER NOT NULL DEFAULT 15,
    "sbpHighMmHg" INTEGER NOT NULL DEFAULT 160,
    "dbpHighMmHg" INTEGER NOT NULL DEFAULT 100,
    "bpRisePct" INTEGER NOT NULL DEFAULT 20,
    "hrHighPerMin" INTEGER NOT NULL DEFAULT 120,
    "hrLowPerMin" INTEGER NOT NULL DEFAULT 50,
    "spo2LowPct" INTEGER NOT NULL DEFAULT 92,
    "rrLowPerMin" INTEGER NOT NULL DEFAULT 10,
    "rrHighPerMin" INTEGER NOT NULL DEFAULT 24,
    "sourceDocument" TEXT NOT NULL,
    "sourceWording" TEXT NOT NULL,
    "limitRationale" TEXT NOT NULL DEFAULT '',
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProtocolVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Series" (
    "id" TEXT NOT NULL,
    "clinicId" TEXT NOT NULL,
    "patientId" TEXT NOT NULL,
    "protocolVersionId" TEXT NOT NULL,
    "orderingPhysicianId" TEXT NOT NULL,
    "plannedSessions" INTEGER NOT NULL,
    "intervalDays" INTEGER,
    "startDate" DATE NOT NULL,
    "status" "SeriesStatus" NOT NULL DEFAULT 'ACTIVE',
    "screeningOverrideReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Series_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InfusionSession" (
    "id" TEXT NOT NULL,
    "clinicId" TEXT NOT NULL,
    "seriesId" TEXT NOT NULL,
    "sequence" INTEGER NOT NULL,
    "weightG" INTEGER NOT NULL,
    "concentrationUgPerMl" INTEGER NOT NULL,
    "status" "SessionStatus" NOT NULL DEFAULT 'IN_PROGRESS',
    "consentConfirmed" BOOLEAN NOT NULL,
    "screeningReviewed" BOOLEAN NOT NULL,
    "openedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "nurseId" TEXT NOT NULL,
    "completedAt" TIMESTAMP(3),
    "dischargeReady" BOOLEAN,
    "dischargeNote" TEXT,
    "signedAt" TIMESTAMP(3),
    "signedById" TEXT,
    "rowVersion" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "InfusionSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DoseEvent" (
    "id" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "type" "DoseEventType" NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "rateUgPerKgPerH" INTEGER,
    "bolusUg" INTEGER,
    "reason" TEXT,
    "overrideReason" TEXT,
    "enteredById" TEXT NOT NULL,
    "enteredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "correctsId" TEXT,
    "correctionReason" TEXT,
    "isRetraction" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "DoseEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VitalSigns" (
    "id" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "systolicMmHg" INTEGER NOT NULL,
    "diastolicMmHg" INTEGER NOT NULL,
    "heartRatePerMin" INTEGER NOT NULL,
    "spo2Pct" INTEGER NOT NULL,
    "respRatePerMin" INTEGER NOT NULL,
    "temperatureDeciC" INTEGER,
    "sedationRass" INTEGER,
    "isBaseline" BOOLEAN NOT NULL DEFAULT false,
    "enteredById" TEXT NOT NULL,
    "enteredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "correctsId" TEXT,
    "correctionReason" TEXT,
    "isRetraction" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "VitalSigns_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PainScore" (
    "id" TEXT NOT NULL,
    "seriesId" TEXT NOT NULL,
    "sessionId" TEXT,
    "at" TIMESTAMP(3) NOT NULL,
    "score" INTEGER NOT NULL,
    "scale" "PainScale" NOT NULL,
    "phase" "PainPhase" NOT NULL,
    "enteredById" TEXT NOT NULL,
    "enteredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "correctsId" TEXT,
    "correctionReason" TEXT,
    "isRetraction" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "PainScore_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SideEffect" (
    "id" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "severity" INTEGER NOT NULL,
    "intervention" TEXT,
    "note" TEXT,
    "enteredById" TEXT NOT NULL,
    "enteredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "correctsId" TEXT,
    "correctionReason" TEXT,
    "isRetraction" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "SideEffect_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Flag" (
    "id" TEXT NOT NULL,
    "clinicId" TEXT NOT NULL,
    "seriesId" TEXT NOT NULL,
    "sessionId" TEXT,
    "code" TEXT NOT NULL,
    "severity" "FlagSeverity" NOT NULL,
    "valueText" TEXT NOT NULL,
    "limitText" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "sourceType" TEXT,
    "sourceId" TEXT,
    "reason" TEXT,
    "raisedById" TEXT NOT NULL,
    "raisedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledgedById" TEXT,
    "acknowledgedAt" TIMESTAMP(3),
    "ackReason" TEXT,

    CONSTRAINT "Flag_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SessionAddendum" (
    "id" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SessionAddendum_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Review" (
    "id" TEXT NOT NULL,
    "seriesId" TEXT NOT NULL,
    "sessionId" TEXT,
    "authorId" TEXT NOT NULL,
    "note" TEXT NOT NULL,
    "signedAt" TIMESTAMP(3),
    "addendumToId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Review_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" BIGSERIAL NOT NULL,
    "clinicId" TEXT,
    "actorId" TEXT,
    "action" TEXT NOT NULL,
    "entityType" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "before" JSONB,
    "after" JSONB,
    "seq" BIGINT NOT NULL DEFAULT 0,
    "prevHash" TEXT NOT NULL DEFAULT '',
    "hash" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IdempotencyRecord" (
    "userId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "requestHash" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "responseBody" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IdempotencyRecord_pkey" PRIMARY KEY ("userId","key")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE INDEX "User_clinicId_idx" ON "User"("clinicId");

-- CreateIndex
CREATE INDEX "Patient_clinicId_familyName_idx" ON "Patient"("clinicId", "familyName");

-- CreateIndex
CREATE UNIQUE INDEX "Patient_clinicId_mrn_key" ON "Patient"("clinicId", "mrn");

-- CreateIndex
CREATE INDEX "PatientWeight_patientId_measuredAt_idx" ON "PatientWeight"("patientId", "measuredAt");

-- CreateIndex
CREATE UNIQUE INDEX "Protocol_clinicId_name_key" ON "Protocol"("clinicId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "ProtocolVersion_protocolId_version_key" ON "ProtocolVersion"("protocolId", "version");

-- CreateIndex
CREATE INDEX "Series_clinicId_patientId_idx" ON "Series"("clinicId", "patientId");

-- CreateIndex
CREATE INDEX "InfusionSession_clinicId_openedAt_idx" ON "InfusionSession"("clinicId", "openedAt");

-- CreateIndex
CREATE UNIQUE INDEX "InfusionSession_seriesId_sequence_key" ON "InfusionSession"("seriesId", "sequence");

-- CreateIndex
CREATE UNIQUE INDEX "DoseEvent_correctsId_key" ON "DoseEvent"("correctsId");

-- CreateIndex
CREATE INDEX "DoseEvent_sessionId_at_idx" ON "DoseEvent"("sessionId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "VitalSigns_correctsId_key" ON "VitalSigns"("correctsId");

-- CreateIndex
CREATE INDEX "VitalSigns_sessionId_at_idx" ON "VitalSigns"("sessionId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "PainScore_correctsId_key" ON "PainScore"("correctsId");

-- CreateIndex
CREATE INDEX "PainScore_seriesId_at_idx" ON "PainScore"("seriesId", "at");

-- CreateIndex
CREATE INDEX "PainScore_sessionId_at_idx" ON "PainScore"("sessionId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "SideEffect_correctsId_key" ON "SideEffect"("correctsId");

-- CreateIndex
CREATE INDEX "SideEffect_sessionId_at_idx" ON "SideEffect"("sessionId", "at");

-- CreateIndex
CREATE INDEX "Flag_clinicId_acknowledgedAt_idx" ON "Flag"("clinicId", "acknowledgedAt");

-- CreateIndex
CREATE INDEX "Flag_sessionId_idx" ON "Flag"("sessionId");

-- CreateIndex
CREATE INDEX "Flag_seriesId_idx" ON "Flag"("seriesId");

-- CreateIndex
CREATE INDEX "Review_seriesId_idx" ON "Review"("seriesId");

-- CreateIndex
CREATE INDEX "AuditEvent_clinicId_seq_idx" ON "AuditEvent"("clinicId", "seq");

-- CreateIndex
CREATE INDEX "AuditEvent_entityType_entityId_idx" ON "AuditEvent"("entityType", "entityId");

-- AddForeignKey
ALTER TABLE "User" ADD CONSTRAINT "User_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Patient" ADD CONSTRAINT "Patient_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PatientWeight" ADD CONSTRAINT "PatientWeight_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Protocol" ADD CONSTRAINT "Protocol_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProtocolVersion" ADD CONSTRAINT "ProtocolVersion_protocolId_fkey" FOREIGN KEY ("protocolId") REFERENCES "Protocol"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Series" ADD CONSTRAINT "Series_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Series" ADD CONSTRAINT "Series_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Series" ADD CONSTRAINT "Series_protocolVersionId_fkey" FOREIGN KEY ("protocolVersionId") REFERENCES "ProtocolVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Series" ADD CONSTRAINT "Series_orderingPhysicianId_fkey" FOREIGN KEY ("orderingPhysicianId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InfusionSession" ADD CONSTRAINT "InfusionSession_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InfusionSession" ADD CONSTRAINT "InfusionSession_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InfusionSession" ADD CONSTRAINT "InfusionSession_nurseId_fkey" FOREIGN KEY ("nurseId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InfusionSession" ADD CONSTRAINT "InfusionSession_signedById_fkey" FOREIGN KEY ("signedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DoseEvent" ADD CONSTRAINT "DoseEvent_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "InfusionSession"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DoseEvent" ADD CONSTRAINT "DoseEvent_correctsId_fkey" FOREIGN KEY ("correctsId") REFERENCES "DoseEvent"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VitalSigns" ADD CONSTRAINT "VitalSigns_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "InfusionSession"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VitalSigns" ADD CONSTRAINT "VitalSigns_correctsId_fkey" FOREIGN KEY ("correctsId") REFERENCES "VitalSigns"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PainScore" ADD CONSTRAINT "PainScore_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PainScore" ADD CONSTRAINT "PainScore_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "InfusionSession"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PainScore" ADD CONSTRAINT "PainScore_correctsId_fkey" FOREIGN KEY ("correctsId") REFERENCES "PainScore"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SideEffect" ADD CONSTRAINT "SideEffect_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "InfusionSession"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SideEffect" ADD CONSTRAINT "SideEffect_correctsId_fkey" FOREIGN KEY ("correctsId") REFERENCES "SideEffect"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Flag" ADD CONSTRAINT "Flag_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Flag" ADD CONSTRAINT "Flag_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Flag" ADD CONSTRAINT "Flag_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "InfusionSession"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SessionAddendum" ADD CONSTRAINT "SessionAddendum_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "InfusionSession"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Review" ADD CONSTRAINT "Review_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Review" ADD CONSTRAINT "Review_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "InfusionSession"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Review" ADD CONSTRAINT "Review_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditEvent" ADD CONSTRAINT "AuditEvent_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE SET NULL ON UPDATE CASCADE;
