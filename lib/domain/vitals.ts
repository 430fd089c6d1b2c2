// Physiologically possible bounds: outside them a reading is a typing error and is REJECTED
// with a field message (STYLE.md: impossible values are rejected; out-of-range but possible
// values are saved and flagged by flags.ts). Integers in stored units.

export interface Bound {
  min: number;
  max: number;
}

export const VITALS_BOUNDS = {
  systolicMmHg: { min: 40, max: 300 },
  diastolicMmHg: { min: 20, max: 200 },
  heartRatePerMin: { min: 20, max: 250 },
  spo2Pct: { min: 50, max: 100 },
  respRatePerMin: { min: 0, max: 80 },
  /** 30.0-45.0 °C in tenths */
  temperatureDeciC: { min: 300, max: 450 },
  /** Richmond Agitation-Sedation Scale */
  sedationRass: { min: -5, max: 4 },
} as const satisfies Record<string, Bound>;

export type VitalsField = keyof typeof VITALS_BOUNDS;

export interface VitalsInputValues {
  systolicMmHg: number | null | undefined;
  diastolicMmHg: number | null | undefined;
  heartRatePerMin: number | null | undefined;
  spo2Pct: number | null | undefined;
  respRatePerMin: number | null | undefined;
  temperatureDeciC?: number | null;
  sedationRass?: number | null;
}

const UNITS: Record<VitalsField, string> = {
  systolicMmHg: " mmHg",
  diastolicMmHg: " mmHg",
  heartRatePerMin: "/min",
  spo2Pct: "%",
  respRatePerMin: "/min",
  temperatureDeciC: "",
  sedationRass: "",
};

const REQUIRED: VitalsField[] = ["systolicMmHg", "diastolicMmHg", "heartRatePerMin", "spo2Pct", "respRatePerMin"];
const OPTIONAL: VitalsField[] = ["temperatureDeciC", "sedationRass"];

function boundText(field: VitalsField): string {
  const bound = VITALS_BOUNDS[field];
  if (field === "temperatureDeciC") return `${bound.min / 10}-${bound.max / 10} °C`;
  return `${bound.min} to ${bound.max}${UNITS[field]}`;
}

/**
 * Field -> message for readings that cannot be real; {} when plausible. Required fields
 * must be whole numbers inside VITALS_BOUNDS (bounds inclusive); temperature and sedation
 * may be absent. Diastolic must be below systolic.
 */
export function validateVitalsPlausibility(v: VitalsInputValues): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of [...REQUIRED, ...OPTIONAL]) {
    const value = v[field];
    if (value === null || value === undefined) {
      if (REQUIRED.includes(field)) errors[field] = "is required";
      continue;
    }
    if (!Number.isSafeInteger(value)) {
      errors[field] = "must be a whole number";
      continue;
    }
    const bound = VITALS_BOUNDS[field];
    if (value < bound.min || value > bound.max) errors[field] = `must be ${boundText(field)}`;
  }
  const systolic = v.systolicMmHg;
  const diastolic = v.diastolicMmHg;
  if (!errors.diastolicMmHg && !errors.systolicMmHg && typeof systolic === "number" && typeof diastolic === "number" && diastolic >= systolic) {
    errors.diastolicMmHg = "diastolic must be below systolic";
  }
  return errors;
}
