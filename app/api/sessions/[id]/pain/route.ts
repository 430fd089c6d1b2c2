import { apiRoute, parseWith, readJson, runIdempotent } from "@/lib/server/http";
import { recordPain } from "@/lib/server/sessions";
import { PainSchema } from "@/lib/validation/session";

export const POST = apiRoute<{ id: string }>(async ({ req, actor, params }) => {
  const body = await readJson(req);
  const input = parseWith(PainSchema, body);
  return runIdempotent(req, actor, body, async (tx) => ({ status: 201, body: await recordPain(tx, { actor, sessionId: params.id, input }) }));
}, { permission: "session:chart" });
