-- CreateEnum
CREATE TYPE "DeviceReadingStatus" AS ENUM ('PENDING', 'ACCEPTED', 'REJECTED');

-- AlterTable
ALTER TABLE "Clinic" ADD COLUMN     "deviceCriticalSbpAtOrAboveMmHg" INTEGER NOT NULL DEFAULT 180,
ADD COLUMN     "deviceCriticalSpo2BelowPct" INTEGER NOT NULL DEFAULT 85;

-- AlterTable
ALTER TABLE "VitalSigns" ADD COLUMN     "deviceReadingId" TEXT;

-- CreateTable
CREATE TABLE "Device" (
    "id" TEXT NOT NULL,
    "clinicId" TEXT NOT NULL,
    "identifier" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "chairId" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastMessageAt" TIMESTAMP(3),
    "lastAckCode" TEXT,
    "lastError" TEXT,

    CONSTRAINT "Device_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeviceVitals" (
    "id" TEXT NOT NULL,
    "clinicId" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "deviceId" TEXT NOT NULL,
    "controlId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "systolicMmHg" INTEGER,
    "diastolicMmHg" INTEGER,
    "meanMmHg" INTEGER,
    "heartRatePerMin" INTEGER,
    "spo2Pct" INTEGER,
    "respRatePerMin" INTEGER,
    "temperatureDeciC" INTEGER,
    "criticalText" TEXT,
    "status" "DeviceReadingStatus" NOT NULL DEFAULT 'PENDING',
    "validatedById" TEXT,
    "validatedAt" TIMESTAMP(3),
    "rejectReason" TEXT,

    CONSTRAINT "DeviceVitals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeviceMessage" (
    "id" TEXT NOT NULL,
    "deviceId" TEXT,
    "clinicId" TEXT,
    "senderKey" TEXT NOT NULL,
    "controlId" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ackCode" TEXT NOT NULL,
    "error" TEXT NOT NULL,

    CONSTRAINT "DeviceMessage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Device_identifier_key" ON "Device"("identifier");

-- CreateIndex
CREATE INDEX "Device_clinicId_idx" ON "Device"("clinicId");

-- CreateIndex
CREATE INDEX "DeviceVitals_sessionId_status_idx" ON "DeviceVitals"("sessionId", "status");

-- CreateIndex
CREATE INDEX "DeviceVitals_clinicId_status_idx" ON "DeviceVitals"("clinicId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "DeviceVitals_deviceId_controlId_key" ON "DeviceVitals"("deviceId", "controlId");

-- CreateIndex
CREATE INDEX "DeviceMessage_clinicId_receivedAt_idx" ON "DeviceMessage"("clinicId", "receivedAt");

-- CreateIndex
CREATE INDEX "DeviceMessage_deviceId_receivedAt_idx" ON "DeviceMessage"("deviceId", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "VitalSigns_deviceReadingId_key" ON "VitalSigns"("deviceReadingId");

-- AddForeignKey
ALTER TABLE "VitalSigns" ADD CONSTRAINT "VitalSigns_deviceReadingId_fkey" FOREIGN KEY ("deviceReadingId") REFERENCES "DeviceVitals"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Device" ADD CONSTRAINT "Device_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Device" ADD CONSTRAINT "Device_chairId_fkey" FOREIGN KEY ("chairId") REFERENCES "Chair"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeviceVitals" ADD CONSTRAINT "DeviceVitals_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "InfusionSession"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeviceVitals" ADD CONSTRAINT "DeviceVitals_deviceId_fkey" FOREIGN KEY ("deviceId") REFERENCES "Device"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeviceMessage" ADD CONSTRAINT "DeviceMessage_deviceId_fkey" FOREIGN KEY ("deviceId") REFERENCES "Device"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- Monitor readings are announced on the live event stream like charted rows
-- (docs/decisions/0014-live-events.md), so the session chart and the board show a new reading,
-- and its validation, without a reload (docs/decisions/0021-monitor-vitals-over-hl7.md).
-- INSERT when it arrives, UPDATE when a nurse accepts or rejects it. Kind and ids only.
CREATE TRIGGER titrate_events AFTER INSERT OR UPDATE ON "DeviceVitals"
  FOR EACH ROW EXECUTE FUNCTION titrate_events_session_row('device-vitals');
