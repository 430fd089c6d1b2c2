import { apiRoute, parseWith, readJson, runIdempotent } from "@/lib/server/http";
import { addProtocolVersion } from "@/lib/server/protocol-admin";
import { NewProtocolVersionSchema, type NewProtocolVersionInput } from "@/lib/validation/protocol";

export const POST = apiRoute<{ id: string }>(async ({ req, actor, params }) => {
  const body = await readJson(req);
  const input = parseWith(NewProtocolVersionSchema, body) as NewProtocolVersionInput;
  return runIdempotent(req, actor, body, async (tx) => ({ status: 201, body: await addProtocolVersion(tx, { actor, protocolId: params.id, input }) }));
}, { permission: "protocol:manage" });
