import { apiRoute, json, parseWith, readJson } from "@/lib/server/http";
import { changeDevice } from "@/lib/server/devices";
import { UpdateDeviceSchema } from "@/lib/validation/devices";

/** Rename, assign to a chair ({ chairId: null } unassigns), deactivate or reactivate a monitor. */
export const POST = apiRoute<{ id: string }>(async ({ req, actor, params }) => {
  const input = parseWith(UpdateDeviceSchema, await readJson(req));
  return json({ device: await changeDevice({ actor, deviceId: params.id, input }) });
}, { permission: "device:manage" });
