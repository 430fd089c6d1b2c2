import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AppError } from "@/lib/errors";
import Link from "next/link";
import { formatMg, formatMgPerKg, formatMgPerKgPerH } from "@/lib/domain/units";
import { formatDateTime } from "@/lib/time";
import { can } from "@/lib/permissions";
import { requirePageActor } from "@/lib/server/actor";
import { getProtocol } from "@/lib/server/protocol-admin";
import { LIMIT_FIELDS } from "@/lib/validation/protocol";
import { RetireProtocolButton } from "./retire-button";

export const metadata: Metadata = { title: "Protocol" };

type Limits = Awaited<ReturnType<typeof getProtocol>>["versions"][number]["limits"];

function show(l: Limits, f: (typeof LIMIT_FIELDS)[number]) {
  const v = l[f.stored];
  if (v === null) return "—";
  if (f.kind === "rate") return formatMgPerKgPerH(v);
  if (f.kind === "perKg") return formatMgPerKg(v);
  if (f.kind === "mg") return formatMg(v);
  return String(v);
}

export default async function ProtocolPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const actor = await requirePageActor();
  // Another clinic's protocol (or none) is a 404 page, not a 500.
  const p = await getProtocol({ actor, protocolId: id }).catch((err: unknown) => {
    if (err instanceof AppError && err.code === "NOT_FOUND") notFound();
    throw err;
  });
  const canManage = can(actor, "protocol:manage");
  const tz = actor.clinicTimezone;
  return (
    <div className="space-y-4">
      <p><Link href="/protocols" className="text-sm underline">← Protocols</Link></p>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div>
          <h1 className="text-2xl font-bold">{p.name}</h1>
          <p className="text-slate-600">{p.indication} · {p.route}{p.retiredAt && <> · <span className="font-semibold">retired {formatDateTime(p.retiredAt, tz)}</span> (no new series)</>}</p>
        </div>
        {canManage && !p.retiredAt && (
          <div className="flex gap-2">
            <Link href={`/protocols/${p.id}/versions/new`} className="btn-primary">New version</Link>
            <RetireProtocolButton protocolId={p.id} name={p.name} />
          </div>
        )}
      </div>
      <p className="text-sm text-slate-600">A version is never edited once a series uses it: a change is a new version, and every series keeps the version it was ordered on.</p>
      <div className="card overflow-x-auto">
        <table className="table-dense" aria-label="Limits by version">
          <thead>
            <tr>
              <th>Limit</th>
              {p.versions.map((v) => <th key={v.id} className="tabular-nums">v{v.version}{v === p.versions[0] && " (current)"}</th>)}
            </tr>
          </thead>
          <tbody>
            <tr><td>Dose basis</td>{p.versions.map((v) => <td key={v.id}>{v.limits.doseBasis.replaceAll("_", " ").toLowerCase()}</td>)}</tr>
            {LIMIT_FIELDS.map((f) => (
              <tr key={f.key}>
                <td>{f.label} <span className="text-xs text-slate-600">({f.unit})</span></td>
                {p.versions.map((v, i) => {
                  const older = p.versions[i + 1];
                  const changed = older !== undefined && older.limits[f.stored] !== v.limits[f.stored];
                  return <td key={v.id} className={`tabular-nums ${changed ? "font-semibold text-calm" : ""}`} title={changed ? "changed from the previous version" : undefined}>{show(v.limits, f)}</td>;
                })}
              </tr>
            ))}
            <tr><td>Series ordered on it</td>{p.versions.map((v) => <td key={v.id} className="tabular-nums">{v.seriesCount}{v.seriesCount > 0 && <span className="text-xs text-slate-600"> (locked)</span>}</td>)}</tr>
            <tr><td>Created</td>{p.versions.map((v) => <td key={v.id} className="text-xs">{formatDateTime(v.createdAt, tz)}{v.createdBy && <> by {v.createdBy}</>}</td>)}</tr>
          </tbody>
        </table>
      </div>
      <section className="space-y-2" aria-labelledby="sources-h">
        <h2 id="sources-h" className="text-lg font-semibold">Sources</h2>
        {p.versions.map((v) => (
          <div key={v.id} className="card text-sm">
            <p className="font-semibold">v{v.version}: {v.sourceDocument}</p>
            <blockquote className="mt-1 border-l-4 border-slate-200 pl-2 text-slate-700">{v.sourceWording}</blockquote>
            {v.limitRationale && <p className="mt-1 text-slate-600">{v.limitRationale}</p>}
          </div>
        ))}
      </section>
    </div>
  );
}
