import type { Metadata } from "next";
import { NEW_PROTOCOL_DEFAULT_LIMITS } from "@/lib/domain/protocol";
import { requirePageActor, requirePermission } from "@/lib/server/actor";
import { clinicVitalsDefaults } from "@/lib/server/clinic-settings";
import { inputFromLimits } from "@/lib/validation/protocol";
import { ProtocolEditor } from "../protocol-editor";
import { NotAllowed } from "../not-allowed";
import { can } from "@/lib/permissions";

export const metadata: Metadata = { title: "New protocol" };

export default async function NewProtocolPage() {
  const actor = await requirePageActor();
  if (!can(actor, "protocol:manage")) return <NotAllowed />;
  requirePermission(actor, "protocol:manage");
  const vitals = await clinicVitalsDefaults({ actor });
  const initial = {
    ...inputFromLimits({ ...NEW_PROTOCOL_DEFAULT_LIMITS, ...vitals }),
    route: "IV",
  };
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">New protocol</h1>
      <p className="text-sm text-slate-600">Hard limits start at the edge of the anesthetic range (1 mg/kg/h, 1 mg/kg); a protocol may set lower ones, never higher.</p>
      <ProtocolEditor mode="protocol" initial={initial} vitalsDefaults={vitals} timeZone={actor.clinicTimezone} />
    </div>
  );
}
