import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { effectiveRows } from "@/lib/domain/charting";
import { sessionPrePost } from "@/lib/domain/pain";
import { AppError } from "@/lib/errors";
import { can } from "@/lib/permissions";
import { requirePageActor } from "@/lib/server/actor";
import { readSeriesCheckIns } from "@/lib/server/check-ins";
import { getSessionChart } from "@/lib/server/sessions";
import { formatDate, formatDateTime } from "@/lib/time";
import { CheckInLinkPanel } from "./check-in-link-panel";

export const metadata: Metadata = { title: "Discharge sheet" };

/**
 * The printable sheet the patient takes home after a session: the visit in plain words and
 * the check-in link with its QR code (decision 0020). The link's token exists only in the
 * answer that issued it, so the QR is shown right after issuing; printing happens then.
 */
export default async function DischargeSheetPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const actor = await requirePageActor();
  let chart;
  try {
    chart = await getSessionChart({ actor, sessionId: id, route: "page /sessions/[id]/discharge" });
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") notFound();
    throw err;
  }
  const tz = actor.clinicTimezone;
  const checkIns = await readSeriesCheckIns({ actor, seriesId: chart.series.id });
  const pain = effectiveRows(chart.painScores).map((p) => ({ ...p, atMs: Date.parse(p.at) }));
  const { pre, post } = sessionPrePost(pain);
  const firstName = chart.patient.name.split(", ").slice(1).join(", ") || chart.patient.name;
  return (
    <div className="mx-auto max-w-2xl space-y-4">
      <p className="no-print text-sm"><Link className="text-calm hover:underline" href={`/sessions/${id}`}>← Session chart</Link></p>
      <section className="card space-y-2" aria-labelledby="sheet-h">
        <h1 id="sheet-h" className="text-2xl font-bold">Your treatment today</h1>
        <dl className="kv grid grid-cols-2 gap-x-6 gap-y-2">
          <div><dt>Patient</dt><dd>{chart.patient.name}</dd></div>
          <div><dt>Date</dt><dd>{formatDate(chart.openedAt, tz)}</dd></div>
          <div><dt>Treatment</dt><dd>{chart.protocol.name}, session {chart.sequence} of {chart.series.plannedSessions}</dd></div>
          <div><dt>Pain before → after</dt><dd>{pre ? `${pre.score}` : "—"} → {post ? `${post.score}` : "—"} <span className="text-sm font-normal">(0-10)</span></dd></div>
        </dl>
        {chart.dischargeNote && <p className="text-base">{chart.dischargeNote}</p>}
        {chart.status === "IN_PROGRESS" && <p className="flag-box-soft">This session is still running: complete it before discharge.</p>}
      </section>
      <section className="card space-y-2" aria-labelledby="checkin-h">
        <h2 id="checkin-h" className="text-xl font-semibold">Tell us how you are doing</h2>
        <p className="text-base">Relief after a treatment can last days or weeks. {firstName}, please check in on your phone {checkIns.scheduleWords}. It takes a minute.</p>
        <CheckInLinkPanel
          seriesId={chart.series.id}
          canIssue={can(actor, "check-in:link") && chart.status !== "IN_PROGRESS"}
          activeUntil={checkIns.linkActive ? formatDateTime(checkIns.linkActive.expiresAt, tz) : null}
        />
      </section>
      <p className="text-sm text-slate-700">In an emergency call your local emergency number.</p>
    </div>
  );
}
