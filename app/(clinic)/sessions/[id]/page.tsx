import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { SessionScreen } from "@/app/_components/session/session-screen";
import { AppError } from "@/lib/errors";
import { requirePageActor } from "@/lib/server/actor";
import { findSessionChair } from "@/lib/server/chairs";
import { getSessionChart } from "@/lib/server/sessions";
import { ChairControl } from "./chair-control";

export const metadata: Metadata = { title: "Session chart" };

export default async function SessionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const actor = await requirePageActor();
  let chart, chair;
  try {
    [chart, chair] = await Promise.all([getSessionChart({ actor, sessionId: id, route: "page /sessions/[id]" }), findSessionChair({ actor, sessionId: id })]);
  } catch (err) {
    // another clinic's session is NOT_FOUND too (lib/server scopes every query by clinic)
    if (err instanceof AppError && err.code === "NOT_FOUND") notFound();
    throw err;
  }
  return (
    <div className="space-y-3">
      <ChairControl sessionId={id} chair={chair} />
      {chart.status !== "IN_PROGRESS" && (
        <p className="no-print text-sm"><Link className="btn-secondary" href={`/sessions/${id}/discharge`}>Discharge sheet and check-in link</Link></p>
      )}
      <SessionScreen chart={chart} timeZone={actor.clinicTimezone} role={actor.role} />
    </div>
  );
}
