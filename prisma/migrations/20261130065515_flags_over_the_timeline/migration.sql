-- AlterTable
ALTER TABLE "Flag" ADD COLUMN     "conditionKey" TEXT,
ADD COLUMN     "resolution" TEXT,
ADD COLUMN     "resolvedAt" TIMESTAMP(3),
ADD COLUMN     "resolvedById" TEXT;

-- AlterTable
ALTER TABLE "InfusionSession" ADD COLUMN     "concentrationOverrideReason" TEXT,
ADD COLUMN     "concentrationReason" TEXT,
ADD COLUMN     "enteredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "lateEntryReason" TEXT,
ADD COLUMN     "weightConfirmReason" TEXT;

-- AlterTable
ALTER TABLE "ProtocolVersion" ADD COLUMN     "bolusWindowMin" INTEGER NOT NULL DEFAULT 60,
ADD COLUMN     "lowBaselinePainNrs" INTEGER NOT NULL DEFAULT 4,
ADD COLUMN     "poundsTolerancePct" INTEGER NOT NULL DEFAULT 3,
ADD COLUMN     "pumpRoundingTolerancePct" INTEGER NOT NULL DEFAULT 5,
ADD COLUMN     "pumpStepCentiMlPerH" INTEGER NOT NULL DEFAULT 10,
ADD COLUMN     "standardConcentrationsUgPerMl" INTEGER[] DEFAULT ARRAY[1000, 2000]::INTEGER[],
ADD COLUMN     "vitalsAfterIncreaseMin" INTEGER NOT NULL DEFAULT 5,
ADD COLUMN     "weightChangeConfirmPct" INTEGER NOT NULL DEFAULT 10;

-- Sessions charted before late documentation existed were opened when they were entered.
UPDATE "InfusionSession" SET "enteredAt" = "openedAt";

-- One open flag per condition of a session (decision 0009): a second writer or a second
-- scheduler instance raising the same condition at the same moment fails on this index
-- instead of storing a duplicate. Resolved flags are kept, so the index is partial.
CREATE UNIQUE INDEX "Flag_open_condition_key" ON "Flag" ("sessionId", "conditionKey")
  WHERE "resolvedAt" IS NULL AND "conditionKey" IS NOT NULL;
