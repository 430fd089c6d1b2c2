-- AlterTable
ALTER TABLE "InfusionSession" ADD COLUMN     "chairId" TEXT;

-- CreateTable
CREATE TABLE "Chair" (
    "id" TEXT NOT NULL,
    "clinicId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "sortOrder" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Chair_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Chair_clinicId_active_idx" ON "Chair"("clinicId", "active");

-- CreateIndex
CREATE UNIQUE INDEX "Chair_clinicId_name_key" ON "Chair"("clinicId", "name");

-- CreateIndex
CREATE INDEX "InfusionSession_clinicId_status_idx" ON "InfusionSession"("clinicId", "status");

-- AddForeignKey
ALTER TABLE "InfusionSession" ADD CONSTRAINT "InfusionSession_chairId_fkey" FOREIGN KEY ("chairId") REFERENCES "Chair"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Chair" ADD CONSTRAINT "Chair_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- A chair holds at most one running session, enforced by the database so that two nurses
-- starting a session in the same chair at the same moment cannot both succeed
-- (docs/decisions/0013-chairs-and-the-board.md). Completed and signed sessions keep their
-- chair as history and are outside the index.
CREATE UNIQUE INDEX "InfusionSession_chair_running_key" ON "InfusionSession"("chairId") WHERE "status" = 'IN_PROGRESS' AND "chairId" IS NOT NULL;
