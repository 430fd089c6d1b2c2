import { revokeCheckInLinks } from "@/lib/server/check-ins";
import { apiRoute, parseWith, readJson, runIdempotent } from "@/lib/server/http";
import { RevokeCheckInLinkSchema } from "@/lib/validation/check-in";

/** POST /api/series/{id}/check-in-link/revoke `{}` (nurse, physician): the series' link stops working at once. */
export const POST = apiRoute<{ id: string }>(async ({ req, actor, params }) => {
  const body = await readJson(req);
  parseWith(RevokeCheckInLinkSchema, body);
  return runIdempotent(req, actor, body, async (tx) => ({ status: 200, body: await revokeCheckInLinks(tx, { actor, seriesId: params.id }) }));
}, { permission: "check-in:link" });
