import { apiRoute, parseWith, readJson, runIdempotent } from "@/lib/server/http";
import { moveSessionChair } from "@/lib/server/chairs";
import { MoveChairSchema } from "@/lib/validation/chairs";

export const POST = apiRoute<{ id: string }>(async ({ req, actor, params }) => {
  const body = await readJson(req);
  const input = parseWith(MoveChairSchema, body);
  return runIdempotent(req, actor, body, async (tx) => ({ status: 200, body: await moveSessionChair(tx, { actor, sessionId: params.id, input }) }));
}, { permission: "session:move-chair" });
