import type { Metadata } from "next";
import { DEFAULT_VITALS_THRESHOLDS } from "@/lib/domain/protocol";
import { requirePageActor, requirePermission } from "@/lib/server/actor";
import { clinicVitalsDefaults } from "@/lib/server/clinic-settings";
import { db } from "@/lib/server/db";
import { inputFromLimits } from "@/lib/validation/protocol";
import { ProtocolEditor } from "../protocol-editor";
import { NotAllowed } from "../not-allowed";
import { can } from "@/lib/permissions";

export const metadata: Metadata = { title: "New protocol" };

export default async function NewProtocolPage() {
  const actor = await requirePageActor();
  if (!can(actor, "protocol:manage")) return <NotAllowed />;
  requirePermission(actor, "protocol:manage");
  const vitals = await clinicVitalsDefaults(db, actor.clinicId);
  const initial = {
    ...inputFromLimits({
      doseBasis: "RATE_PER_KG", softMinRateUgPerKgPerH: null, softMaxRateUgPerKgPerH: null, startMinRateUgPerKgPerH: null, startMaxRateUgPerKgPerH: null,
      hardMaxRateUgPerKgPerH: 1000, softMaxBolusUgPerKg: null, hardMaxBolusUgPerKg: 1000, maxStepUgPerKgPerH: null, maxCumulativeUgPerKg: null,
      maxCumulativeUg: null, minDurationMin: null, maxDurationMin: null, defaultPlannedSessions: null, minIntervalHours: null, maxSessionsPer7Days: null,
      ...DEFAULT_VITALS_THRESHOLDS, ...vitals,
    }),
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
