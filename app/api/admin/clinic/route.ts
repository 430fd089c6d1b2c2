import { apiRoute, json, parseWith, readJson } from "@/lib/server/http";
import { getClinicSettings, updateClinicSettings } from "@/lib/server/clinic-settings";
import { db } from "@/lib/server/db";
import { ClinicSettingsSchema } from "@/lib/validation/clinic";

export const GET = apiRoute(async ({ actor }) => json({ clinic: await getClinicSettings({ actor }) }), { permission: "clinic:settings" });

export const POST = apiRoute(async ({ req, actor }) => {
  const input = parseWith(ClinicSettingsSchema, await readJson(req));
  return json({ clinic: await db.$transaction((tx) => updateClinicSettings(tx, { actor, input })) });
}, { permission: "clinic:settings" });
