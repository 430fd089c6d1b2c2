import Link from "next/link";
import { redirect } from "next/navigation";
import { LiveRefresh } from "@/app/_components/live-refresh";
import { ProtocolTable } from "@/app/_components/protocol-table";
import { requirePageActor } from "@/lib/server/actor";
import { hasRunningSessions } from "@/lib/server/board";
import { checkInWorklist } from "@/lib/server/check-ins";
import { findNurseWorklist, findPhysicianWorklist, findStaff } from "@/lib/server/dashboard";
import { findProtocols } from "@/lib/server/protocols";
import { formatDateTime, formatTime } from "@/lib/time";

/**
 * A nurse's home is the chair board while the clinic has a running session (the suite's
 * state at a glance); `/?worklist=1` (the board's "Worklists" link) keeps today's lists.
 */
export default async function HomePage({ searchParams }: { searchParams: Promise<{ worklist?: string | string[] }> }) {
  const actor = await requirePageActor();
  if (actor.role === "NURSE") {
    const { worklist } = await searchParams;
    if (worklist === undefined && (await hasRunningSessions({ actor }))) redirect("/board");
    return <NurseHome />;
  }
  if (actor.role === "PHYSICIAN") return <PhysicianHome />;
  return <AdminHome />;
}

/** What the worklists show: sessions and their state, series, open flags, reviews (decision 0014). */
const WORKLIST_KINDS = ["session", "series", "flag", "review", "check-in"] as const;

async function NurseHome() {
  const actor = await requirePageActor();
  const { sessions, readySeries } = await findNurseWorklist({ actor, route: "page /" });
  const tz = actor.clinicTimezone;
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-2xl font-bold">Today&apos;s sessions</h1>
        <Link href="/board" className="btn-secondary min-h-12">Chair board</Link>
      </div>
      <LiveRefresh kinds={WORKLIST_KINDS} />
      <section className="card" aria-labelledby="today-h">
        <h2 id="today-h" className="sr-only">Sessions today</h2>
        {sessions.length === 0 ? (
          <p className="text-slate-600">No sessions in progress or opened today.</p>
        ) : (
          <div className="overflow-x-auto"><table className="table-dense">
            <thead><tr><th>Opened</th><th>Patient</th><th>MRN</th><th>Protocol</th><th>#</th><th>Status</th><th>Open flags</th><th /></tr></thead>
            <tbody>
              {sessions.map((s) => (
                <tr key={s.id}>
                  <td className="tabular-nums">{formatTime(s.openedAt, tz)}</td>
                  <td className="font-medium">{s.patientName}</td>
                  <td className="tabular-nums">{s.mrn}</td>
                  <td>{s.protocolName}</td>
                  <td>{s.sequence}</td>
                  <td>{s.status.replace("_", " ").toLowerCase()}</td>
                  <td>{s.openFlags > 0 ? <span className="font-semibold text-soft">{s.openFlags}</span> : "0"}</td>
                  <td><Link className="btn-secondary" href={`/sessions/${s.id}`}>Open chart</Link></td>
                </tr>
              ))}
            </tbody>
          </table></div>
        )}
      </section>
      <section className="card" aria-labelledby="ready-h">
        <h2 id="ready-h" className="mb-2 text-lg font-semibold">Active series</h2>
        {readySeries.length === 0 ? <p className="text-slate-600">No active series waiting for a session.</p> : (
          <div className="overflow-x-auto"><table className="table-dense">
            <thead><tr><th>Patient</th><th>MRN</th><th>Protocol</th><th>Sessions</th><th /></tr></thead>
            <tbody>
              {readySeries.map((s) => (
                <tr key={s.id}>
                  <td className="font-medium">{s.patientName}</td>
                  <td className="tabular-nums">{s.mrn}</td>
                  <td>{s.protocolName}</td>
                  <td className="tabular-nums">{s.sessionsDone} of {s.plannedSessions}</td>
                  <td><Link className="btn-secondary" href={`/series/${s.id}/start`}>Start session</Link></td>
                </tr>
              ))}
            </tbody>
          </table></div>
        )}
      </section>
    </div>
  );
}

async function PhysicianHome() {
  const actor = await requirePageActor();
  const [{ patientsWithOpenFlags, sessionsAwaitingReview, seriesDue }, checkIns] = await Promise.all([findPhysicianWorklist({ actor, route: "page /" }), checkInWorklist({ actor, route: "page /" })]);
  const tz = actor.clinicTimezone;
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">Review worklist</h1>
      <LiveRefresh kinds={WORKLIST_KINDS} />
      <p className="text-sm text-slate-600">Most urgent first: hard flags, then the oldest.</p>
      <section className="card" aria-labelledby="flags-h">
        <h2 id="flags-h" className="mb-2 text-lg font-semibold">Patients with unacknowledged flags</h2>
        {patientsWithOpenFlags.length === 0 ? <p className="text-slate-600">No open flags.</p> : (
          <div className="overflow-x-auto"><table className="table-dense">
            <thead><tr><th>Patient</th><th>MRN</th><th>Hard</th><th>Soft</th><th>Oldest</th><th /></tr></thead>
            <tbody>
              {patientsWithOpenFlags.map((p) => (
                <tr key={p.patientId}>
                  <td className="font-medium">{p.name}</td>
                  <td className="tabular-nums">{p.mrn}</td>
                  <td>{p.hard > 0 ? <span className="rounded bg-hard-50 px-2 font-bold text-hard">{p.hard}</span> : 0}</td>
                  <td>{p.soft > 0 ? <span className="rounded bg-soft-50 px-2 font-semibold text-soft">{p.soft}</span> : 0}</td>
                  <td className="tabular-nums">{formatDateTime(p.oldest, tz)}</td>
                  <td className="flex flex-wrap gap-2">
                    <Link className="btn-secondary" href={`/series/${p.seriesId}`}>Review flags</Link>
                    <Link className="btn-secondary" href={`/patients/${p.patientId}`}>Open patient</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table></div>
        )}
      </section>
      <section className="card" aria-labelledby="checkins-h" data-testid="check-in-worklist">
        <h2 id="checkins-h" className="mb-2 text-lg font-semibold">Patient check-ins: severe side effects and missed check-ins</h2>
        {checkIns.severe.length === 0 && checkIns.missed.length === 0 ? <p className="text-slate-600">Nothing to follow up.</p> : (
          <ul className="space-y-1">
            {checkIns.severe.map((s) => (
              <li key={s.flagId} className="flag-box-hard flex flex-wrap items-center justify-between gap-2">
                <span><span className="font-semibold">{s.patientName}</span> <span className="tabular-nums">MRN {s.mrn}</span> reported {s.what} on {formatDateTime(s.raisedAt, tz)}</span>
                <Link className="btn-secondary" href={`/series/${s.seriesId}`}>Review and acknowledge</Link>
              </li>
            ))}
            {checkIns.missed.map((m) => (
              <li key={m.seriesId} className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-100 py-1">
                <span><span className="font-semibold">{m.patientName}</span> <span className="tabular-nums">MRN {m.mrn}</span> missed {m.missedDays.length} check-in{m.missedDays.length === 1 ? "" : "s"} (last {m.missedDays[m.missedDays.length - 1]})</span>
                <Link className="btn-secondary" href={`/series/${m.seriesId}`}>Open series</Link>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card" aria-labelledby="review-h">
        <h2 id="review-h" className="mb-2 text-lg font-semibold">Sessions awaiting review</h2>
        {sessionsAwaitingReview.length === 0 ? <p className="text-slate-600">Nothing awaiting review.</p> : (
          <div className="overflow-x-auto"><table className="table-dense">
            <thead><tr><th>Completed</th><th>Patient</th><th>Protocol</th><th>#</th><th>Status</th><th>Open hard flags</th><th /></tr></thead>
            <tbody>
              {sessionsAwaitingReview.map((s) => (
                <tr key={s.id}>
                  <td className="tabular-nums">{s.completedAt ? formatDateTime(s.completedAt, tz) : "—"}</td>
                  <td className="font-medium">{s.patientName} <span className="text-slate-600">({s.mrn})</span></td>
                  <td>{s.protocolName}</td>
                  <td>{s.sequence}</td>
                  <td>{s.status.toLowerCase()}</td>
                  <td>{s.openHardFlags > 0 ? <span className="rounded bg-hard-50 px-2 font-bold text-hard">{s.openHardFlags}</span> : 0}</td>
                  <td className="flex flex-wrap gap-2">
                    <Link className="btn-secondary" href={`/sessions/${s.id}`}>Open chart</Link>
                    <Link className="btn-secondary" href={`/series/${s.seriesId}`}>Review series</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table></div>
        )}
      </section>
      <section className="card" aria-labelledby="due-h">
        <h2 id="due-h" className="mb-2 text-lg font-semibold">Series due for their next session</h2>
        {seriesDue.length === 0 ? <p className="text-slate-600">No series due.</p> : (
          <div className="overflow-x-auto"><table className="table-dense">
            <thead><tr><th>Due</th><th>Patient</th><th>Protocol</th><th>Sessions</th><th /></tr></thead>
            <tbody>
              {seriesDue.map((s) => (
                <tr key={s.seriesId}>
                  <td className="tabular-nums">
                    {s.dueDate}{" "}
                    {s.daysOverdue > 0 ? <span className="rounded bg-soft-50 px-2 font-semibold text-soft">{s.daysOverdue} d overdue</span> : s.daysOverdue === 0 ? "today" : "tomorrow"}
                  </td>
                  <td className="font-medium">{s.patientName} <span className="text-slate-600">({s.mrn})</span></td>
                  <td>{s.protocolName}</td>
                  <td className="tabular-nums">{s.sessionsDone} of {s.plannedSessions}</td>
                  <td><Link className="btn-secondary" href={`/series/${s.seriesId}`}>Review series</Link></td>
                </tr>
              ))}
            </tbody>
          </table></div>
        )}
      </section>
    </div>
  );
}

async function AdminHome() {
  const actor = await requirePageActor();
  const [staff, protocols] = await Promise.all([findStaff({ actor }), findProtocols({ actor })]);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">Clinic administration</h1>
      <section className="card" aria-labelledby="staff-h">
        <h2 id="staff-h" className="mb-2 text-lg font-semibold">Staff</h2>
        {/* no link inside: the scroller itself takes the focus so the keyboard can scroll it on a phone */}
        <div className="overflow-x-auto" role="region" aria-labelledby="staff-h" tabIndex={0}><table className="table-dense">
          <thead><tr><th>Name</th><th>Email</th><th>Role</th><th>Status</th></tr></thead>
          <tbody>
            {staff.map((u) => (
              <tr key={u.id}>
                <td className="font-medium">{u.name}</td><td>{u.email}</td><td>{u.role.toLowerCase()}</td>
                <td>{u.active ? "active" : "deactivated"}</td>
              </tr>
            ))}
          </tbody>
        </table></div>
      </section>
      <section className="card" aria-labelledby="protocols-h">
        <h2 id="protocols-h" className="mb-2 text-lg font-semibold">Protocols</h2>
        <div className="overflow-x-auto" role="region" aria-labelledby="protocols-h" tabIndex={0}><ProtocolTable protocols={protocols} /></div>
      </section>
    </div>
  );
}

