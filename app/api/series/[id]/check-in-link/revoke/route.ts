import { revokeCheckInLinks } from "@/lib/server/check-ins";
import { apiRoute, runIdempotent } from "@/lib/server/http";

/** POST /api/series/{id}/check-in-link/revoke (nurse, physician): the series' link stops working at once. */
export const POST = apiRoute<{ id: string }>(async ({ req, actor, params }) => {
  return runIdempotent(req, actor, {}, async (tx) => ({ status: 200, body: await revokeCheckInLinks(tx, { actor, seriesId: params.id }) }));
}, { permission: "check-in:link" });
