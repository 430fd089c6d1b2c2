import { apiRoute, parseWith, readJson, runIdempotent } from "@/lib/server/http";
import { acknowledgeFlags } from "@/lib/server/sessions";
import { AcknowledgeFlagsSchema } from "@/lib/validation/session";

/** Bulk acknowledgement: all listed flags, one reason, all or nothing. */
export const POST = apiRoute(async ({ req, actor }) => {
  const body = await readJson(req);
  const input = parseWith(AcknowledgeFlagsSchema, body);
  return runIdempotent(req, actor, body, async (tx) => ({ status: 201, body: await acknowledgeFlags(tx, { actor, flagIds: input.flagIds, reason: input.reason }) }));
}, { permission: "flag:acknowledge" });
