import { apiRoute, parseWith, readJson, runIdempotent } from "@/lib/server/http";
import { completeSession } from "@/lib/server/sessions";
import { CompleteSessionSchema } from "@/lib/validation/session";

export const POST = apiRoute<{ id: string }>(async ({ req, actor, params }) => {
  const body = await readJson(req);
  const input = parseWith(CompleteSessionSchema, body);
  return runIdempotent(req, actor, body, async (tx) => ({ status: 201, body: await completeSession(tx, { actor, sessionId: params.id, input }) }));
}, { permission: "session:complete" });
