import type { Metadata } from "next";
import Link from "next/link";
import { formatMgPerKg, formatMgPerKgPerH } from "@/lib/domain/units";
import { can } from "@/lib/permissions";
import { requirePageActor } from "@/lib/server/actor";
import { findProtocols } from "@/lib/server/protocols";

export const metadata: Metadata = { title: "Protocols" };

const mgkgh = (ug: number | null) => (ug === null ? "—" : formatMgPerKgPerH(ug));

export default async function ProtocolsPage() {
  const actor = await requirePageActor();
  const protocols = await findProtocols({ actor });
  const canManage = can(actor, "protocol:manage");
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-2xl font-bold">Protocols</h1>
        {canManage && <Link href="/protocols/new" className="btn-primary">New protocol</Link>}
      </div>
      <p className="text-sm text-slate-600">Documented ranges are soft limits: outside them an entry is allowed, flagged and needs a reason. Hard limits need a physician&apos;s override.</p>
      <div className="card overflow-x-auto">
        <table className="table-dense">
          <thead><tr><th>Protocol</th><th>Indication</th><th>Route</th><th>Documented rate (mg/kg/h)</th><th>Start (mg/kg/h)</th><th>Hard limit (mg/kg/h)</th><th>Hard bolus (mg/kg)</th><th>Version</th><th>Source</th></tr></thead>
          <tbody>
            {protocols.map((p) => {
              const v = p.versions[0];
              if (!v) return null;
              const l = v.limits;
              return (
                <tr key={p.id} className={p.retired ? "text-slate-600" : undefined}>
                  <td className="font-medium"><Link className="underline" href={`/protocols/${p.id}`}>{p.name}</Link>{p.retired && <span className="ml-2 rounded bg-slate-100 px-1 text-xs">retired</span>}</td>
                  <td>{p.indication}</td>
                  <td>{p.route}</td>
                  <td className="tabular-nums">{l.softMinRateUgPerKgPerH === null && l.softMaxRateUgPerKgPerH === null ? "—" : `${mgkgh(l.softMinRateUgPerKgPerH)} – ${mgkgh(l.softMaxRateUgPerKgPerH)}`}</td>
                  <td className="tabular-nums">{l.startMinRateUgPerKgPerH === null && l.startMaxRateUgPerKgPerH === null ? "—" : `${mgkgh(l.startMinRateUgPerKgPerH)} – ${mgkgh(l.startMaxRateUgPerKgPerH)}`}</td>
                  <td className="tabular-nums">≥ {formatMgPerKgPerH(l.hardMaxRateUgPerKgPerH)}</td>
                  <td className="tabular-nums">≥ {formatMgPerKg(l.hardMaxBolusUgPerKg)}</td>
                  <td>v{v.version}{p.versions.length > 1 && <span className="text-xs text-slate-600"> ({p.versions.length} versions)</span>}</td>
                  <td className="max-w-xs text-xs text-slate-600" title={v.sourceWording}>{v.sourceDocument}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
