import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AppError } from "@/lib/errors";
import { can } from "@/lib/permissions";
import { requirePageActor } from "@/lib/server/actor";
import { getSeriesSummary } from "@/lib/server/reviews";
import { readSeriesCheckIns } from "@/lib/server/check-ins";
import { formatDateTime } from "@/lib/time";
import { LiveRefresh } from "@/app/_components/live-refresh";
import { CheckInsSection } from "./check-ins-section";
import { SeriesReview } from "./series-review";

export const metadata: Metadata = { title: "Series review" };

async function load(actor: Awaited<ReturnType<typeof requirePageActor>>, id: string) {
  try {
    return await getSeriesSummary({ actor, seriesId: id, route: "page /series/[id]" });
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") notFound();
    throw err;
  }
}

export default async function SeriesReviewPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ sessions?: string }> }) {
  const actor = await requirePageActor();
  const { id } = await params;
  const showAll = (await searchParams).sessions === "all";
  const s = await load(actor, id);
  const tz = actor.clinicTimezone;
  const checkIns = await readSeriesCheckIns({ actor, seriesId: s.series.id });
  return (
    <>
      {/* The summary re-reads itself as JSON on any event of the series (SeriesReview); the
          patient's check-ins are rare and arrive with their own kinds, so their section is
          re-rendered from the server only then (decisions 0014, 0020). */}
      <LiveRefresh seriesId={s.series.id} kinds={["check-in", "check-in-link"]} />
      <SeriesReview
      summaryJson={JSON.stringify(s)}
      timeZone={actor.clinicTimezone}
      canAcknowledge={can(actor, "flag:acknowledge")}
      canSign={can(actor, "review:sign")}
      showAll={showAll}
      checkIns={
        <CheckInsSection
          rows={checkIns.checkIns.map((c) => ({ id: c.id, day: c.day, dueDay: c.dueDay, painNrs: c.painNrs, enjoymentNrs: c.enjoymentNrs, activityNrs: c.activityNrs, peg: c.peg, note: c.note, sideEffects: c.sideEffects }))}
          missedDays={checkIns.missedDays}
          linkText={checkIns.linkActive ? `Check-in link active until ${formatDateTime(checkIns.linkActive.expiresAt, tz)}.` : "No active check-in link: issue one from a session's discharge sheet."}
        />
      }
    />
    </>
  );
}
