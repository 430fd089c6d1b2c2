import { apiRoute, json } from "@/lib/server/http";
import { retireClinicProtocol } from "@/lib/server/protocol-admin";

export const POST = apiRoute<{ id: string }>(async ({ actor, params }) =>
  json({ protocol: await retireClinicProtocol({ actor, protocolId: params.id }) }), { permission: "protocol:manage" });
