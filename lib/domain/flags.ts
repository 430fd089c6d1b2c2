// The one clinical rule engine: the form runs it as the nurse types (live badge) and the
// server runs it again on submit and stores what it computed (STYLE.md). Every threshold
// is an integer comparison in stored units, through limits.ts classify() where it is a
// range. A SOFT flag needs the nurse's reason and a physician's acknowledgement; a HARD
// flag needs a physician's override (docs/clinical-brief.md "Reading the ranges as limits").

import { type DoseEventPoint, integrateDose, lastSetRateUgPerKgPerH } from "./dose";
import { classify, type LimitZone } from "./limits";
import { ANESTHETIC_BOLUS_UG_PER_KG, ANESTHETIC_RATE_UG_PER_KG_PER_H, type ProtocolLimits, type ProtocolRoute } from "./protocol";
import { SEVERE_SIDE_EFFECT_SEVERITY, SEVERITY_LABELS, sideEffectLabel } from "./side-effects";
import {
  MS_PER_DAY,
  MS_PER_HOUR,
  MS_PER_MINUTE,
  formatKg,
  formatMgPerKg,
  formatMgPerKgPerH,
  formatMgPrecise,
  formatScaled,
  roundDivBig,
} from "./units";

export const FLAG_CODES = [
  "RATE_ABOVE_RANGE",
  "RATE_BELOW_RANGE",
  "RATE_ABOVE_HARD_LIMIT",
  "BOLUS_ABOVE_RANGE",
  "BOLUS_ABOVE_HARD_LIMIT",
  "DOSE_ANESTHETIC_RANGE",
  "TITRATION_STEP_TOO_LARGE",
  "CUMULATIVE_DOSE_ABOVE_RANGE",
  "DURATION_OUT_OF_RANGE",
  "SBP_HIGH",
  "DBP_HIGH",
  "BP_RISE_FROM_BASELINE",
  "HR_HIGH",
  "HR_LOW",
  "SPO2_LOW",
  "RR_LOW",
  "RR_HIGH",
  "VITALS_OVERDUE",
  "SEVERE_SIDE_EFFECT",
  "SESSION_INTERVAL_TOO_SHORT",
  "SERIES_OVER_PLAN",
  "SCREENING_POSITIVE",
  "BOLUS_WINDOW_ABOVE_RANGE",
  "BOLUS_WINDOW_ABOVE_HARD_LIMIT",
  "CONCENTRATION_NOT_STANDARD",
  "CONCENTRATION_STOCK_VIAL",
  "PUMP_RATE_ROUNDING",
  "BASELINE_VITALS_MISSING",
  "WEIGHT_CHANGE_LARGE",
  "PATIENT_REPORTED_SEVERE_SIDE_EFFECT",
] as const;

export type FlagCode = (typeof FLAG_CODES)[number];
export type FlagSeverity = "SOFT" | "HARD";

/**
 * HARD = a physician's override is needed: a protocol's hard limit (rate or bolus) or the
 * anesthetic range (docs/clinical-brief.md default hard limit). Everything else is SOFT.
 */
export const FLAG_SEVERITY: Record<FlagCode, FlagSeverity> = {
  RATE_ABOVE_RANGE: "SOFT",
  RATE_BELOW_RANGE: "SOFT",
  RATE_ABOVE_HARD_LIMIT: "HARD",
  BOLUS_ABOVE_RANGE: "SOFT",
  BOLUS_ABOVE_HARD_LIMIT: "HARD",
  DOSE_ANESTHETIC_RANGE: "HARD",
  TITRATION_STEP_TOO_LARGE: "SOFT",
  CUMULATIVE_DOSE_ABOVE_RANGE: "SOFT",
  DURATION_OUT_OF_RANGE: "SOFT",
  SBP_HIGH: "SOFT",
  DBP_HIGH: "SOFT",
  BP_RISE_FROM_BASELINE: "SOFT",
  HR_HIGH: "SOFT",
  HR_LOW: "SOFT",
  SPO2_LOW: "SOFT",
  RR_LOW: "SOFT",
  RR_HIGH: "SOFT",
  VITALS_OVERDUE: "SOFT",
  SEVERE_SIDE_EFFECT: "SOFT",
  SESSION_INTERVAL_TOO_SHORT: "SOFT",
  SERIES_OVER_PLAN: "SOFT",
  SCREENING_POSITIVE: "SOFT",
  BOLUS_WINDOW_ABOVE_RANGE: "SOFT",
  BOLUS_WINDOW_ABOVE_HARD_LIMIT: "HARD",
  CONCENTRATION_NOT_STANDARD: "SOFT",
  CONCENTRATION_STOCK_VIAL: "HARD",
  PUMP_RATE_ROUNDING: "SOFT",
  BASELINE_VITALS_MISSING: "SOFT",
  WEIGHT_CHANGE_LARGE: "SOFT",
  // a physician acknowledges it like every flag; SOFT because no limit was overridden
  PATIENT_REPORTED_SEVERE_SIDE_EFFECT: "SOFT",
};

export const FLAG_LABELS: Record<FlagCode, string> = {
  RATE_ABOVE_RANGE: "Rate above documented range",
  RATE_BELOW_RANGE: "Rate below documented range",
  RATE_ABOVE_HARD_LIMIT: "Rate at or above protocol hard limit",
  BOLUS_ABOVE_RANGE: "Bolus above documented range",
  BOLUS_ABOVE_HARD_LIMIT: "Bolus at or above protocol hard limit",
  DOSE_ANESTHETIC_RANGE: "Anesthetic-range dose",
  TITRATION_STEP_TOO_LARGE: "Titration step too large",
  CUMULATIVE_DOSE_ABOVE_RANGE: "Session total above documented range",
  DURATION_OUT_OF_RANGE: "Session length outside documented range",
  SBP_HIGH: "Systolic BP high",
  DBP_HIGH: "Diastolic BP high",
  BP_RISE_FROM_BASELINE: "BP rise from baseline",
  HR_HIGH: "Heart rate high",
  HR_LOW: "Heart rate low",
  SPO2_LOW: "SpO2 low",
  RR_LOW: "Respiratory rate low",
  RR_HIGH: "Respiratory rate high",
  VITALS_OVERDUE: "Vitals overdue",
  SEVERE_SIDE_EFFECT: "Severe side effect",
  SESSION_INTERVAL_TOO_SHORT: "Sessions too close together",
  SERIES_OVER_PLAN: "More sessions than planned",
  SCREENING_POSITIVE: "Positive pre-treatment screen",
  BOLUS_WINDOW_ABOVE_RANGE: "Boluses within the window above documented range",
  BOLUS_WINDOW_ABOVE_HARD_LIMIT: "Boluses within the window at or above hard limit",
  CONCENTRATION_NOT_STANDARD: "Concentration not standard",
  CONCENTRATION_STOCK_VIAL: "Undiluted stock concentration",
  PUMP_RATE_ROUNDING: "Pump rounding changes the dose",
  BASELINE_VITALS_MISSING: "No baseline vitals before start",
  WEIGHT_CHANGE_LARGE: "Weight differs from last recorded",
  PATIENT_REPORTED_SEVERE_SIDE_EFFECT: "Patient reported a severe side effect",
};

export interface FlagDraft {
  code: FlagCode;
  severity: FlagSeverity;
  /** the value that raised it, with units, e.g. "0.800 mg/kg/h" */
  valueText: string;
  /** the allowed side of the limit, with units, e.g. "≤ 0.700 mg/kg/h" */
  limitText: string;
  message: string;
}

export function draft(code: FlagCode, valueText: string, limitText: string, message: string): FlagDraft {
  return { code, severity: FLAG_SEVERITY[code], valueText, limitText, message };
}

export const rateText = (ugPerKgPerH: number) => `${formatMgPerKgPerH(ugPerKgPerH)} mg/kg/h`;

/** "0.500 mg/kg (35.000 mg)": the per-kg value rounded to whole µg/kg, plus the exact mg. */
export function perKgAmountText(ug: number, weightG: number): string {
  const ugPerKg = Number(roundDivBig(BigInt(ug) * 1000n, BigInt(weightG)));
  return `${formatMgPerKg(ugPerKg)} mg/kg (${formatMgPrecise(ug)} mg)`;
}

/** "≤ 0.500 mg/kg (35.000 mg at 70.0 kg)": the same limit in mg for this weight. */
export function perKgLimitText(relation: string, limitUgPerKg: number, weightG: number): string {
  // limit µg/kg × weight g = µg × 1000, so mg = (limit × weightG) / 10^6
  const limitMg = formatScaled(limitUgPerKg * weightG, 6, 3);
  return `${relation} ${formatMgPerKg(limitUgPerKg)} mg/kg (${limitMg} mg at ${formatKg(weightG)} kg)`;
}

/** "2 h 5 min 30 s": shown to the second; comparisons are in ms. */
export function formatDurationMs(durationMs: number): string {
  const totalSeconds = Math.floor(Math.abs(durationMs) / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const parts = [
    ...(hours > 0 ? [`${hours} h`] : []),
    `${minutes} min`,
    ...(seconds > 0 ? [`${seconds} s`] : []),
  ];
  return `${durationMs < 0 ? "-" : ""}${parts.join(" ")}`;
}

function requireWeight(weightG: number): void {
  if (!Number.isSafeInteger(weightG) || weightG <= 0) {
    throw new RangeError(`weightG must be a positive integer, got ${String(weightG)}`);
  }
}

/**
 * Flags for one rate (START or RATE_CHANGE), µg/kg/h. At most one HARD reason per
 * threshold: >= 1 mg/kg/h is DOSE_ANESTHETIC_RANGE; RATE_ABOVE_HARD_LIMIT is raised for a
 * protocol hard limit below that (at the default 1 mg/kg/h it would repeat the anesthetic
 * flag). A SOFT range flag is not raised beside a HARD one. The anaesthetic edge is an IV
 * figure (docs/clinical-brief.md "Safety guards in the style of smart-pump drug libraries [defaults unless marked]").
 */
export function rateFlags(limits: ProtocolLimits, event: Pick<DoseEventPoint, "type">, rateUgPerKgPerH: number, route: ProtocolRoute = "IV"): FlagDraft[] {
  const flags: FlagDraft[] = [];
  const isAnesthetic = route === "IV" && rateUgPerKgPerH >= ANESTHETIC_RATE_UG_PER_KG_PER_H;
  if (isAnesthetic) {
    flags.push(
      draft(
        "DOSE_ANESTHETIC_RANGE",
        rateText(rateUgPerKgPerH),
        `< ${rateText(ANESTHETIC_RATE_UG_PER_KG_PER_H)}`,
        `Rate ${rateText(rateUgPerKgPerH)} is in the anesthetic range (1 mg/kg/h and above; source 000: anesthesia uses 1 to 4.5 mg/kg). A physician's override is needed.`,
      ),
    );
  }
  // CRPS multi-day (source 000): the START is held against the start range, later rates
  // against the whole documented span.
  const hasStartRange = limits.startMinRateUgPerKgPerH !== null || limits.startMaxRateUgPerKgPerH !== null;
  const isStartBand = event.type === "START" && hasStartRange;
  const band = isStartBand
    ? { softMin: limits.startMinRateUgPerKgPerH, softMax: limits.startMaxRateUgPerKgPerH }
    : { softMin: limits.softMinRateUgPerKgPerH, softMax: limits.softMaxRateUgPerKgPerH };
  const bandName = isStartBand ? "documented start range" : "documented range";
  const zone = classify(rateUgPerKgPerH, { ...band, hardMax: limits.hardMaxRateUgPerKgPerH });
  if (zone === "AT_OR_ABOVE_HARD") {
    const repeatsAnesthetic = isAnesthetic && limits.hardMaxRateUgPerKgPerH >= ANESTHETIC_RATE_UG_PER_KG_PER_H;
    if (!repeatsAnesthetic) {
      flags.push(
        draft(
          "RATE_ABOVE_HARD_LIMIT",
          rateText(rateUgPerKgPerH),
          `< ${rateText(limits.hardMaxRateUgPerKgPerH)}`,
          `Rate ${rateText(rateUgPerKgPerH)} is at or above this protocol's hard limit of ${rateText(limits.hardMaxRateUgPerKgPerH)}. A physician's override is needed.`,
        ),
      );
    }
  } else if (!isAnesthetic && zone === "ABOVE_SOFT" && band.softMax !== null) {
    flags.push(
      draft(
        "RATE_ABOVE_RANGE",
        rateText(rateUgPerKgPerH),
        `≤ ${rateText(band.softMax)}`,
        `Rate ${rateText(rateUgPerKgPerH)} is above the ${bandName} (up to ${rateText(band.softMax)}). Give a reason.`,
      ),
    );
  } else if (!isAnesthetic && zone === "BELOW_SOFT" && band.softMin !== null) {
    flags.push(
      draft(
        "RATE_BELOW_RANGE",
        rateText(rateUgPerKgPerH),
        `≥ ${rateText(band.softMin)}`,
        `Rate ${rateText(rateUgPerKgPerH)} is below the ${bandName} (from ${rateText(band.softMin)}). Give a reason.`,
      ),
    );
  }
  return flags;
}

/**
 * Flags for one bolus. Per-kg limits are compared without division:
 * bolusUg × 1000 vs limitUgPerKg × weightG (both integers).
 */
export function bolusFlags(limits: ProtocolLimits, weightG: number, bolusUg: number, route: ProtocolRoute = "IV"): FlagDraft[] {
  const flags: FlagDraft[] = [];
  const scaledBolus = bolusUg * 1000;
  const isAnesthetic = route === "IV" && scaledBolus >= ANESTHETIC_BOLUS_UG_PER_KG * weightG;
  const valueText = perKgAmountText(bolusUg, weightG);
  if (isAnesthetic) {
    flags.push(
      draft(
        "DOSE_ANESTHETIC_RANGE",
        valueText,
        perKgLimitText("<", ANESTHETIC_BOLUS_UG_PER_KG, weightG),
        `Bolus ${valueText} is in the anesthetic range (1 mg/kg and above; source 000: anesthesia uses 1 to 4.5 mg/kg). A physician's override is needed.`,
      ),
    );
  }
  const zone = classify(scaledBolus, {
    softMax: limits.softMaxBolusUgPerKg === null ? null : limits.softMaxBolusUgPerKg * weightG,
    hardMax: limits.hardMaxBolusUgPerKg * weightG,
  });
  if (zone === "AT_OR_ABOVE_HARD") {
    const repeatsAnesthetic = isAnesthetic && limits.hardMaxBolusUgPerKg >= ANESTHETIC_BOLUS_UG_PER_KG;
    if (!repeatsAnesthetic) {
      flags.push(
        draft(
          "BOLUS_ABOVE_HARD_LIMIT",
          valueText,
          perKgLimitText("<", limits.hardMaxBolusUgPerKg, weightG),
          `Bolus ${valueText} is at or above this protocol's hard limit of ${formatMgPerKg(limits.hardMaxBolusUgPerKg)} mg/kg. A physician's override is needed.`,
        ),
      );
    }
  } else if (!isAnesthetic && zone === "ABOVE_SOFT" && limits.softMaxBolusUgPerKg !== null) {
    flags.push(
      draft(
        "BOLUS_ABOVE_RANGE",
        valueText,
        perKgLimitText("≤", limits.softMaxBolusUgPerKg, weightG),
        `Bolus ${valueText} is above the documented range (up to ${formatMgPerKg(limits.softMaxBolusUgPerKg)} mg/kg). Give a reason.`,
      ),
    );
  }
  return flags;
}

/**
 * CUMULATIVE_DOSE_ABOVE_RANGE for a session total (strictly above the limit). The per-kg
 * total is integrateDose's totalUgPerKg, rounded once from the exact integral, and is the
 * very number the flag shows, so no flag says "above 1.000 mg/kg" beside a total of 1.000.
 */
export function cumulativeFlags(limits: ProtocolLimits, weightG: number, dose: { totalUg: number; totalUgPerKg: number }, when: string): FlagDraft[] {
  const flags: FlagDraft[] = [];
  const perKg = limits.maxCumulativeUgPerKg;
  const totalUg = dose.totalUg;
  if (perKg !== null && dose.totalUgPerKg > perKg) {
    const valueText = `${formatMgPerKg(dose.totalUgPerKg)} mg/kg (${formatMgPrecise(totalUg)} mg)`;
    flags.push(
      draft(
        "CUMULATIVE_DOSE_ABOVE_RANGE",
        valueText,
        perKgLimitText("≤", perKg, weightG),
        `Session total ${when} ${valueText} is above the documented ${formatMgPerKg(perKg)} mg/kg. Give a reason.`,
      ),
    );
  }
  const fixed = limits.maxCumulativeUg;
  if (fixed !== null && totalUg > fixed) {
    flags.push(
      draft(
        "CUMULATIVE_DOSE_ABOVE_RANGE",
        `${formatMgPrecise(totalUg)} mg`,
        `≤ ${formatMgPrecise(fixed)} mg`,
        `Session total ${when} ${formatMgPrecise(totalUg)} mg is above the documented ${formatMgPrecise(fixed)} mg. Give a reason.`,
      ),
    );
  }
  return flags;
}

/**
 * TITRATION_STEP_TOO_LARGE for an increase of more than maxStep over the last set rate
 * (exactly maxStep is allowed). A decrease is never flagged: lowering a rate for
 * dissociation, nausea or blood pressure is documented practice (source 000).
 */
export function titrationStepFlag(limits: ProtocolLimits, previousRateUgPerKgPerH: number | null, rateUgPerKgPerH: number): FlagDraft | null {
  const maxStep = limits.maxStepUgPerKgPerH;
  if (previousRateUgPerKgPerH === null || maxStep === null) return null;
  const step = rateUgPerKgPerH - previousRateUgPerKgPerH;
  if (step <= maxStep) return null;
  return draft(
    "TITRATION_STEP_TOO_LARGE",
    `${rateText(step)} step (${formatMgPerKgPerH(previousRateUgPerKgPerH)} → ${rateText(rateUgPerKgPerH)})`,
    `≤ ${rateText(maxStep)} per increase`,
    `An increase of ${rateText(step)} is larger than the protocol's ${rateText(maxStep)} step. Give a reason.`,
  );
}

/**
 * Flags for a dose event about to be charted, given the session's earlier events.
 * - START: rate vs the start range when the protocol has one, else vs the soft range.
 * - RATE_CHANGE: rate vs the whole soft range; an increase new - last set rate > maxStep
 *   (lowering a rate for side effects is documented practice, source 000).
 * - any rate: >= hard limit (HARD), >= 1 mg/kg/h DOSE_ANESTHETIC_RANGE (HARD).
 * - BOLUS: per kg > soft max (SOFT), >= hard max or >= 1 mg/kg (HARD).
 * - every event: the session total up to event.atMs, this event included, > maxCumulative
 *   (per kg and/or fixed µg). It is raised again by each later event while it holds; the
 *   server keeps one per session.
 */
export function evaluateDoseEvent(input: {
  limits: ProtocolLimits;
  weightG: number;
  prior: DoseEventPoint[];
  event: DoseEventPoint;
  /** the anaesthetic edge applies to IV only; today's callers are IV (the default) */
  route?: ProtocolRoute;
}): FlagDraft[] {
  const { limits, weightG, prior, event } = input;
  const route = input.route ?? "IV";
  requireWeight(weightG);
  const flags: FlagDraft[] = [];
  const rate = event.rateUgPerKgPerH;
  if ((event.type === "START" || event.type === "RATE_CHANGE") && typeof rate === "number" && Number.isSafeInteger(rate)) {
    flags.push(...rateFlags(limits, event, rate, route));
    const previousRate = event.type === "RATE_CHANGE" ? lastSetRateUgPerKgPerH(prior, event.atMs) : null;
    const stepFlag = titrationStepFlag(limits, previousRate, rate);
    if (stepFlag) flags.push(stepFlag);
  }
  const bolus = event.bolusUg;
  if (event.type === "BOLUS" && typeof bolus === "number" && Number.isSafeInteger(bolus) && bolus > 0) {
    flags.push(...bolusFlags(limits, weightG, bolus, route));
  }
  if (Number.isFinite(event.atMs)) {
    const dose = integrateDose([...prior, event], weightG, event.atMs);
    flags.push(...cumulativeFlags(limits, weightG, dose, "so far"));
  }
  return flags;
}

export type VitalsReading = {
  systolicMmHg: number;
  diastolicMmHg: number;
  heartRatePerMin: number;
  spo2Pct: number;
  respRatePerMin: number;
};

/**
 * Vitals against the protocol's thresholds, worded as docs/clinical-brief.md words them [default values]:
 * SBP >= high, DBP >= high, a systolic or diastolic rise >= bpRisePct% from the baseline
 * (bpRiseFlag), HR >= high, HR <= low (both
 * inclusive), SpO2 < low, RR < low, RR > high (strict).
 */
export function evaluateVitals(input: {
  limits: ProtocolLimits;
  vitals: VitalsReading;
  baseline: { systolicMmHg: number; diastolicMmHg: number } | null;
}): FlagDraft[] {
  const { limits: l, vitals: v, baseline } = input;
  const flags: FlagDraft[] = [];
  if (v.systolicMmHg >= l.sbpHighMmHg) {
    flags.push(draft("SBP_HIGH", `SBP ${v.systolicMmHg} mmHg`, `< ${l.sbpHighMmHg} mmHg`, `Systolic blood pressure ${v.systolicMmHg} mmHg is at or above ${l.sbpHighMmHg} mmHg.`));
  }
  if (v.diastolicMmHg >= l.dbpHighMmHg) {
    flags.push(draft("DBP_HIGH", `DBP ${v.diastolicMmHg} mmHg`, `< ${l.dbpHighMmHg} mmHg`, `Diastolic blood pressure ${v.diastolicMmHg} mmHg is at or above ${l.dbpHighMmHg} mmHg.`));
  }
  const rise = bpRiseFlag(l, v, baseline);
  if (rise) flags.push(rise);
  if (v.heartRatePerMin >= l.hrHighPerMin) {
    flags.push(draft("HR_HIGH", `HR ${v.heartRatePerMin}/min`, `< ${l.hrHighPerMin}/min`, `Heart rate ${v.heartRatePerMin}/min is at or above ${l.hrHighPerMin}/min.`));
  }
  if (v.heartRatePerMin <= l.hrLowPerMin) {
    flags.push(draft("HR_LOW", `HR ${v.heartRatePerMin}/min`, `> ${l.hrLowPerMin}/min`, `Heart rate ${v.heartRatePerMin}/min is at or below ${l.hrLowPerMin}/min.`));
  }
  if (v.spo2Pct < l.spo2LowPct) {
    flags.push(draft("SPO2_LOW", `SpO2 ${v.spo2Pct}%`, `≥ ${l.spo2LowPct}%`, `SpO2 ${v.spo2Pct}% is below ${l.spo2LowPct}%.`));
  }
  if (v.respRatePerMin < l.rrLowPerMin) {
    flags.push(draft("RR_LOW", `RR ${v.respRatePerMin}/min`, `≥ ${l.rrLowPerMin}/min`, `Respiratory rate ${v.respRatePerMin}/min is below ${l.rrLowPerMin}/min.`));
  }
  if (v.respRatePerMin > l.rrHighPerMin) {
    flags.push(draft("RR_HIGH", `RR ${v.respRatePerMin}/min`, `≤ ${l.rrHighPerMin}/min`, `Respiratory rate ${v.respRatePerMin}/min is above ${l.rrHighPerMin}/min.`));
  }
  return flags;
}

/** "+20.0%": a rise in tenths of a percent, for texts only. */
function risePctText(value: number, baseline: number): string {
  return formatScaled(Number(roundDivBig(BigInt(value - baseline) * 1000n, BigInt(baseline))), 1, 1);
}

/**
 * BP_RISE_FROM_BASELINE when systolic OR diastolic rose by bpRisePct% or more from the
 * baseline set (docs/clinical-brief.md "What is monitored": "a rise of >= 20% from
 * baseline"; ketamine raises both). Integer compare: value × 100 >= baseline × (100 + pct).
 */
export function bpRiseFlag(
  l: Pick<ProtocolLimits, "bpRisePct">,
  v: { systolicMmHg: number; diastolicMmHg: number },
  baseline: { systolicMmHg: number; diastolicMmHg: number } | null,
): FlagDraft | null {
  if (baseline === null) return null;
  const rises = (value: number, base: number) => base > 0 && value * 100 >= base * (100 + l.bpRisePct);
  const parts: string[] = [];
  if (rises(v.systolicMmHg, baseline.systolicMmHg)) {
    parts.push(`SBP ${v.systolicMmHg} mmHg (+${risePctText(v.systolicMmHg, baseline.systolicMmHg)}% from ${baseline.systolicMmHg} mmHg)`);
  }
  if (rises(v.diastolicMmHg, baseline.diastolicMmHg)) {
    parts.push(`DBP ${v.diastolicMmHg} mmHg (+${risePctText(v.diastolicMmHg, baseline.diastolicMmHg)}% from ${baseline.diastolicMmHg} mmHg)`);
  }
  if (parts.length === 0) return null;
  return draft(
    "BP_RISE_FROM_BASELINE",
    parts.join("; "),
    `< +${l.bpRisePct}% from baseline`,
    `Blood pressure rose from the baseline ${baseline.systolicMmHg}/${baseline.diastolicMmHg} mmHg: ${parts.join("; ")} (limit: a rise of ${l.bpRisePct}% or more).`,
  );
}

/** SEVERE_SIDE_EFFECT for severity >= 3 (severe). */
export function evaluateSideEffect(input: { kind: string; severity: number }): FlagDraft[] {
  if (input.severity < SEVERE_SIDE_EFFECT_SEVERITY) return [];
  const label = sideEffectLabel(input.kind);
  const severityLabel = SEVERITY_LABELS[input.severity] ?? String(input.severity);
  return [
    draft(
      "SEVERE_SIDE_EFFECT",
      `${label}: ${severityLabel} (${input.severity}/3)`,
      `< severe (${SEVERE_SIDE_EFFECT_SEVERITY})`,
      `Severe side effect recorded: ${label}. Record the intervention; a physician reviews it.`,
    ),
  ];
}

/** The documented session length as text: "216-264 min", "≥ 120 min" or "≤ 240 min". */
export function durationRangeText(limits: Pick<ProtocolLimits, "minDurationMin" | "maxDurationMin">): string {
  if (limits.minDurationMin !== null && limits.maxDurationMin !== null) return `${limits.minDurationMin}-${limits.maxDurationMin} min`;
  return limits.minDurationMin !== null ? `≥ ${limits.minDurationMin} min` : `≤ ${String(limits.maxDurationMin)} min`;
}

/**
 * Flags when a session is completed:
 * - DURATION_OUT_OF_RANGE: elapsed time from the first START to the STOP (or to endMs when
 *   there is no stop at or before it), pauses included, < minDurationMin or > maxDurationMin
 *   (exactly at either bound is in range). Nothing when the infusion never started.
 * - CUMULATIVE_DOSE_ABOVE_RANGE: the session total up to endMs.
 */
export function evaluateCompletion(input: {
  limits: ProtocolLimits;
  weightG: number;
  events: DoseEventPoint[];
  endMs: number;
}): FlagDraft[] {
  const { limits, weightG, events, endMs } = input;
  requireWeight(weightG);
  const dose = integrateDose(events, weightG, endMs);
  const flags: FlagDraft[] = [];
  if (dose.firstStartMs !== null) {
    const durationMs = (dose.stopMs ?? endMs) - dose.firstStartMs;
    const minMs = limits.minDurationMin === null ? null : limits.minDurationMin * MS_PER_MINUTE;
    const maxMs = limits.maxDurationMin === null ? null : limits.maxDurationMin * MS_PER_MINUTE;
    const rangeText = durationRangeText(limits);
    if (minMs !== null && durationMs < minMs) {
      flags.push(
        draft("DURATION_OUT_OF_RANGE", formatDurationMs(durationMs), rangeText, `The infusion ran ${formatDurationMs(durationMs)}, shorter than the documented ${rangeText}. Give a reason.`),
      );
    } else if (maxMs !== null && durationMs > maxMs) {
      flags.push(
        draft("DURATION_OUT_OF_RANGE", formatDurationMs(durationMs), rangeText, `The infusion ran ${formatDurationMs(durationMs)}, longer than the documented ${rangeText}. Give a reason.`),
      );
    }
  }
  flags.push(...cumulativeFlags(limits, weightG, dose, "at completion"));
  return flags;
}

/**
 * When the next vitals are due: `vitalsIntervalMin` after the last vitals, or after the
 * session opened when none were taken. Overdue strictly after the due time.
 */
export function vitalsDue(input: {
  limits: ProtocolLimits;
  lastVitalsAtMs: number | null;
  sessionOpenedAtMs: number;
  nowMs: number;
}): { dueAtMs: number; overdue: boolean; msUntilDue: number } {
  const fromMs = input.lastVitalsAtMs ?? input.sessionOpenedAtMs;
  const dueAtMs = fromMs + input.limits.vitalsIntervalMin * MS_PER_MINUTE;
  return { dueAtMs, overdue: input.nowMs > dueAtMs, msUntilDue: dueAtMs - input.nowMs };
}

/**
 * VITALS_OVERDUE when a vitals entry at `atMs` comes more than vitalsIntervalMin after the
 * previous entry (or after the session opened, when `previousAtMs` is null). Exactly at
 * the interval is on time.
 */
export function evaluateVitalsOverdue(input: {
  limits: ProtocolLimits;
  previousAtMs: number | null;
  atMs: number;
  sessionOpenedAtMs?: number;
}): FlagDraft[] {
  const fromMs = input.previousAtMs ?? input.sessionOpenedAtMs ?? null;
  if (fromMs === null) return [];
  const gapMs = input.atMs - fromMs;
  const intervalMs = input.limits.vitalsIntervalMin * MS_PER_MINUTE;
  if (gapMs <= intervalMs) return [];
  return [
    draft(
      "VITALS_OVERDUE",
      `${formatDurationMs(gapMs)} since previous vitals`,
      `≤ ${input.limits.vitalsIntervalMin} min`,
      `Vitals were taken ${formatDurationMs(gapMs)} after the previous set; the protocol asks for them at least every ${input.limits.vitalsIntervalMin} min.`,
    ),
  ];
}

/**
 * Flags when a session of a series starts at `newStartMs`:
 * - SESSION_INTERVAL_TOO_SHORT: less than minIntervalHours since the latest earlier start
 *   (exactly at the interval is fine); or more than maxSessionsPer7Days starts, this one
 *   included, in the 7 days ending at newStartMs (a start exactly 7 × 24 h earlier is outside).
 * - SERIES_OVER_PLAN: this session's number (earlier sessions + 1) > plannedSessions.
 */
export function evaluateSessionSchedule(input: {
  limits: ProtocolLimits;
  plannedSessions: number;
  priorSessionStartsMs: number[];
  newStartMs: number;
}): FlagDraft[] {
  const { limits, plannedSessions, priorSessionStartsMs, newStartMs } = input;
  const flags: FlagDraft[] = [];
  const earlier = priorSessionStartsMs.filter((startMs) => startMs <= newStartMs);
  if (limits.minIntervalHours !== null && earlier.length > 0) {
    const latestMs = Math.max(...earlier);
    const gapMs = newStartMs - latestMs;
    if (gapMs < limits.minIntervalHours * MS_PER_HOUR) {
      flags.push(
        draft(
          "SESSION_INTERVAL_TOO_SHORT",
          `${formatDurationMs(gapMs)} since the previous session`,
          `≥ ${limits.minIntervalHours} h`,
          `This session starts ${formatDurationMs(gapMs)} after the previous one; the protocol documents at least ${limits.minIntervalHours} h between sessions. Give a reason.`,
        ),
      );
    }
  }
  if (limits.maxSessionsPer7Days !== null) {
    const windowStartMs = newStartMs - 7 * MS_PER_DAY;
    const inWindow = earlier.filter((startMs) => startMs > windowStartMs).length + 1;
    if (inWindow > limits.maxSessionsPer7Days) {
      flags.push(
        draft(
          "SESSION_INTERVAL_TOO_SHORT",
          `${inWindow} sessions in 7 days`,
          `≤ ${limits.maxSessionsPer7Days} in 7 days`,
          `This is session ${inWindow} within 7 days; the protocol documents at most ${limits.maxSessionsPer7Days}. Give a reason.`,
        ),
      );
    }
  }
  const sessionNumber = priorSessionStartsMs.length + 1;
  if (sessionNumber > plannedSessions) {
    flags.push(
      draft(
        "SERIES_OVER_PLAN",
        `session ${sessionNumber}`,
        `≤ ${plannedSessions} planned`,
        `This is session ${sessionNumber} of a series planned for ${plannedSessions}. Give a reason.`,
      ),
    );
  }
  return flags;
}

export interface ScreeningAnswers {
  substanceMisuse: boolean | null;
  psychosis: boolean | null;
  cardiovascular: boolean | null;
  hepatic: boolean | null;
  interactingMeds: boolean | null;
}

/** Screening items before a series (source 001: substance abuse, contraindicated medication, cardiovascular, hepatic, psychotic). */
export const SCREENING_LABELS: Record<keyof ScreeningAnswers, string> = {
  substanceMisuse: "history of substance misuse",
  psychosis: "psychosis",
  cardiovascular: "poorly controlled cardiovascular disease",
  hepatic: "hepatic disease",
  interactingMeds: "contraindicated or interacting medications",
};

/**
 * SCREENING_POSITIVE listing every answer that is true. null means "not asked" and is not
 * a positive (the patient page shows unanswered items separately).
 */
export function evaluateScreening(s: ScreeningAnswers): FlagDraft[] {
  const keys = Object.keys(SCREENING_LABELS) as (keyof ScreeningAnswers)[];
  const positives = keys.filter((key) => s[key] === true).map((key) => SCREENING_LABELS[key]);
  if (positives.length === 0) return [];
  return [
    draft(
      "SCREENING_POSITIVE",
      positives.join("; "),
      "no positive screening answer",
      `Positive pre-treatment screen: ${positives.join("; ")} (sources 001, 002). A physician reviews it before the series.`,
    ),
  ];
}

/** The zone the engine's own flags put a value in: HARD first, then the documented range. */
function zoneOfFlags(flags: FlagDraft[], aboveCode: FlagCode, belowCode: FlagCode | null): LimitZone {
  if (flags.some((f) => f.severity === "HARD")) return "AT_OR_ABOVE_HARD";
  if (flags.some((f) => f.code === aboveCode)) return "ABOVE_SOFT";
  if (belowCode !== null && flags.some((f) => f.code === belowCode)) return "BELOW_SOFT";
  return "IN_RANGE";
}

/**
 * The zone of one rate (START or RATE_CHANGE) as the flag engine judges it, route included:
 * the titration chart colours its markers from this, so a marker and its flag cannot disagree.
 */
export function classifyRate(
  limits: ProtocolLimits, type: "START" | "RATE_CHANGE", rateUgPerKgPerH: number, route: ProtocolRoute = "IV",
): LimitZone {
  return zoneOfFlags(rateFlags(limits, { type }, rateUgPerKgPerH, route), "RATE_ABOVE_RANGE", "RATE_BELOW_RANGE");
}

/** The zone of one bolus as the flag engine judges it (bolusFlags()), route included. */
export function classifyBolus(limits: ProtocolLimits, weightG: number, bolusUg: number, route: ProtocolRoute = "IV"): LimitZone {
  return zoneOfFlags(bolusFlags(limits, weightG, bolusUg, route), "BOLUS_ABOVE_RANGE", null);
}
