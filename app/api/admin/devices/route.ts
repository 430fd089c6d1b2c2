import { apiRoute, json, parseWith, readJson } from "@/lib/server/http";
import { addDevice, findClinicDevices } from "@/lib/server/devices";
import { CreateDeviceSchema } from "@/lib/validation/devices";

/** The clinic's monitors with their last message, and the latest refused messages. */
export const GET = apiRoute(async ({ actor }) => json(await findClinicDevices({ actor })), { permission: "device:manage" });

/** Registers a monitor under the identifier it sends; a retried create answers 409 and stores nothing. */
export const POST = apiRoute(async ({ req, actor }) => {
  const input = parseWith(CreateDeviceSchema, await readJson(req));
  return json({ device: await addDevice({ actor, input }) }, 201);
}, { permission: "device:manage" });
