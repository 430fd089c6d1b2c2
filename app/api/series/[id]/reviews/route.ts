import { apiRoute, json, parseWith, readJson, runIdempotent } from "@/lib/server/http";
import { findSeriesReviews, signReview } from "@/lib/server/reviews";
import { SignReviewSchema } from "@/lib/validation/review";

export const GET = apiRoute<{ id: string }>(async ({ actor, params }) => json({ reviews: await findSeriesReviews({ actor, seriesId: params.id, route: "GET /api/series/[id]/reviews" }) }));

/** Signs a series review (or a per-session review, or an addendum to a signed one). */
export const POST = apiRoute<{ id: string }>(async ({ req, actor, params }) => {
  const body = await readJson(req);
  const input = parseWith(SignReviewSchema, body);
  return runIdempotent(req, actor, body, async (tx) => ({ status: 201, body: await signReview(tx, { actor, seriesId: params.id, input }) }));
});
