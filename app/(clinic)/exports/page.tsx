import type { Metadata } from "next";
import { formatDate } from "@/lib/domain/time";
import { can } from "@/lib/permissions";
import { requirePageActor } from "@/lib/server/actor";
import { findPatients } from "@/lib/server/patients";
import { findProtocols } from "@/lib/server/protocols";
import { ExportForm } from "./export-form";

export const metadata: Metadata = { title: "Exports" };

export default async function ExportsPage() {
  const actor = await requirePageActor();
  if (!can(actor, "export:sessions")) {
    return (
      <div className="card max-w-xl space-y-2">
        <h1 className="text-2xl font-bold">Exports</h1>
        <p>Exports are made by physicians and clinic administrators (decision 0006). Ask one of them for the file you need.</p>
      </div>
    );
  }
  const [protocols, patients] = await Promise.all([findProtocols({ actor }), findPatients({ actor, route: "page /exports" })]);
  const now = new Date();
  const today = formatDate(now, actor.clinicTimezone);
  const monthAgo = formatDate(new Date(now.getTime() - 30 * 86_400_000), actor.clinicTimezone);
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-bold">Exports</h1>
        <p className="text-sm text-slate-600">
          Session summaries for records, payers, audits and research: one CSV row or one printable PDF page per session, or a
          FHIR R4 bundle. Dates are this clinic&apos;s days ({actor.clinicTimezone}); every export is recorded in the audit log.
        </p>
      </div>
      <ExportForm
        protocols={protocols.map((p) => ({ id: p.id, name: p.name }))}
        patients={patients.map((p) => ({ id: p.id, label: `${p.familyName}, ${p.givenName} (${p.mrn})` }))}
        defaults={{ from: monthAgo, to: today }}
      />
    </div>
  );
}
