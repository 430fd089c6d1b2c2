import { z } from "zod";
import { DOSE_BASES, validateProtocolLimits, type ProtocolLimits, type SafetySettings, type VitalsThresholds } from "@/lib/domain/protocol";
import { DOSE_DECIMALS, RATE_DECIMALS, rateUgPerKgPerHFromMgPerKgPerH, ugFromMg } from "@/lib/domain/units";
import { clinicalText, decimalQuantity, wholeNumber } from "./common";

/**
 * Every editable limit of a protocol version in the unit a clinician reads it in, with the
 * stored field it becomes. The form, the JSON API and the server share this table, so a
 * field message always names the field the user typed in.
 */
type Kind = "rate" | "perKg" | "mg" | "int";
export interface LimitField {
  /** input name (user units) */
  key: string;
  /** ProtocolLimits field (stored units, decision 0002) */
  stored: Exclude<keyof ProtocolLimits, "doseBasis" | keyof SafetySettings>;
  label: string;
  unit: string;
  kind: Kind;
  required: boolean;
  group: "rate" | "bolus" | "session" | "schedule" | "vitals";
  max: number;
}

export const LIMIT_FIELDS: readonly LimitField[] = [
  { key: "softMinRateMgPerKgPerH", stored: "softMinRateUgPerKgPerH", label: "Documented rate, low", unit: "mg/kg/h", kind: "rate", required: false, group: "rate", max: 1 },
  { key: "softMaxRateMgPerKgPerH", stored: "softMaxRateUgPerKgPerH", label: "Documented rate, high", unit: "mg/kg/h", kind: "rate", required: false, group: "rate", max: 1 },
  { key: "startMinRateMgPerKgPerH", stored: "startMinRateUgPerKgPerH", label: "Start rate, low", unit: "mg/kg/h", kind: "rate", required: false, group: "rate", max: 1 },
  { key: "startMaxRateMgPerKgPerH", stored: "startMaxRateUgPerKgPerH", label: "Start rate, high", unit: "mg/kg/h", kind: "rate", required: false, group: "rate", max: 1 },
  { key: "hardMaxRateMgPerKgPerH", stored: "hardMaxRateUgPerKgPerH", label: "Hard limit, rate", unit: "mg/kg/h", kind: "rate", required: true, group: "rate", max: 1 },
  { key: "maxStepMgPerKgPerH", stored: "maxStepUgPerKgPerH", label: "Largest titration step", unit: "mg/kg/h", kind: "rate", required: false, group: "rate", max: 1 },
  { key: "softMaxBolusMgPerKg", stored: "softMaxBolusUgPerKg", label: "Documented bolus, high", unit: "mg/kg", kind: "perKg", required: false, group: "bolus", max: 1 },
  { key: "hardMaxBolusMgPerKg", stored: "hardMaxBolusUgPerKg", label: "Hard limit, bolus", unit: "mg/kg", kind: "perKg", required: true, group: "bolus", max: 1 },
  { key: "maxCumulativeMgPerKg", stored: "maxCumulativeUgPerKg", label: "Cumulative dose per session", unit: "mg/kg", kind: "perKg", required: false, group: "session", max: 100 },
  { key: "maxCumulativeMg", stored: "maxCumulativeUg", label: "Cumulative dose per session", unit: "mg", kind: "mg", required: false, group: "session", max: 10_000 },
  { key: "minDurationMin", stored: "minDurationMin", label: "Duration, shortest", unit: "minutes", kind: "int", required: false, group: "session", max: 10_080 },
  { key: "maxDurationMin", stored: "maxDurationMin", label: "Duration, longest", unit: "minutes", kind: "int", required: false, group: "session", max: 10_080 },
  { key: "defaultPlannedSessions", stored: "defaultPlannedSessions", label: "Sessions in a series", unit: "sessions", kind: "int", required: false, group: "schedule", max: 60 },
  { key: "minIntervalHours", stored: "minIntervalHours", label: "Interval between sessions, shortest", unit: "hours", kind: "int", required: false, group: "schedule", max: 8760 },
  { key: "maxSessionsPer7Days", stored: "maxSessionsPer7Days", label: "Sessions per 7 days, most", unit: "sessions", kind: "int", required: false, group: "schedule", max: 168 },
  { key: "vitalsIntervalMin", stored: "vitalsIntervalMin", label: "Vitals at least every", unit: "minutes", kind: "int", required: false, group: "vitals", max: 1440 },
  { key: "sbpHighMmHg", stored: "sbpHighMmHg", label: "Systolic at or above", unit: "mmHg", kind: "int", required: false, group: "vitals", max: 300 },
  { key: "dbpHighMmHg", stored: "dbpHighMmHg", label: "Diastolic at or above", unit: "mmHg", kind: "int", required: false, group: "vitals", max: 200 },
  { key: "bpRisePct", stored: "bpRisePct", label: "Blood pressure rise from baseline", unit: "%", kind: "int", required: false, group: "vitals", max: 200 },
  { key: "hrHighPerMin", stored: "hrHighPerMin", label: "Heart rate at or above", unit: "/min", kind: "int", required: false, group: "vitals", max: 250 },
  { key: "hrLowPerMin", stored: "hrLowPerMin", label: "Heart rate at or below", unit: "/min", kind: "int", required: false, group: "vitals", max: 250 },
  { key: "spo2LowPct", stored: "spo2LowPct", label: "SpO₂ below", unit: "%", kind: "int", required: false, group: "vitals", max: 100 },
  { key: "rrLowPerMin", stored: "rrLowPerMin", label: "Respiratory rate below", unit: "/min", kind: "int", required: false, group: "vitals", max: 80 },
  { key: "rrHighPerMin", stored: "rrHighPerMin", label: "Respiratory rate above", unit: "/min", kind: "int", required: false, group: "vitals", max: 80 },
];

const fieldSchema = (f: LimitField) => {
  const base =
    f.kind === "int"
      ? wholeNumber(1, f.max, f.unit)
      : decimalQuantity({ decimals: f.kind === "rate" ? RATE_DECIMALS : DOSE_DECIMALS, min: 0, max: f.max, unit: f.unit });
  // Vitals fields may be left out: the clinic's defaults fill them (clinic settings).
  return f.required ? base : base.nullish();
};

const limitsShape = Object.fromEntries(LIMIT_FIELDS.map((f) => [f.key, fieldSchema(f)])) as Record<string, z.ZodType>;

export const ProtocolLimitsInputSchema = z.strictObject({
  doseBasis: z.enum(DOSE_BASES as [string, ...string[]], { message: `must be one of ${DOSE_BASES.join(", ")}` }),
  ...limitsShape,
});
/** Limits in user units: numbers, or null/absent for "no limit". */
export type ProtocolLimitsInput = { doseBasis: ProtocolLimits["doseBasis"] } & Record<string, number | null | undefined>;

const versionText = {
  sourceDocument: clinicalText(300).pipe(z.string().min(3, "name the source document (at least 3 characters)")),
  sourceWording: clinicalText(4000).pipe(z.string().min(3, "quote the source's wording (at least 3 characters)")),
  limitRationale: clinicalText(4000).optional(),
};

export const NewProtocolVersionSchema = ProtocolLimitsInputSchema.extend(versionText);
export type NewProtocolVersionInput = z.infer<typeof NewProtocolVersionSchema> & ProtocolLimitsInput;

export const CreateProtocolSchema = NewProtocolVersionSchema.extend({
  name: clinicalText(120).pipe(z.string().min(3, "is required (at least 3 characters)")),
  indication: clinicalText(200).pipe(z.string().min(2, "is required")),
  route: z.enum(["IV", "PO", "IN"], { message: "must be IV, PO or IN" }),
});
export type CreateProtocolInput = z.infer<typeof CreateProtocolSchema> & ProtocolLimitsInput;

/**
 * User-unit input -> stored limits, converted exactly (units.ts). Absent vitals fields take
 * `vitalsDefaults` (the clinic's). A value that does not convert (too many decimals) is left
 * for the schema to report and becomes NaN here, so validation can never pass on it.
 */
export function limitsFromInput(input: ProtocolLimitsInput, vitalsDefaults: VitalsThresholds): ProtocolLimits {
  const out: Record<string, unknown> = { doseBasis: input.doseBasis };
  for (const f of LIMIT_FIELDS) {
    const v = input[f.key];
    if (v === null || v === undefined) {
      out[f.stored] = f.group === "vitals" ? vitalsDefaults[f.stored as keyof VitalsThresholds] : null;
      continue;
    }
    const converted = f.kind === "rate" ? rateUgPerKgPerHFromMgPerKgPerH(v) : f.kind === "int" ? v : ugFromMg(v); // mg/kg -> µg/kg scales like mg -> µg
    out[f.stored] = converted ?? Number.NaN;
  }
  return out as unknown as ProtocolLimits;
}

/** Stored limits -> user-unit strings for a form (exact, via units.ts formatting). */
export function inputFromLimits(l: ProtocolLimits): Record<string, string> {
  const out: Record<string, string> = { doseBasis: l.doseBasis };
  for (const f of LIMIT_FIELDS) {
    const v = l[f.stored];
    out[f.key] = v === null ? "" : f.kind === "int" ? String(v) : trimZeros(scaled(v));
  }
  return out;
}

function scaled(v: number): string {
  const negative = v < 0;
  const digits = String(Math.abs(v)).padStart(4, "0");
  return `${negative ? "-" : ""}${digits.slice(0, -3)}.${digits.slice(-3)}`;
}
const trimZeros = (s: string) => s.replace(/\.?0+$/, "");

/** validateProtocolLimits' messages keyed by the input field the user typed in. */
export function protocolLimitErrors(l: ProtocolLimits): Record<string, string> {
  const errors = validateProtocolLimits(l);
  const out: Record<string, string> = {};
  for (const [stored, message] of Object.entries(errors)) {
    const f = LIMIT_FIELDS.find((x) => x.stored === stored);
    out[f ? f.key : stored] = message;
  }
  return out;
}
