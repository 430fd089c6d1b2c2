import { apiRoute, json, parseWith, readJson, runIdempotent } from "@/lib/server/http";
import { createProtocol } from "@/lib/server/protocol-admin";
import { findProtocols } from "@/lib/server/protocols";
import { CreateProtocolSchema, type CreateProtocolInput } from "@/lib/validation/protocol";

export const GET = apiRoute(async ({ actor }) => json({ protocols: await findProtocols({ actor }) }), { permission: "protocol:read" });

export const POST = apiRoute(async ({ req, actor }) => {
  const body = await readJson(req);
  const input = parseWith(CreateProtocolSchema, body) as CreateProtocolInput;
  return runIdempotent(req, actor, body, async (tx) => ({ status: 201, body: { protocol: await createProtocol(tx, { actor, input }) } }));
}, { permission: "protocol:manage" });
