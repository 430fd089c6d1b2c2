import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AppError } from "@/lib/errors";
import { can } from "@/lib/permissions";
import { requirePageActor } from "@/lib/server/actor";
import { getSeriesSummary } from "@/lib/server/reviews";
import { SeriesReview } from "./series-review";

export const metadata: Metadata = { title: "Series review" };

async function load(actor: Awaited<ReturnType<typeof requirePageActor>>, id: string) {
  try {
    return await getSeriesSummary({ actor, seriesId: id });
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
  return (
    <SeriesReview
      summaryJson={JSON.stringify(s)}
      timeZone={actor.clinicTimezone}
      canAcknowledge={can(actor, "flag:acknowledge")}
      canSign={can(actor, "review:sign")}
      showAll={showAll}
    />
  );
}
