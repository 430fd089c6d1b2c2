import type { Metadata } from "next";
import { requirePageActor } from "@/lib/server/actor";
import { findClinicChairs } from "@/lib/server/chairs";
import { ChairManager } from "./chair-manager";

export const metadata: Metadata = { title: "Chairs" };

export default async function ChairsPage() {
  const actor = await requirePageActor();
  const chairs = await findClinicChairs({ actor });
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">Treatment chairs</h1>
      <p className="text-sm text-slate-600">
        Each chair is a tile on the chair board. While the clinic has an active chair, every session is started in one; a chair holds one running session.
      </p>
      <ChairManager chairs={chairs} />
    </div>
  );
}
