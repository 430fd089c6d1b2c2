import { apiRoute, parseWith, readJson, runIdempotent } from "@/lib/server/http";
import { recordSideEffect } from "@/lib/server/sessions";
import { SideEffectSchema } from "@/lib/validation/session";

export const POST = apiRoute<{ id: string }>(async ({ req, actor, params }) => {
  const body = await readJson(req);
  const input = parseWith(SideEffectSchema, body);
  return runIdempotent(req, actor, body, async (tx) => ({ status: 201, body: await recordSideEffect(tx, { actor, sessionId: params.id, input }) }));
}, { permission: "session:chart" });
