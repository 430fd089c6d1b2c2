import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AppError } from "@/lib/errors";
import Link from "next/link";
import { can } from "@/lib/permissions";
import { requirePageActor } from "@/lib/server/actor";
import { clinicVitalsDefaults } from "@/lib/server/clinic-settings";
import { getProtocol } from "@/lib/server/protocol-admin";
import { inputFromLimits } from "@/lib/validation/protocol";
import { NotAllowed } from "../../../not-allowed";
import { ProtocolEditor } from "../../../protocol-editor";

export const metadata: Metadata = { title: "New protocol version" };

export default async function NewVersionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const actor = await requirePageActor();
  if (!can(actor, "protocol:manage")) return <NotAllowed />;
  // Another clinic's protocol (or none) is a 404 page, not a 500.
  const p = await getProtocol({ actor, protocolId: id }).catch((err: unknown) => {
    if (err instanceof AppError && err.code === "NOT_FOUND") notFound();
    throw err;
  });
  const latest = p.versions[0]!;
  const vitals = await clinicVitalsDefaults({ actor });
  const initial = {
    ...inputFromLimits(latest.limits),
    sourceDocument: latest.sourceDocument, sourceWording: latest.sourceWording, limitRationale: latest.limitRationale,
  };
  return (
    <div className="space-y-4">
      <p><Link href={`/protocols/${p.id}`} className="text-sm underline">← {p.name}</Link></p>
      <h1 className="text-2xl font-bold">New version of {p.name} <span className="text-base font-normal text-slate-600">(v{latest.version + 1}, from v{latest.version})</span></h1>
      {p.retiredAt ? (
        <p className="card" role="alert">This protocol is retired; no new versions can be made.</p>
      ) : (
        <>
          <p className="text-sm text-slate-600">Series ordered on v{latest.version} or earlier keep their version and its limits. New series can be ordered on the new version.</p>
          <ProtocolEditor mode="version" protocolId={p.id} route={p.route} initial={initial} vitalsDefaults={vitals} timeZone={actor.clinicTimezone} />
        </>
      )}
    </div>
  );
}
