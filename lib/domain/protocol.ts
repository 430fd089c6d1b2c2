// A protocol's limits as a plain object, one field per ProtocolVersion column of
// prisma/schema.prisma. All dose fields are integers in stored units (decision 0002).

export type DoseBasis = "RATE_PER_KG" | "AMOUNT_PER_KG" | "FIXED_TOTAL" | "DAILY_PER_KG" | "PER_DOSE_PER_KG";

export const DOSE_BASES: readonly DoseBasis[] = [
  "RATE_PER_KG",
  "AMOUNT_PER_KG",
  "FIXED_TOTAL",
  "DAILY_PER_KG",
  "PER_DOSE_PER_KG",
];

/** The route a protocol is given by (docs/clinical-brief.md "Documented ranges to seed as protocols [doc]"). */
export type ProtocolRoute = "IV" | "PO" | "IN";

export const PROTOCOL_ROUTES: readonly ProtocolRoute[] = ["IV", "PO", "IN"];

/**
 * Dosing-error guards in the style of smart-pump drug libraries (docs/clinical-brief.md
 * "Safety guards in the style of smart-pump drug libraries [defaults unless marked]"). Every value is a [default]
 * clinic setting, editable per protocol version; none comes from the source documents.
 * See docs/decisions/0009-flags-over-the-timeline.md for each one's reason.
 */
export interface SafetySettings {
  /** a session weight more than this % away from the patient's last one needs a confirmed reason */
  weightChangeConfirmPct: number;
  /** a weight within this % of last × 2.2046 "looks like pounds" and is refused unless confirmed */
  poundsTolerancePct: number;
  /** the drug library: concentrations the clinic prepares, µg/mL; any other needs a reason */
  standardConcentrationsUgPerMl: number[];
  /** the pump's rate step in hundredths of mL/h (10 = 0.1 mL/h, large-volume pump; 1 = 0.01 mL/h, syringe pump) */
  pumpStepCentiMlPerH: number;
  /** the dose the rounded pump rate delivers may differ from the ordered one by at most this % */
  pumpRoundingTolerancePct: number;
  /** boluses are summed over a rolling window of this many minutes against the bolus limits */
  bolusWindowMin: number;
  /** after a rate increase the next vitals set is due within this many minutes */
  vitalsAfterIncreaseMin: number;
  /** a session whose pre-infusion pain is below this (0-10 grid) is left out of the responder rule */
  lowBaselinePainNrs: number;
}

/**
 * [default] docs/clinical-brief.md "Safety guards in the style of smart-pump drug libraries [defaults unless marked]" and decision 0009: weight change 10%, pounds
 * within 3% of last × 2.2046, standard concentrations 1 and 2 mg/mL, pump step 0.1 mL/h,
 * rounding tolerance 5%, bolus window 60 min, vitals 5 min after an increase, low pain
 * baseline 4/10.
 */
export const DEFAULT_SAFETY_SETTINGS: Readonly<SafetySettings> = Object.freeze({
  weightChangeConfirmPct: 10,
  poundsTolerancePct: 3,
  standardConcentrationsUgPerMl: [1000, 2000],
  pumpStepCentiMlPerH: 10,
  pumpRoundingTolerancePct: 5,
  bolusWindowMin: 60,
  vitalsAfterIncreaseMin: 5,
  lowBaselinePainNrs: 4,
});

/**
 * Ketamine is stocked as 10, 50 and 100 mg/mL vials (docs/clinical-brief.md "Safety guards
 * in the style of smart-pump drug libraries [defaults unless marked]"): 50 and 100 mg/mL are undiluted stock, never an
 * infusion concentration, so charting one is a hard stop. Not a setting: it is the product.
 */
export const STOCK_VIAL_CONCENTRATIONS_UG_PER_ML: readonly number[] = Object.freeze([50_000, 100_000]);

/** The guard settings of a protocol version, each missing one at its [default]. */
export function safetySettingsOf(l: Partial<SafetySettings>): SafetySettings {
  const d = DEFAULT_SAFETY_SETTINGS;
  return {
    weightChangeConfirmPct: l.weightChangeConfirmPct ?? d.weightChangeConfirmPct,
    poundsTolerancePct: l.poundsTolerancePct ?? d.poundsTolerancePct,
    // a copy: the default list is shared and must never be changed through one protocol
    standardConcentrationsUgPerMl: [...(l.standardConcentrationsUgPerMl ?? d.standardConcentrationsUgPerMl)],
    pumpStepCentiMlPerH: l.pumpStepCentiMlPerH ?? d.pumpStepCentiMlPerH,
    pumpRoundingTolerancePct: l.pumpRoundingTolerancePct ?? d.pumpRoundingTolerancePct,
    bolusWindowMin: l.bolusWindowMin ?? d.bolusWindowMin,
    vitalsAfterIncreaseMin: l.vitalsAfterIncreaseMin ?? d.vitalsAfterIncreaseMin,
    lowBaselinePainNrs: l.lowBaselinePainNrs ?? d.lowBaselinePainNrs,
  };
}

/**
 * A protocol version's limits. The guard settings are optional until their columns exist
 * (the database keeps today's rows valid); read them through safetySettingsOf().
 */
export interface ProtocolLimits extends Partial<SafetySettings> {
  doseBasis: DoseBasis;
  /** documented (soft) range for rates after the start, µg/kg/h */
  softMinRateUgPerKgPerH: number | null;
  softMaxRateUgPerKgPerH: number | null;
  /** documented start range, when the source gives one apart from the titration ceiling */
  startMinRateUgPerKgPerH: number | null;
  startMaxRateUgPerKgPerH: number | null;
  /** at or above needs a physician's override */
  hardMaxRateUgPerKgPerH: number;
  softMaxBolusUgPerKg: number | null;
  /** at or above needs a physician's override */
  hardMaxBolusUgPerKg: number;
  maxStepUgPerKgPerH: number | null;
  maxCumulativeUgPerKg: number | null;
  maxCumulativeUg: number | null;
  minDurationMin: number | null;
  maxDurationMin: number | null;
  defaultPlannedSessions: number | null;
  minIntervalHours: number | null;
  maxSessionsPer7Days: number | null;
  vitalsIntervalMin: number;
  sbpHighMmHg: number;
  dbpHighMmHg: number;
  bpRisePct: number;
  hrHighPerMin: number;
  hrLowPerMin: number;
  spo2LowPct: number;
  rrLowPerMin: number;
  rrHighPerMin: number;
}

/**
 * 1 mg/kg/h: docs/clinical-brief.md's default hard limit, the edge of the anesthetic range (source 000:
 * "far lower than the 1 to 4.5 mg/kg typically used for anesthesia").
 */
export const ANESTHETIC_RATE_UG_PER_KG_PER_H = 1000;
/** 1 mg/kg: a single bolus at or above it is in the anesthetic range (source 000, as above). */
export const ANESTHETIC_BOLUS_UG_PER_KG = 1000;

export type VitalsThresholds = Pick<
  ProtocolLimits,
  | "vitalsIntervalMin"
  | "sbpHighMmHg"
  | "dbpHighMmHg"
  | "bpRisePct"
  | "hrHighPerMin"
  | "hrLowPerMin"
  | "spo2LowPct"
  | "rrLowPerMin"
  | "rrHighPerMin"
>;

/**
 * [default] values from docs/clinical-brief.md "What is monitored" (clinic defaults, not from the source
 * documents): vitals at least every 15 min; SBP >= 160, DBP >= 100, rise >= 20% from
 * baseline; HR >= 120 or <= 50; SpO2 < 92%; RR < 10 or > 24. Same as the schema defaults.
 */
export const DEFAULT_VITALS_THRESHOLDS: Readonly<VitalsThresholds> = Object.freeze({
  vitalsIntervalMin: 15,
  sbpHighMmHg: 160,
  dbpHighMmHg: 100,
  bpRisePct: 20,
  hrHighPerMin: 120,
  hrLowPerMin: 50,
  spo2LowPct: 92,
  rrLowPerMin: 10,
  rrHighPerMin: 24,
});

/**
 * What a new protocol's form starts from: clinic defaults, not limits from any source
 * document. No documented range, titration step, cumulative or duration limit until the
 * protocol's author enters them from its source; hard limits at the edge of the anesthetic
 * range, the highest a protocol may set (docs/clinical-brief.md "Safety guards in the style
 * of smart-pump drug libraries"); vitals thresholds from "What is monitored", which the
 * clinic's own settings replace where it has set them.
 */
export const NEW_PROTOCOL_DEFAULT_LIMITS: Readonly<ProtocolLimits> = Object.freeze({
  doseBasis: "RATE_PER_KG",
  softMinRateUgPerKgPerH: null,
  softMaxRateUgPerKgPerH: null,
  startMinRateUgPerKgPerH: null,
  startMaxRateUgPerKgPerH: null,
  hardMaxRateUgPerKgPerH: ANESTHETIC_RATE_UG_PER_KG_PER_H,
  softMaxBolusUgPerKg: null,
  hardMaxBolusUgPerKg: ANESTHETIC_BOLUS_UG_PER_KG,
  maxStepUgPerKgPerH: null,
  maxCumulativeUgPerKg: null,
  maxCumulativeUg: null,
  minDurationMin: null,
  maxDurationMin: null,
  defaultPlannedSessions: null,
  minIntervalHours: null,
  maxSessionsPer7Days: null,
  ...DEFAULT_VITALS_THRESHOLDS,
});

type NullableIntField = {
  [K in keyof ProtocolLimits]-?: ProtocolLimits[K] extends number | null ? K : never;
}[keyof ProtocolLimits];

/**
 * Field -> message for limits that contradict each other or make no sense; {} when valid.
 * Checks: integers; positive numbers; low <= high; the start range inside the soft range;
 * soft limits below the hard limit (at the hard limit the top of the documented range would
 * itself need an override); hard limits not above the anesthetic edge (docs/clinical-brief.md: a
 * protocol may set a lower hard limit, not a higher one); the titration step below the hard
 * rate; a fixed-total protocol gives its ceiling in mg; vitals thresholds inside physiology
 * and low <= high.
 */
export function validateProtocolLimits(l: ProtocolLimits, route: ProtocolRoute = "IV"): Record<string, string> {
  const errors: Record<string, string> = {};
  const fail = (field: keyof ProtocolLimits, message: string) => {
    if (!(field in errors)) errors[field] = message;
  };

  const nullablePositive: NullableIntField[] = [
    "softMinRateUgPerKgPerH",
    "softMaxRateUgPerKgPerH",
    "startMinRateUgPerKgPerH",
    "startMaxRateUgPerKgPerH",
    "softMaxBolusUgPerKg",
    "maxStepUgPerKgPerH",
    "maxCumulativeUgPerKg",
    "maxCumulativeUg",
    "minDurationMin",
    "maxDurationMin",
    "defaultPlannedSessions",
    "minIntervalHours",
    "maxSessionsPer7Days",
  ];
  const requiredPositive: NullableIntField[] = [
    "hardMaxRateUgPerKgPerH",
    "hardMaxBolusUgPerKg",
    "vitalsIntervalMin",
    "sbpHighMmHg",
    "dbpHighMmHg",
    "bpRisePct",
    "hrHighPerMin",
    "hrLowPerMin",
    "spo2LowPct",
    "rrLowPerMin",
    "rrHighPerMin",
  ];
  // an optional limit may be left empty (no limit); a set one, like every required one, is a whole number above 0
  const positive = (field: NullableIntField, required: boolean) => {
    const value = l[field];
    if (value === null && !required) return;
    if (value === null || !Number.isSafeInteger(value)) fail(field, "must be a whole number");
    else if (value <= 0) fail(field, "must be above 0");
  };
  for (const field of nullablePositive) positive(field, false);
  for (const field of requiredPositive) positive(field, true);
  if (!DOSE_BASES.includes(l.doseBasis)) errors.doseBasis = "is not a known dose basis";

  const ordered = (lowField: keyof ProtocolLimits, highField: keyof ProtocolLimits, message: string) => {
    const low = l[lowField];
    const high = l[highField];
    if (typeof low === "number" && typeof high === "number" && low > high) fail(highField, message);
  };
  ordered("softMinRateUgPerKgPerH", "softMaxRateUgPerKgPerH", "must not be below the documented minimum rate");
  ordered("startMinRateUgPerKgPerH", "startMaxRateUgPerKgPerH", "must not be below the minimum start rate");
  ordered("minDurationMin", "maxDurationMin", "must not be below the minimum duration");
  ordered("hrLowPerMin", "hrHighPerMin", "must be above the low heart-rate threshold");
  ordered("rrLowPerMin", "rrHighPerMin", "must be above the low respiratory-rate threshold");
  ordered("dbpHighMmHg", "sbpHighMmHg", "must be above the diastolic threshold");

  // The start range is part of the documented span (CRPS multi-day: 0.1-0.3 inside 0.1-0.7).
  if (l.startMinRateUgPerKgPerH !== null && l.softMinRateUgPerKgPerH !== null && l.startMinRateUgPerKgPerH < l.softMinRateUgPerKgPerH) {
    fail("startMinRateUgPerKgPerH", "must be inside the documented rate range");
  }
  if (l.startMaxRateUgPerKgPerH !== null && l.softMaxRateUgPerKgPerH !== null && l.startMaxRateUgPerKgPerH > l.softMaxRateUgPerKgPerH) {
    fail("startMaxRateUgPerKgPerH", "must be inside the documented rate range");
  }

  const belowHard = (field: NullableIntField, hard: number, label: string) => {
    const value = l[field];
    if (value !== null && value >= hard) fail(field, `must be below the hard limit (${label})`);
  };
  belowHard("softMaxRateUgPerKgPerH", l.hardMaxRateUgPerKgPerH, "rate");
  belowHard("softMinRateUgPerKgPerH", l.hardMaxRateUgPerKgPerH, "rate");
  belowHard("startMaxRateUgPerKgPerH", l.hardMaxRateUgPerKgPerH, "rate");
  belowHard("startMinRateUgPerKgPerH", l.hardMaxRateUgPerKgPerH, "rate");
  belowHard("softMaxBolusUgPerKg", l.hardMaxBolusUgPerKg, "bolus");
  // A single titration step at or above the hard limit could only be taken with an override.
  const step = l.maxStepUgPerKgPerH;
  if (step !== null && Number.isSafeInteger(step) && step >= l.hardMaxRateUgPerKgPerH) {
    fail("maxStepUgPerKgPerH", "must be below the hard limit (rate)");
  }
  // Units consistent with the dose basis: a fixed-total protocol is documented in mg per
  // session (source 003: "80 mg over 5 h"), so its ceiling must be given in mg.
  if (l.doseBasis === "FIXED_TOTAL" && l.maxCumulativeUg === null) {
    fail("maxCumulativeUg", "is required for a fixed-total protocol (mg per session)");
  }
  // The anaesthetic edge is an intravenous figure (docs/clinical-brief.md "Safety guards in
  // the style of smart-pump drug libraries [defaults unless marked]": oral bioavailability is
  // low), so only an IV
  // protocol is held under it; an oral protocol documents 1 mg/kg per day as one dose.
  if (route === "IV" && l.hardMaxRateUgPerKgPerH > ANESTHETIC_RATE_UG_PER_KG_PER_H) {
    fail("hardMaxRateUgPerKgPerH", "must not be above 1.000 mg/kg/h, the edge of the anesthetic range");
  }
  if (route === "IV" && l.hardMaxBolusUgPerKg > ANESTHETIC_BOLUS_UG_PER_KG) {
    fail("hardMaxBolusUgPerKg", "must not be above 1.000 mg/kg, the edge of the anesthetic range");
  }
  validateSafetySettings(l, fail);

  // Vitals thresholds must be reachable values (bounds as in vitals.ts).
  if (l.vitalsIntervalMin > 24 * 60) fail("vitalsIntervalMin", "must be at most 1440 minutes");
  if (l.spo2LowPct > 100) fail("spo2LowPct", "must be at most 100%");
  if (l.bpRisePct > 200) fail("bpRisePct", "must be at most 200%");
  if (l.sbpHighMmHg > 300) fail("sbpHighMmHg", "must be at most 300 mmHg");
  if (l.dbpHighMmHg > 200) fail("dbpHighMmHg", "must be at most 200 mmHg");
  if (l.hrHighPerMin > 250) fail("hrHighPerMin", "must be at most 250/min");
  if (l.rrHighPerMin > 80) fail("rrHighPerMin", "must be at most 80/min");
  if (l.maxSessionsPer7Days !== null && l.maxSessionsPer7Days > 7 * 24) {
    fail("maxSessionsPer7Days", "must be at most 168");
  }
  return errors;
}

function validateSafetySettings(l: Partial<SafetySettings>, fail: (field: keyof ProtocolLimits, message: string) => void): void {
  const percent = (field: "weightChangeConfirmPct" | "poundsTolerancePct" | "pumpRoundingTolerancePct", max: number) => {
    const value = l[field];
    if (value === undefined) return;
    if (!Number.isSafeInteger(value) || value <= 0 || value > max) fail(field, `must be a whole number from 1 to ${max}`);
  };
  percent("weightChangeConfirmPct", 100);
  // Above ~30% the "pounds" band (last × 2.2046 ± tolerance) would reach weights near the last one.
  percent("poundsTolerancePct", 30);
  percent("pumpRoundingTolerancePct", 100);
  const minutes = (field: "bolusWindowMin" | "vitalsAfterIncreaseMin", max: number) => {
    const value = l[field];
    if (value === undefined) return;
    if (!Number.isSafeInteger(value) || value <= 0 || value > max) fail(field, `must be a whole number of minutes from 1 to ${max}`);
  };
  minutes("bolusWindowMin", 24 * 60);
  minutes("vitalsAfterIncreaseMin", 24 * 60);
  if (l.pumpStepCentiMlPerH !== undefined && (!Number.isSafeInteger(l.pumpStepCentiMlPerH) || l.pumpStepCentiMlPerH <= 0 || l.pumpStepCentiMlPerH > 100)) {
    fail("pumpStepCentiMlPerH", "must be 0.01 to 1.00 mL/h");
  }
  if (l.lowBaselinePainNrs !== undefined && (!Number.isSafeInteger(l.lowBaselinePainNrs) || l.lowBaselinePainNrs < 0 || l.lowBaselinePainNrs > 10)) {
    fail("lowBaselinePainNrs", "must be a whole number from 0 to 10");
  }
  const standard = l.standardConcentrationsUgPerMl;
  if (standard !== undefined) {
    if (standard.length === 0) fail("standardConcentrationsUgPerMl", "must list at least one concentration");
    else if (standard.some((c) => !Number.isSafeInteger(c) || c <= 0 || c % 10 !== 0)) {
      fail("standardConcentrationsUgPerMl", "must be concentrations above 0 in 0.01 mg/mL steps");
    } else if (standard.some((c) => STOCK_VIAL_CONCENTRATIONS_UG_PER_ML.includes(c))) {
      fail("standardConcentrationsUgPerMl", "must not list 50 or 100 mg/mL: those are undiluted stock vials");
    }
  }
}

export interface DocumentedBand {
  minUgPerKgPerH: number | null;
  maxUgPerKgPerH: number | null;
  startMinUgPerKgPerH: number | null;
  startMaxUgPerKgPerH: number | null;
  hardMaxUgPerKgPerH: number;
}

/** The rate band a chart draws: documented span, start range and hard line, µg/kg/h. */
export function documentedBand(l: ProtocolLimits): DocumentedBand {
  return {
    minUgPerKgPerH: l.softMinRateUgPerKgPerH,
    maxUgPerKgPerH: l.softMaxRateUgPerKgPerH,
    startMinUgPerKgPerH: l.startMinRateUgPerKgPerH,
    startMaxUgPerKgPerH: l.startMaxRateUgPerKgPerH,
    hardMaxUgPerKgPerH: l.hardMaxRateUgPerKgPerH,
  };
}
