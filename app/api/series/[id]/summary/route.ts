import { apiRoute, json } from "@/lib/server/http";
import { getSeriesSummary } from "@/lib/server/reviews";

/** The series across weeks: one row per session and the response summary. */
export const GET = apiRoute<{ id: string }>(async ({ actor, params }) => json(await getSeriesSummary({ actor, seriesId: params.id, route: "GET /api/series/[id]/summary" })));
