import type { Metadata } from "next";
import { requirePageActor } from "@/lib/server/actor";
import { findClinicChairs } from "@/lib/server/chairs";
import { findClinicDevices } from "@/lib/server/devices";
import { DeviceManager } from "./device-manager";

export const metadata: Metadata = { title: "Monitors" };

/** Bedside monitors over HL7 v2 (docs/decisions/0021-monitor-vitals-over-hl7.md). */
export default async function DevicesPage() {
  const actor = await requirePageActor();
  const [{ devices, refused, silence }, chairs] = await Promise.all([findClinicDevices({ actor }), findClinicChairs({ actor })]);
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">Bedside monitors</h1>
      <p className="text-sm text-slate-600">
        Monitors send their vitals over HL7 v2 (MLLP). Register each under the identifier it sends (its equipment id, or the
        sending application of its gateway) and assign it to a chair: its readings then appear, unverified, on the chart of the
        session running in that chair until a nurse accepts or rejects them.
      </p>
      <DeviceManager devices={devices} refused={refused} silence={silence} chairs={chairs.filter((c) => c.active).map((c) => ({ id: c.id, name: c.name }))} timeZone={actor.clinicTimezone} />
    </div>
  );
}
