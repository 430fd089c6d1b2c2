import { apiRoute, parseWith, readJson, runIdempotent } from "@/lib/server/http";
import { addAddendum } from "@/lib/server/sessions";
import { AddendumSchema } from "@/lib/validation/session";

export const POST = apiRoute<{ id: string }>(async ({ req, actor, params }) => {
  const body = await readJson(req);
  const input = parseWith(AddendumSchema, body);
  return runIdempotent(req, actor, body, async (tx) => ({ status: 201, body: await addAddendum(tx, { actor, sessionId: params.id, text: input.text }) }));
}, { permission: "session:addendum" });
