-- AlterTable
ALTER TABLE "Series" ADD COLUMN     "closeReason" TEXT,
ADD COLUMN     "closedAt" TIMESTAMP(3),
ADD COLUMN     "closedById" TEXT;

-- AddForeignKey
ALTER TABLE "Series" ADD CONSTRAINT "Series_closedById_fkey" FOREIGN KEY ("closedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- An active series has no close time, an ended one (COMPLETED, CANCELLED) always has one.
ALTER TABLE "Series" ADD CONSTRAINT "Series_closed_iff_ended" CHECK (("status" = 'ACTIVE') = ("closedAt" IS NULL));
