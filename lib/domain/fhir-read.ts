// Reads a Titrate FHIR R4 export (lib/domain/fhir.ts) back into each session's charted values,
// and recomputes its totals with the same integral the app uses (sessionTotals). The exchange
// file is only as good as what a receiver can rebuild from it: the export tests run this on
// every exported bundle and compare with the service's own numbers
// (docs/decisions/0015-unicode-pdf-and-fhir-validation.md "Read back").
// Decimals are read as exact decimals (units.ts), never multiplied as floats.

import { sessionTotals, type SessionTotals } from "./charting-totals";
import type { DoseEventPoint, DoseEventType } from "./dose";
import { DOSE_EVENT_TYPES } from "./dose";
import { LOINC, TITRATE_SYSTEM, VITAL_CODES } from "./fhir";
import { deciCFromC, parseDecimalToScaledInt, rateUgPerKgPerHFromMgPerKgPerH, ugFromMg } from "./units";

type Json = Record<string, unknown>;
interface Coding { system?: string; code?: string }
interface Quantity { value?: number; code?: string }

export interface ReadVitals {
  /** the charted vital-signs set's id (Observation.identifier urn:titrate:vital-signs) */
  id: string;
  atMs: number;
  systolicMmHg: number;
  diastolicMmHg: number;
  heartRatePerMin: number;
  spo2Pct: number;
  respRatePerMin: number;
  temperatureDeciC: number | null;
}

export interface ReadFlag {
  code: string;
  severity: "SOFT" | "HARD";
  raisedAtMs: number;
  acknowledgedAtMs: number | null;
  resolvedAtMs: number | null;
  /** Flag.status: active until acknowledged or resolved */
  active: boolean;
}

export interface ReadSession {
  sessionId: string;
  patient: { mrn: string; familyName: string; givenName: string; birthDate: string };
  encounterStatus: string;
  openedAtMs: number;
  /** Encounter.period.end: the STOP, else the completion; null while running */
  endMs: number | null;
  weightG: number;
  doseEvents: (DoseEventPoint & { type: DoseEventType })[];
  vitals: ReadVitals[];
  flags: ReadFlag[];
  /** recomputed from the dose events read back, to the end (or the bundle's timestamp while running) */
  totals: SessionTotals;
}

export class FhirReadError extends Error {}

function fail(what: string): never {
  throw new FhirReadError(`Cannot read the bundle back: ${what}`);
}

const ms = (iso: unknown, what: string): number => {
  const t = typeof iso === "string" ? Date.parse(iso) : NaN;
  return Number.isFinite(t) ? t : fail(`${what} is not a dateTime (${String(iso)})`);
};
const codings = (cc: unknown): Coding[] => ((cc as { coding?: Coding[] } | undefined)?.coding ?? []);
const codeIn = (cc: unknown, system: string) => codings(cc).find((c) => c.system === system)?.code;
const ref = (r: unknown) => (r as { reference?: string } | undefined)?.reference;
/** An exact integer from a FHIR decimal at `decimals` places (the value as JSON wrote it). */
const exact = (value: unknown, decimals: number, what: string): number =>
  (typeof value === "number" ? parseDecimalToScaledInt(value, decimals) : null) ?? fail(`${what} is not a decimal with at most ${decimals} places (${String(value)})`);
const whole = (q: unknown, what: string) => exact((q as Quantity | undefined)?.value, 0, what);

/** Reads every session (Encounter) of a collection Bundle written by lib/domain/fhir.ts. */
export function readSessionsFromBundle(bundle: unknown): ReadSession[] {
  const b = bundle as { resourceType?: string; timestamp?: string; entry?: { fullUrl?: string; resource?: Json }[] };
  if (b?.resourceType !== "Bundle" || !Array.isArray(b.entry)) fail("not a Bundle with entries");
  const nowMs = ms(b.timestamp, "Bundle.timestamp");
  const byUrl = new Map<string, Json>();
  for (const e of b.entry) if (e.fullUrl && e.resource) byUrl.set(e.fullUrl, e.resource);
  const resources = b.entry.map((e) => e.resource ?? fail("an entry without a resource"));
  const of = (type: string, encounterUrl: string) =>
    resources.filter((r) => r.resourceType === type && ref(type === "MedicationAdministration" ? r.context : r.encounter) === encounterUrl);

  return resources.filter((r) => r.resourceType === "Encounter").map((enc) => {
    const encUrl = `urn:uuid:${String(enc.id)}`;
    const sessionId = (enc.identifier as { system?: string; value?: string }[] | undefined)?.find((i) => i.system === TITRATE_SYSTEM.session)?.value
      ?? fail(`Encounter ${String(enc.id)} has no session identifier`);
    const pat = byUrl.get(ref(enc.subject) ?? "") ?? fail(`the Patient of session ${sessionId} is not in the bundle`);
    const name = (pat.name as { family?: string; given?: string[] }[] | undefined)?.[0];
    const mrn = (pat.identifier as { system?: string; value?: string }[] | undefined)?.find((i) => i.system === TITRATE_SYSTEM.mrn)?.value;
    const period = enc.period as { start?: string; end?: string } | undefined;
    const openedAtMs = ms(period?.start, "Encounter.period.start");
    const endMs = period?.end === undefined ? null : ms(period.end, "Encounter.period.end");
    const observations = of("Observation", encUrl);

    const weight = observations.find((o) => codeIn(o.code, LOINC) === VITAL_CODES.weight.code) ?? fail(`session ${sessionId} has no body weight`);
    // weight in kg with up to 3 decimals is exact grams
    const weightG = exact((weight.valueQuantity as Quantity | undefined)?.value, 3, "the body weight");

    const doseEvents = of("MedicationAdministration", encUrl).map((m) => {
      const type = codeIn(m.category, TITRATE_SYSTEM.doseEvent) as DoseEventType | undefined;
      if (!type || !DOSE_EVENT_TYPES.includes(type)) fail(`a MedicationAdministration without a dose event type (${String(type)})`);
      const effective = (m.effectivePeriod as { start?: string } | undefined)?.start ?? m.effectiveDateTime;
      const dosage = m.dosage as { rateQuantity?: Quantity; dose?: Quantity } | undefined;
      const atMs = ms(effective, "MedicationAdministration.effective");
      if (type === "BOLUS") {
        const bolusUg = ugFromMg(dosage?.dose?.value ?? NaN) ?? fail("a bolus without a dose in mg");
        return { type, atMs, rateUgPerKgPerH: null, bolusUg };
      }
      // START and RATE_CHANGE set the rate; RESUME runs again at the rate in force, PAUSE and STOP write 0
      const setsRate = type === "START" || type === "RATE_CHANGE";
      const rate = setsRate ? rateUgPerKgPerHFromMgPerKgPerH(dosage?.rateQuantity?.value ?? NaN) ?? fail(`a ${type} without a rate in mg/kg/h`) : null;
      return { type, atMs, rateUgPerKgPerH: rate, bolusUg: null };
    });

    const sets = new Map<string, Json[]>();
    for (const o of observations) {
      const id = (o.identifier as { system?: string; value?: string }[] | undefined)?.find((i) => i.system === TITRATE_SYSTEM.vitalSigns)?.value;
      if (id !== undefined) sets.set(id, [...(sets.get(id) ?? []), o]);
    }
    const vitals: ReadVitals[] = [...sets].map(([id, obs]) => {
      const by = (code: string) => obs.find((o) => codeIn(o.code, LOINC) === code);
      const bp = by(VITAL_CODES.bpPanel.code) ?? fail(`vital signs ${id} without a blood pressure panel`);
      const component = (code: string) => (bp.component as { code?: unknown; valueQuantity?: Quantity }[] | undefined)?.find((c) => codeIn(c.code, LOINC) === code)?.valueQuantity;
      const temperature = by(VITAL_CODES.temperature.code);
      return {
        id,
        atMs: ms(bp.effectiveDateTime, "vital signs time"),
        systolicMmHg: whole(component(VITAL_CODES.systolic.code), "systolic"),
        diastolicMmHg: whole(component(VITAL_CODES.diastolic.code), "diastolic"),
        heartRatePerMin: whole(by(VITAL_CODES.heartRate.code)?.valueQuantity, "heart rate"),
        spo2Pct: whole(by(VITAL_CODES.spo2.code)?.valueQuantity, "SpO2"),
        respRatePerMin: whole(by(VITAL_CODES.respRate.code)?.valueQuantity, "respiratory rate"),
        temperatureDeciC: temperature ? deciCFromC((temperature.valueQuantity as Quantity | undefined)?.value ?? NaN) ?? fail("a temperature in °C") : null,
      };
    });

    // R4's Flag has no element for an acknowledgement: fhir.ts writes it, and the resolution, in
    // Flag.code.text ("... Acknowledged by X at <dateTime>...", "Resolved at <dateTime>"); the
    // severity opens the text.
    const flags: ReadFlag[] = of("Flag", encUrl).map((f) => {
      const text = (f.code as { text?: string } | undefined)?.text ?? "";
      const severity = text.startsWith("HARD ") ? "HARD" : text.startsWith("SOFT ") ? "SOFT" : fail(`a Flag without its severity: ${text}`);
      const ack = /\. Acknowledged(?: by .+?)? at (\d{4}-\d\d-\d\dT[\d:]+[+-]\d\d:\d\d)/.exec(text);
      const resolved = /\. Resolved at (\d{4}-\d\d-\d\dT[\d:]+[+-]\d\d:\d\d)/.exec(text);
      return {
        code: codeIn(f.code, TITRATE_SYSTEM.flag) ?? fail("a Flag without its code"),
        severity,
        raisedAtMs: ms((f.period as { start?: string } | undefined)?.start, "Flag.period.start"),
        acknowledgedAtMs: ack ? ms(ack[1], "the acknowledgement time") : null,
        resolvedAtMs: resolved ? ms(resolved[1], "the resolution time") : null,
        active: f.status === "active",
      };
    });

    return {
      sessionId,
      patient: { mrn: mrn ?? fail("a Patient without its MRN"), familyName: name?.family ?? "", givenName: name?.given?.join(" ") ?? "", birthDate: String(pat.birthDate ?? "") },
      encounterStatus: String(enc.status),
      openedAtMs,
      endMs,
      weightG,
      doseEvents,
      vitals,
      flags,
      totals: sessionTotals(doseEvents, weightG, endMs ?? nowMs, openedAtMs, endMs),
    };
  });
}
