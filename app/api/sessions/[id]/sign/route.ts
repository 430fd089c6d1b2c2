import { apiRoute, parseWith, readJson, runIdempotent } from "@/lib/server/http";
import { signSession } from "@/lib/server/sessions";
import { SignSessionSchema } from "@/lib/validation/session";

export const POST = apiRoute<{ id: string }>(async ({ req, actor, params }) => {
  // The body is optional here: an empty POST signs the current version.
  const body = req.headers.get("content-length") === "0" || !req.headers.get("content-type") ? {} : await readJson(req);
  const input = parseWith(SignSessionSchema, body);
  return runIdempotent(req, actor, body, async (tx) => ({ status: 201, body: await signSession(tx, { actor, sessionId: params.id, rowVersion: input.rowVersion }) }));
}, { permission: "session:sign" });
