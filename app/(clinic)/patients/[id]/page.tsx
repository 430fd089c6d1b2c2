import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ageYears } from "@/lib/domain/patient";
import { SCREENING_LABELS } from "@/lib/domain/flags";
import { formatKg } from "@/lib/domain/units";
import { AppError } from "@/lib/errors";
import { can } from "@/lib/permissions";
import { findRecentPatientAccesses } from "@/lib/server/access-log";
import { requirePageActor } from "@/lib/server/actor";
import { getPatient } from "@/lib/server/patients";
import { findProtocols } from "@/lib/server/protocols";
import { formatDate, formatDateTime } from "@/lib/time";
import { EndSeriesForm } from "./end-series-form";
import { OrderSeriesForm } from "./order-series-form";

export const metadata: Metadata = { title: "Patient" };

async function load(actor: Awaited<ReturnType<typeof requirePageActor>>, id: string) {
  try {
    return await getPatient({ actor, patientId: id, route: "page /patients/[id]" });
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") notFound();
    throw err;
  }
}

export default async function PatientPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageActor();
  const { id } = await params;
  const patient = await load(actor, id);
  const tz = actor.clinicTimezone;
  const today = formatDate(new Date(), tz);
  const [protocols, accesses] = await Promise.all([
    can(actor, "series:order") ? findProtocols({ actor }).then((all) => all.filter((p) => !p.retired)) : [],
    // "who accessed this patient" (admins only; docs/decisions/0019-access-audit-and-user-cache.md)
    can(actor, "audit:read") ? findRecentPatientAccesses({ actor, patientId: patient.id }) : null,
  ]);
  const screeningEntries = Object.entries(SCREENING_LABELS) as [keyof typeof SCREENING_LABELS, string][];
  return (
    <div className="space-y-4">
      <header className="card flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-bold">{patient.familyName}, {patient.givenName}</h1>
          <p className="text-sm text-slate-600">
            MRN <span className="font-semibold tabular-nums">{patient.mrn}</span> · {ageYears(patient.birthDate, today)} y ({patient.birthDate}) · {patient.sex.toLowerCase()}
          </p>
        </div>
        <dl className="kv grid grid-cols-2 gap-x-6 gap-y-1 sm:grid-cols-3">
          <div><dt>Weight</dt><dd>{patient.weightG !== null ? `${formatKg(patient.weightG)} kg` : "—"}</dd></div>
          <div><dt>Allergies</dt><dd className="text-hard">{patient.allergies || "none recorded"}</dd></div>
          <div><dt>Consent</dt><dd>{patient.consentOnFile ? `on file${patient.consentDate ? ` (${patient.consentDate})` : ""}` : <span className="text-hard">missing</span>}</dd></div>
        </dl>
      </header>

      <div className="grid gap-4 lg:grid-cols-2">
        <section className="card" aria-labelledby="screen-h">
          <h2 id="screen-h" className="mb-2 text-lg font-semibold">
            Screening {patient.screeningPositive && <span className="ml-2 rounded bg-soft px-2 py-0.5 text-xs font-bold uppercase text-white">positive</span>}
          </h2>
          <ul className="space-y-1 text-sm">
            {screeningEntries.map(([k, label]) => {
              const v = patient.screening[k];
              return (
                <li key={k} className="flex justify-between gap-2 border-b border-slate-100 py-1">
                  <span className="first-letter:uppercase">{label}</span>
                  <span className={v ? "font-bold text-soft" : "text-slate-600"}>{v === null ? "not asked" : v ? "YES" : "no"}</span>
                </li>
              );
            })}
          </ul>
          {patient.screening.notes && <p className="mt-2 text-sm text-slate-700">{patient.screening.notes}</p>}
        </section>
        <section className="card" aria-labelledby="weight-h">
          <h2 id="weight-h" className="mb-2 text-lg font-semibold">Weight history</h2>
          {patient.weights.length === 0 ? <p className="text-sm text-slate-600">No weights recorded.</p> : (
            <div className="overflow-x-auto"><table className="table-dense">
              <thead><tr><th>Date</th><th>Weight (kg)</th><th>Recorded at</th></tr></thead>
              <tbody>
                {patient.weights.slice(-12).reverse().map((w) => (
                  <tr key={w.measuredAt + w.weightG}>
                    <td className="tabular-nums">{formatDate(w.measuredAt, tz)}</td>
                    <td className="tabular-nums">{formatKg(w.weightG)}</td>
                    <td>{w.sessionId ? <Link className="text-calm hover:underline" href={`/sessions/${w.sessionId}`}>session start</Link> : "registration"}</td>
                  </tr>
                ))}
              </tbody>
            </table></div>
          )}
        </section>
      </div>

      <section className="card" aria-labelledby="series-h">
        <h2 id="series-h" className="mb-2 text-lg font-semibold">Series</h2>
        {patient.series.length === 0 ? <p className="text-sm text-slate-600">No series ordered.</p> : (
          <div className="overflow-x-auto"><table className="table-dense">
            <thead><tr><th>Started</th><th>Protocol</th><th>Sessions</th><th>Ordered by</th><th>Status</th><th /></tr></thead>
            <tbody>
              {patient.series.map((s) => (
                <tr key={s.id}>
                  <td className="tabular-nums">{s.startDate}</td>
                  <td>{s.protocolName} <span className="text-slate-600">v{s.protocolVersion}</span></td>
                  <td className="tabular-nums">{s.sessionCount} of {s.plannedSessions}</td>
                  <td>{s.orderingPhysician}</td>
                  <td>
                    {s.status.toLowerCase()}
                    {s.closedAt && (
                      <span className="block text-xs text-slate-600">
                        {formatDateTime(s.closedAt, actor.clinicTimezone)}{s.closedBy ? `, ${s.closedBy}` : ""}{s.closeReason ? `: ${s.closeReason}` : ""}
                      </span>
                    )}
                  </td>
                  <td className="flex flex-wrap items-start gap-2">
                    <Link className="btn-secondary" href={`/series/${s.id}`}>Review series</Link>
                    {s.status === "ACTIVE" && can(actor, "session:start") && <Link className="btn-secondary" href={`/series/${s.id}/start`}>Start session</Link>}
                    {s.status === "ACTIVE" && can(actor, "series:order") && <EndSeriesForm seriesId={s.id} label={`${s.protocolName} v${s.protocolVersion}`} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table></div>
        )}
      </section>

      {accesses && (
        <section className="card" aria-labelledby="access-h">
          <h2 id="access-h" className="mb-2 text-lg font-semibold">Who accessed this patient</h2>
          <p className="mb-2 text-sm text-slate-600">
            The most recent reads of this patient&apos;s record, newest first (this visit included). The full,
            filterable report is GET /api/admin/access-log?patientId={patient.id}.
          </p>
          {accesses.length === 0 ? <p className="text-sm text-slate-600">No accesses recorded.</p> : (
            <table className="table-dense" data-testid="patient-accesses">
              <thead><tr><th>Time</th><th>User</th><th>Role</th><th>Route</th><th>Record</th></tr></thead>
              <tbody>
                {accesses.map((a) => (
                  <tr key={a.id}>
                    <td className="tabular-nums">{formatDateTime(a.at, tz)}</td>
                    <td>{a.userName ?? "unknown user"}</td>
                    <td>{a.role?.toLowerCase() ?? "—"}</td>
                    <td><code className="text-xs">{a.route ?? "—"}</code></td>
                    <td>{a.recordType}{a.patientIds.length > 1 ? ` (${a.patientIds.length} patients)` : ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}

      {can(actor, "series:order") && (
        <section className="card" aria-labelledby="order-h">
          <h2 id="order-h" className="mb-2 text-lg font-semibold">Order a series</h2>
          <OrderSeriesForm
            patientId={patient.id}
            screeningPositive={patient.screeningPositive}
            protocols={protocols.map((p) => ({ name: p.name, route: p.route, versions: p.versions.map((v) => ({ id: v.id, version: v.version, defaultPlannedSessions: v.limits.defaultPlannedSessions })) }))}
            today={today}
          />
        </section>
      )}
    </div>
  );
}
