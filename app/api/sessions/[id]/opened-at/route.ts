import { apiRoute, parseWith, readJson, runIdempotent } from "@/lib/server/http";
import { moveOpenedAt } from "@/lib/server/sessions";
import { MoveOpenedAtSchema } from "@/lib/validation/session";

export const POST = apiRoute<{ id: string }>(async ({ req, actor, params }) => {
  const body = await readJson(req);
  const input = parseWith(MoveOpenedAtSchema, body);
  return runIdempotent(req, actor, body, async (tx) => ({ status: 200, body: await moveOpenedAt(tx, { actor, sessionId: params.id, input }) }));
}, { permission: "session:chart" });
