import { apiRoute, json } from "@/lib/server/http";
import { db } from "@/lib/server/db";
import { retireProtocol } from "@/lib/server/protocol-admin";

export const POST = apiRoute<{ id: string }>(async ({ actor, params }) =>
  json({ protocol: await db.$transaction((tx) => retireProtocol(tx, { actor, protocolId: params.id })) }), { permission: "protocol:manage" });
