import { apiRoute, parseWith, readJson, runIdempotent } from "@/lib/server/http";
import { chartVitals } from "@/lib/server/sessions";
import { VitalsSchema } from "@/lib/validation/session";

export const POST = apiRoute<{ id: string }>(async ({ req, actor, params }) => {
  const body = await readJson(req);
  const input = parseWith(VitalsSchema, body);
  return runIdempotent(req, actor, body, async (tx) => ({ status: 201, body: await chartVitals(tx, { actor, sessionId: params.id, input }) }));
}, { permission: "session:chart" });
