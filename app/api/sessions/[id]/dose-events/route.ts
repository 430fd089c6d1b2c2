import { apiRoute, parseWith, readJson, runIdempotent } from "@/lib/server/http";
import { chartDoseEvent } from "@/lib/server/sessions";
import { DoseEventSchema } from "@/lib/validation/session";

export const POST = apiRoute<{ id: string }>(async ({ req, actor, params }) => {
  const body = await readJson(req);
  const input = parseWith(DoseEventSchema, body);
  return runIdempotent(req, actor, body, async (tx) => ({ status: 201, body: await chartDoseEvent(tx, { actor, sessionId: params.id, input }) }));
}, { permission: "session:chart" });
