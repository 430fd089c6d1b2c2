import { apiRoute, parseWith, readJson, runIdempotent } from "@/lib/server/http";
import { closeSeries } from "@/lib/server/series";
import { CloseSeriesSchema } from "@/lib/validation/series";

/** POST /api/series/{id}/close `{ outcome: COMPLETED|CANCELLED, reason? }` (physician). */
export const POST = apiRoute<{ id: string }>(async ({ req, actor, params }) => {
  const body = await readJson(req);
  const input = parseWith(CloseSeriesSchema, body);
  return runIdempotent(req, actor, body, async (tx) => ({ status: 200, body: await closeSeries(tx, { actor, seriesId: params.id, input }) }));
}, { permission: "series:order" });
