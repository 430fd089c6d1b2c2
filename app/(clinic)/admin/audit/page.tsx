import type { Metadata } from "next";
import Link from "next/link";
import { AppError } from "@/lib/errors";
import { formatDateTime } from "@/lib/time";
import { requirePageActor } from "@/lib/server/actor";
import { auditFilterChoices, findAuditEvents, parseAuditFilter, type AuditFilter } from "@/lib/server/audit-log";

export const metadata: Metadata = { title: "Audit log" };

type Search = Record<string, string | string[] | undefined>;

/** before/after as readable JSON; a field that changed is marked. */
function Change({ before, after }: { before: unknown; after: unknown }) {
  const b = before && typeof before === "object" ? (before as Record<string, unknown>) : null;
  const a = after && typeof after === "object" ? (after as Record<string, unknown>) : null;
  const changed = new Set(b && a ? Object.keys({ ...b, ...a }).filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k])) : []);
  const block = (label: string, v: unknown) =>
    v === null || v === undefined ? null : (
      <details className="text-xs" open={changed.size > 0 && changed.size <= 6}>
        <summary className="cursor-pointer font-medium">{label}</summary>
        <pre className="max-h-64 max-w-xl overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-2">{JSON.stringify(v, null, 2)}</pre>
      </details>
    );
  return (
    <div className="space-y-1">
      {changed.size > 0 && <p className="text-xs">Changed: <span className="font-semibold text-calm">{[...changed].join(", ")}</span></p>}
      {block("Before", before)}
      {block("After", after)}
    </div>
  );
}

/** One filter choice: "any" or one of the values the clinic's log holds. */
function FilterSelect({ label, name, anyText, value, options }: { label: string; name: string; anyText: string; value: string | undefined; options: { value: string; label: string }[] }) {
  return (
    <label className="text-sm">{label}
      <select name={name} className="field-input h-10" defaultValue={value ?? ""}>
        <option value="">{anyText}</option>
        {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
    </label>
  );
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Search> }) {
  const actor = await requirePageActor();
  const params = await searchParams;
  let filter: AuditFilter = {};
  let filterError: string | null = null;
  try {
    filter = parseAuditFilter(params);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    filterError = err.userMessage;
  }
  const [result, choices] = await Promise.all([findAuditEvents({ actor, filter, route: "page /admin/audit" }), auditFilterChoices({ actor, route: "page /admin/audit" })]);
  const tz = actor.clinicTimezone;
  const pageHref = (page: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) if (k !== "page" && v !== undefined) q.set(k, String(v));
    q.set("page", String(page));
    return `/admin/audit?${q}`;
  };
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">Audit log</h1>
      <form method="get" className="card grid gap-3 sm:grid-cols-4" aria-label="Filter the audit log">
        <FilterSelect label="User" name="userId" anyText="Anyone" value={filter.userId} options={choices.users.map((u) => ({ value: u.id, label: u.name }))} />
        <FilterSelect label="Patient" name="patientId" anyText="Any patient" value={filter.patientId} options={choices.patients.map((p) => ({ value: p.id, label: p.label }))} />
        <FilterSelect label="Action" name="action" anyText="Any action" value={filter.action} options={choices.actions.map((a) => ({ value: a, label: a }))} />
        <FilterSelect label="Record type" name="entityType" anyText="Any record" value={filter.entityType} options={choices.entityTypes.map((t) => ({ value: t, label: t }))} />
        <label className="text-sm">Record id
          <input name="entityId" className="field-input h-10" defaultValue={filter.entityId ?? ""} />
        </label>
        <label className="text-sm">From (clinic date)
          <input type="date" name="from" className="field-input h-10" defaultValue={filter.from ?? ""} />
        </label>
        <label className="text-sm">To (clinic date)
          <input type="date" name="to" className="field-input h-10" defaultValue={filter.to ?? ""} />
        </label>
        <div className="flex items-end gap-2">
          <button type="submit" className="btn-primary">Filter</button>
          <Link href="/admin/audit" className="btn-secondary">Clear</Link>
        </div>
      </form>
      {filterError && <p role="alert" className="field-error">{filterError}</p>}
      <p className="text-sm text-slate-600" role="status">{result.total} event{result.total === 1 ? "" : "s"} · page {result.page} of {result.pages} · times in {tz}</p>
      <div className="card overflow-x-auto">
        <table className="table-dense">
          <thead><tr><th>#</th><th>When</th><th>Who</th><th>Action</th><th>Record</th><th>Change</th></tr></thead>
          <tbody>
            {result.events.map((e) => (
              <tr key={e.id} className="align-top">
                <td className="tabular-nums text-xs text-slate-600">{e.seq}</td>
                <td className="whitespace-nowrap tabular-nums">{formatDateTime(e.at, tz)}</td>
                <td>{e.actorId ? <Link className="underline" href={`/admin/audit?userId=${e.actorId}`}>{e.actorName}</Link> : e.actorName}</td>
                <td className="font-mono text-xs">{e.action}</td>
                <td className="text-xs"><Link className="underline" href={`/admin/audit?entityType=${e.entityType}&entityId=${e.entityId}`}>{e.entityType} {e.entityId}</Link></td>
                <td><Change before={e.before} after={e.after} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav aria-label="Pages" className="flex gap-2">
        {result.page > 1 && <Link className="btn-secondary" href={pageHref(result.page - 1)}>Newer</Link>}
        {result.page < result.pages && <Link className="btn-secondary" href={pageHref(result.page + 1)}>Older</Link>}
      </nav>
    </div>
  );
}
