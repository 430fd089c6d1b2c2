import type { QueuedEntry } from "@/lib/client/offline-queue";

/** What a queued entry is, as the offline panel and the form charting it again name it. */
export const QUEUED_KIND_LABEL: Record<QueuedEntry["kind"], string> = { "dose-events": "Dose event", vitals: "Vitals", pain: "Pain score", "side-effects": "Side effect" };

/** The values of a queued entry in words, for the nurse deciding what to do with it. */
export function queuedValuesText(e: QueuedEntry): string {
  const b = e.body;
  const v = (k: string) => (b[k] === undefined || b[k] === null ? null : String(b[k]));
  switch (e.kind) {
    case "dose-events":
      return [v("type"), v("rateMgPerKgPerH") && `${v("rateMgPerKgPerH")} mg/kg/h`, v("bolusMg") && `bolus ${v("bolusMg")} mg`].filter(Boolean).join(" · ");
    case "vitals":
      return [`BP ${v("systolicMmHg")}/${v("diastolicMmHg")}`, `HR ${v("heartRatePerMin")}`, `SpO2 ${v("spo2Pct")}%`, `RR ${v("respRatePerMin")}`, v("temperatureC") && `${v("temperatureC")} °C`, v("sedationRass") && `RASS ${v("sedationRass")}`].filter(Boolean).join(" · ");
    case "pain":
      return `${v("score")} (${v("scale")}), ${v("phase")}`;
    case "side-effects":
      return `${v("kind")}, severity ${v("severity")}${v("note") ? ` — ${v("note")}` : ""}`;
  }
}

/**
 * A field of a queued entry's body as a form holds it: the text a nurse would have typed, ""
 * when the entry did not carry it. Numbers are written as sent (mg/kg/h, mg, °C: the units
 * of the bedside forms' fields), so loading them back changes nothing.
 */
export function queuedFieldText(e: QueuedEntry | null, field: string): string {
  const v = e?.body[field];
  return typeof v === "number" && Number.isFinite(v) ? String(v) : typeof v === "string" ? v : "";
}
