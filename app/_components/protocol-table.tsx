import { formatMgPerKgPerH } from "@/lib/domain/units";
import type { findProtocols } from "@/lib/server/protocols";

export function ProtocolTable({ protocols }: { protocols: Awaited<ReturnType<typeof findProtocols>> }) {
  return (
    <table className="table-dense">
      <thead><tr><th>Protocol</th><th>Indication</th><th>Route</th><th>Documented range (mg/kg/h)</th><th>Hard limit</th><th>Version</th><th>Source</th></tr></thead>
      <tbody>
        {protocols.map((p) => {
          const v = p.versions[0];
          if (!v) return null;
          const l = v.limits;
          const range = l.softMinRateUgPerKgPerH !== null || l.softMaxRateUgPerKgPerH !== null
            ? `${l.softMinRateUgPerKgPerH !== null ? formatMgPerKgPerH(l.softMinRateUgPerKgPerH) : "—"} – ${l.softMaxRateUgPerKgPerH !== null ? formatMgPerKgPerH(l.softMaxRateUgPerKgPerH) : "—"}`
            : "—";
          return (
            <tr key={p.id}>
              <td className="font-medium">{p.name}{p.retired && <span className="ml-2 text-xs text-slate-600">(retired)</span>}</td>
              <td>{p.indication}</td><td>{p.route}</td>
              <td className="tabular-nums">{range}</td>
              <td className="tabular-nums">≥ {formatMgPerKgPerH(l.hardMaxRateUgPerKgPerH)}</td>
              <td>v{v.version}</td>
              <td className="max-w-xs text-xs text-slate-600" title={v.sourceWording}>{v.sourceDocument}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
