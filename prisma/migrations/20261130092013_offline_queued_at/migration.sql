-- AlterTable
ALTER TABLE "DoseEvent" ADD COLUMN     "queuedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "PainScore" ADD COLUMN     "queuedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "SideEffect" ADD COLUMN     "queuedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "VitalSigns" ADD COLUMN     "queuedAt" TIMESTAMP(3);
