import { apiRoute, json, parseWith, readJson } from "@/lib/server/http";
import { getClinicSettings, saveClinicSettings } from "@/lib/server/clinic-settings";
import { ClinicSettingsSchema } from "@/lib/validation/clinic";

export const GET = apiRoute(async ({ actor }) => json({ clinic: await getClinicSettings({ actor }) }), { permission: "clinic:settings" });

export const POST = apiRoute(async ({ req, actor }) => {
  const input = parseWith(ClinicSettingsSchema, await readJson(req));
  return json({ clinic: await saveClinicSettings({ actor, input }) });
}, { permission: "clinic:settings" });
