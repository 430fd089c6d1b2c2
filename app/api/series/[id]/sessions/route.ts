import { apiRoute, parseWith, readJson, runIdempotent } from "@/lib/server/http";
import { startSession } from "@/lib/server/sessions";
import { StartSessionSchema } from "@/lib/validation/session";

export const POST = apiRoute<{ id: string }>(async ({ req, actor, params }) => {
  const body = await readJson(req);
  const input = parseWith(StartSessionSchema, body);
  return runIdempotent(req, actor, body, async (tx) => ({ status: 201, body: await startSession(tx, { actor, seriesId: params.id, input }) }));
}, { permission: "session:start" });
