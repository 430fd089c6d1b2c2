import type { Metadata } from "next";
import { ProtocolTable } from "@/app/_components/protocol-table";
import { requirePageActor } from "@/lib/server/actor";
import { findProtocols } from "@/lib/server/protocols";

export const metadata: Metadata = { title: "Protocols" };

export default async function ProtocolsPage() {
  const actor = await requirePageActor();
  const protocols = await findProtocols({ actor });
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">Protocols</h1>
      <p className="text-sm text-slate-600">Documented ranges are soft limits: outside them an entry is allowed, flagged and needs a reason. Hard limits need a physician&apos;s override.</p>
      <div className="card"><ProtocolTable protocols={protocols} /></div>
    </div>
  );
}
