import { z } from "zod";
import {
  DEFAULT_SAFETY_SETTINGS, DOSE_BASES, validateProtocolLimits, type ProtocolLimits, type ProtocolRoute, type SafetySettings, type VitalsThresholds,
} from "@/lib/domain/protocol";
import { DOSE_DECIMALS, formatScaled, parseDecimalToScaledInt, RATE_DECIMALS, rateUgPerKgPerHFromMgPerKgPerH, ugFromMg, ugPerMlFromMgPerMl } from "@/lib/domain/units";
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

// Bolus fields reach 5 mg/kg: an oral protocol documents up to 1 mg/kg as one dose and holds
// its hard limit above it (2 mg/kg); the IV anaesthetic edge (1 mg/kg) is the route rule of
// validateProtocolLimits, not a bound of the field.
export const LIMIT_FIELDS: readonly LimitField[] = [
  { key: "softMinRateMgPerKgPerH", stored: "softMinRateUgPerKgPerH", label: "Documented rate, low", unit: "mg/kg/h", kind: "rate", required: false, group: "rate", max: 1 },
  { key: "softMaxRateMgPerKgPerH", stored: "softMaxRateUgPerKgPerH", label: "Documented rate, high", unit: "mg/kg/h", kind: "rate", required: false, group: "rate", max: 1 },
  { key: "startMinRateMgPerKgPerH", stored: "startMinRateUgPerKgPerH", label: "Start rate, low", unit: "mg/kg/h", kind: "rate", required: false, group: "rate", max: 1 },
  { key: "startMaxRateMgPerKgPerH", stored: "startMaxRateUgPerKgPerH", label: "Start rate, high", unit: "mg/kg/h", kind: "rate", required: false, group: "rate", max: 1 },
  { key: "hardMaxRateMgPerKgPerH", stored: "hardMaxRateUgPerKgPerH", label: "Hard limit, rate", unit: "mg/kg/h", kind: "rate", required: true, group: "rate", max: 1 },
  { key: "maxStepMgPerKgPerH", stored: "maxStepUgPerKgPerH", label: "Largest titration step", unit: "mg/kg/h", kind: "rate", required: false, group: "rate", max: 1 },
  { key: "softMaxBolusMgPerKg", stored: "softMaxBolusUgPerKg", label: "Documented bolus, high", unit: "mg/kg", kind: "perKg", required: false, group: "bolus", max: 5 },
  { key: "hardMaxBolusMgPerKg", stored: "hardMaxBolusUgPerKg", label: "Hard limit, bolus", unit: "mg/kg", kind: "perKg", required: true, group: "bolus", max: 5 },
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

/**
 * The drug library of a protocol version: the dosing-error guards' settings (docs/clinical-brief.md
 * "Safety guards in the style of smart-pump drug libraries [defaults unless marked]"; decision
 * 0009), in the unit an administrator reads them in. Left out, each takes its [default].
 * Standard concentrations are typed as text, "1, 2" (mg/mL).
 */
export interface SafetyField {
  key: string;
  stored: keyof SafetySettings;
  label: string;
  unit: string;
  kind: "int" | "mlPerH" | "concentrations";
  min: number;
  max: number;
}
export const SAFETY_FIELDS: readonly SafetyField[] = [
  { key: "standardConcentrationsMgPerMl", stored: "standardConcentrationsUgPerMl", label: "Standard concentrations", unit: "mg/mL, comma-separated", kind: "concentrations", min: 0.01, max: 49.99 },
  { key: "weightChangeConfirmPct", stored: "weightChangeConfirmPct", label: "Weight change needing a confirmation, above", unit: "%", kind: "int", min: 1, max: 100 },
  { key: "poundsTolerancePct", stored: "poundsTolerancePct", label: "\"Looks like pounds\" within", unit: "%", kind: "int", min: 1, max: 30 },
  { key: "pumpStepMlPerH", stored: "pumpStepCentiMlPerH", label: "Pump rate step", unit: "mL/h", kind: "mlPerH", min: 0.01, max: 1 },
  { key: "pumpRoundingTolerancePct", stored: "pumpRoundingTolerancePct", label: "Pump rounding tolerance", unit: "%", kind: "int", min: 1, max: 100 },
  { key: "bolusWindowMin", stored: "bolusWindowMin", label: "Boluses summed over", unit: "minutes", kind: "int", min: 1, max: 1440 },
  { key: "vitalsAfterIncreaseMin", stored: "vitalsAfterIncreaseMin", label: "Vitals due after a rate increase within", unit: "minutes", kind: "int", min: 1, max: 1440 },
  { key: "lowBaselinePainNrs", stored: "lowBaselinePainNrs", label: "Responder rule: pain before at least", unit: "NRS 0-10", kind: "int", min: 0, max: 10 },
];

/** "1, 2" or "1;2.5" -> [1, 2.5]; a part that is not a number stays NaN for the schema to refuse. */
function concentrationList(text: string): number[] {
  return text.split(/[,;\s]+/).filter((x) => x !== "").map((x) => (/^\d+(\.\d+)?$/.test(x) ? Number(x) : Number.NaN));
}

const safetyFieldSchema = (f: SafetyField): z.ZodType => {
  if (f.kind === "int") return wholeNumber(f.min, f.max, f.unit === "%" ? "%" : f.unit === "minutes" ? "minutes" : "").optional();
  if (f.kind === "mlPerH") return decimalQuantity({ decimals: 2, min: f.min, max: f.max, unit: "mL/h" }).optional();
  return z
    .union([z.string().transform(concentrationList), z.array(z.number())], { message: "must be concentrations in mg/mL, e.g. 1, 2" })
    .pipe(z.array(decimalQuantity({ decimals: 2, min: f.min, max: 100, unit: "mg/mL" })).min(1, "list at least one concentration").max(10, "at most 10 concentrations"))
    .optional();
};
const safetyShape = Object.fromEntries(SAFETY_FIELDS.map((f) => [f.key, safetyFieldSchema(f)])) as Record<string, z.ZodType>;

export const ProtocolLimitsInputSchema = z.strictObject({
  doseBasis: z.enum(DOSE_BASES as [string, ...string[]], { message: `must be one of ${DOSE_BASES.join(", ")}` }),
  ...limitsShape,
  ...safetyShape,
});
/** Limits in user units: numbers, or null/absent for "no limit". */
export type ProtocolLimitsInput = { doseBasis: ProtocolLimits["doseBasis"] } & Record<string, number | number[] | string | null | undefined>;

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
    if (typeof v !== "number") {
      out[f.stored] = Number.NaN;
      continue;
    }
    const converted = f.kind === "rate" ? rateUgPerKgPerHFromMgPerKgPerH(v) : f.kind === "int" ? v : ugFromMg(v); // mg/kg -> µg/kg scales like mg -> µg
    out[f.stored] = converted ?? Number.NaN;
  }
  for (const f of SAFETY_FIELDS) {
    const v = input[f.key];
    if (v === null || v === undefined || v === "") {
      out[f.stored] = f.kind === "concentrations" ? [...DEFAULT_SAFETY_SETTINGS.standardConcentrationsUgPerMl] : DEFAULT_SAFETY_SETTINGS[f.stored];
    } else if (f.kind === "concentrations") {
      const list = typeof v === "string" ? concentrationList(v) : Array.isArray(v) ? v : [v];
      out[f.stored] = list.map((x) => ugPerMlFromMgPerMl(x) ?? Number.NaN);
    } else if (typeof v !== "number") {
      out[f.stored] = Number.NaN;
    } else if (f.kind === "mlPerH") {
      out[f.stored] = parseDecimalToScaledInt(v, 2) ?? Number.NaN; // hundredths of mL/h
    } else {
      out[f.stored] = v;
    }
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
  const settings = { ...DEFAULT_SAFETY_SETTINGS, ...Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined && v !== null)) } as SafetySettings;
  for (const f of SAFETY_FIELDS) {
    const v = settings[f.stored];
    out[f.key] = f.kind === "concentrations"
      ? (v as number[]).map((c) => trimZeros(formatScaled(c, 3, 2))).join(", ")
      : f.kind === "mlPerH" ? formatScaled(v as number, 2, 2) : String(v);
  }
  return out;
}

function scaled(v: number): string {
  const negative = v < 0;
  const digits = String(Math.abs(v)).padStart(4, "0");
  return `${negative ? "-" : ""}${digits.slice(0, -3)}.${digits.slice(-3)}`;
}
const trimZeros = (s: string) => s.replace(/\.?0+$/, "");

/**
 * validateProtocolLimits' messages keyed by the input field the user typed in. The route
 * matters: the anaesthetic edge is an IV limit, so an oral protocol's documented dose must not
 * be refused on edit (docs/clinical-brief.md "Safety guards in the style of smart-pump drug
 * libraries [defaults unless marked]").
 */
export function protocolLimitErrors(l: ProtocolLimits, route: ProtocolRoute = "IV"): Record<string, string> {
  const errors = validateProtocolLimits(l, route);
  const out: Record<string, string> = {};
  for (const [stored, message] of Object.entries(errors)) {
    const f = LIMIT_FIELDS.find((x) => x.stored === stored) ?? SAFETY_FIELDS.find((x) => x.stored === stored);
    out[f ? f.key : stored] = message;
  }
  return out;
}
