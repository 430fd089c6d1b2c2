import type { Metadata } from "next";
import { requirePageActor } from "@/lib/server/actor";
import { getClinicSettings } from "@/lib/server/clinic-settings";
import { SettingsForm } from "./settings-form";

export const metadata: Metadata = { title: "Clinic settings" };

export default async function SettingsPage() {
  const actor = await requirePageActor();
  const settings = await getClinicSettings({ actor });
  const zones = [...Intl.supportedValuesOf("timeZone"), "UTC"].sort();
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">Clinic settings</h1>
      <SettingsForm initial={settings} zones={zones} />
    </div>
  );
}
