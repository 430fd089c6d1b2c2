import { apiRoute, parseWith, readJson, runIdempotent } from "@/lib/server/http";
import { acknowledgeFlags } from "@/lib/server/sessions";
import { AcknowledgeFlagSchema } from "@/lib/validation/session";

export const POST = apiRoute<{ id: string }>(async ({ req, actor, params }) => {
  const body = await readJson(req);
  const input = parseWith(AcknowledgeFlagSchema, body);
  return runIdempotent(req, actor, body, async (tx) => {
    const { flags } = await acknowledgeFlags(tx, { actor, flagIds: [params.id], reason: input.reason });
    return { status: 201, body: { flag: flags[0] } };
  });
}, { permission: "flag:acknowledge" });
