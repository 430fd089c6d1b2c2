// Dosing-error guards in the way smart-pump drug libraries (dose error reduction systems)
// and ISMP guidance on weight-based dosing do it (docs/clinical-brief.md
// "Safety guards in the style of smart-pump drug libraries [defaults unless marked]"). One function per guard, used by the form as the
// nurse types, by the API on submit and by the flag engine, so the three cannot disagree.
// Integers in stored units only (decision 0002); every percentage test is a cross-multiplied
// integer comparison, rounded only for the text.

import { STOCK_VIAL_CONCENTRATIONS_UG_PER_ML, type SafetySettings } from "./protocol";
import { formatMgPerKgPerH, formatMgPerMl, formatScaled, roundDivBig } from "./units";

/** 1 kg = 2.2046 lb, to the four decimals the guard uses (1 / 0.45359237 = 2.20462...). */
export const LB_PER_KG_TEN_THOUSANDTHS = 22_046;

/** "154" for 154000 g, "72.5" for 72500 g: a weight as a nurse says it. */
export function formatKgShort(weightG: number): string {
  const text = formatScaled(weightG, 3, 1);
  return text.endsWith(".0") ? text.slice(0, -2) : text;
}

/** Tenths of a percent of |value - reference| / reference, half up, for texts. */
function deviationTenthsPct(value: bigint, reference: bigint): bigint {
  const difference = value >= reference ? value - reference : reference - value;
  return roundDivBig(difference * 1000n, reference);
}

export type WeightCheck =
  | { status: "OK" }
  | { status: "NO_PREVIOUS_WEIGHT" }
  | { status: "LARGE_CHANGE"; changeTenthsPct: number; message: string }
  | { status: "LOOKS_LIKE_POUNDS"; ratioTenths: number; message: string };

/**
 * The session weight against the patient's last recorded weight, g.
 * - LOOKS_LIKE_POUNDS: |weight − last × 2.2046| ≤ poundsTolerancePct% of last × 2.2046, in
 *   integers: |w × 10000 − last × 22046| × 100 ≤ pct × last × 22046 (exactly at the edge counts).
 *   Checked first: a pounds value is also a large change, and the more specific message helps.
 * - LARGE_CHANGE: |w − last| × 100 > weightChangeConfirmPct × last (exactly 10% is not).
 * - NO_PREVIOUS_WEIGHT: a first weighing has nothing to compare with.
 */
export function checkWeight(input: {
  weightG: number;
  previousWeightG: number | null;
  settings: Pick<SafetySettings, "weightChangeConfirmPct" | "poundsTolerancePct">;
}): WeightCheck {
  const { weightG, previousWeightG, settings } = input;
  if (!Number.isSafeInteger(weightG) || weightG <= 0) throw new RangeError(`weightG must be a positive integer, got ${String(weightG)}`);
  if (previousWeightG === null || !Number.isSafeInteger(previousWeightG) || previousWeightG <= 0) return { status: "NO_PREVIOUS_WEIGHT" };
  const weight = BigInt(weightG);
  const last = BigInt(previousWeightG);
  const poundsScaled = last * BigInt(LB_PER_KG_TEN_THOUSANDTHS); // last × 2.2046 × 10000
  const offPounds = weight * 10_000n - poundsScaled;
  const offPoundsAbs = offPounds < 0n ? -offPounds : offPounds;
  const ratioTenths = Number(roundDivBig(weight * 10n, last));
  const ratioText = formatScaled(ratioTenths, 1, 1);
  if (offPoundsAbs * 100n <= BigInt(settings.poundsTolerancePct) * poundsScaled) {
    return {
      status: "LOOKS_LIKE_POUNDS",
      ratioTenths,
      message: `${formatKgShort(weightG)} kg is ${ratioText} × the last weight of ${formatKgShort(previousWeightG)} kg: did you enter pounds? Enter the weight in kg, or confirm it with a reason if the patient really weighs ${formatKgShort(weightG)} kg.`,
    };
  }
  const change = weight > last ? weight - last : last - weight;
  if (change * 100n > BigInt(settings.weightChangeConfirmPct) * last) {
    const changeTenthsPct = Number(deviationTenthsPct(weight, last));
    const direction = weight > last ? "more" : "less";
    return {
      status: "LARGE_CHANGE",
      changeTenthsPct,
      message: `${formatKgShort(weightG)} kg is ${formatScaled(changeTenthsPct, 1, 1)}% ${direction} than the last weight of ${formatKgShort(previousWeightG)} kg (more than ${settings.weightChangeConfirmPct}%). Re-weigh the patient, or confirm the weight with a reason.`,
    };
  }
  return { status: "OK" };
}

/**
 * The one decision on a weight, for the form and the API alike: null when it may be stored,
 * else the message to show. A large change or a "pounds" value is accepted only with a
 * confirmation reason (at least 3 characters, as every clinical reason in the app).
 */
export function weightRefusal(check: WeightCheck, confirmationReason: string | null | undefined): string | null {
  if (check.status !== "LARGE_CHANGE" && check.status !== "LOOKS_LIKE_POUNDS") return null;
  const reason = confirmationReason?.trim() ?? "";
  return reason.length >= 3 ? null : check.message;
}

export type ConcentrationCheck =
  | { status: "STANDARD" }
  | { status: "NOT_STANDARD"; message: string }
  | { status: "STOCK_VIAL"; message: string };

/**
 * A concentration, µg/mL, against the protocol version's standard concentrations (the drug
 * library) and the undiluted stock vials (50 and 100 mg/mL, a hard stop). Exact integers.
 */
export function checkConcentration(input: {
  concentrationUgPerMl: number;
  settings: Pick<SafetySettings, "standardConcentrationsUgPerMl">;
}): ConcentrationCheck {
  const { concentrationUgPerMl: c, settings } = input;
  const standardText = settings.standardConcentrationsUgPerMl.map((s) => `${formatMgPerMlShort(s)} mg/mL`).join(" or ");
  if (STOCK_VIAL_CONCENTRATIONS_UG_PER_ML.includes(c)) {
    return {
      status: "STOCK_VIAL",
      message: `${formatMgPerMlShort(c)} mg/mL is an undiluted stock vial, not an infusion concentration. Dilute to ${standardText}; charting it needs a physician's override.`,
    };
  }
  if (settings.standardConcentrationsUgPerMl.includes(c)) return { status: "STANDARD" };
  return {
    status: "NOT_STANDARD",
    message: `${formatMgPerMlShort(c)} mg/mL is not one of this protocol's standard concentrations (${standardText}). Check the bag's label; give a reason to use it.`,
  };
}

/** "1", "2", "0.5", "1.25" mg/mL. */
function formatMgPerMlShort(ugPerMl: number): string {
  return formatMgPerMl(ugPerMl).replace(/\.?0+$/, "");
}

export interface PumpRounding {
  /** the pump's setting, hundredths of mL/h (a multiple of the pump step) */
  pumpCentiMlPerH: number;
  /** "0.1": the pump setting in mL/h, to the step's decimals */
  pumpMlPerHText: string;
  /** the weight-based rate the pump setting really delivers, µg/kg/h, rounded once */
  deliveredUgPerKgPerH: number;
  /** |delivered − ordered| / ordered, tenths of a percent, rounded once (text only) */
  deviationTenthsPct: number;
  isUnder: boolean;
  /** delivered more than pumpRoundingTolerancePct% away from ordered (exactly at it is fine) */
  isOutsideTolerance: boolean;
  /** a running rate the pump cannot run: the setting rounds to 0 */
  isZero: boolean;
  /** null when within tolerance; else what the nurse reads */
  message: string | null;
}

/**
 * What a large-volume pump really delivers for an ordered rate (docs/clinical-brief.md
 * "Safety guards in the style of smart-pump drug libraries [defaults unless marked]": pumps take rates in steps; show the
 * rounded rate and the dose it really delivers).
 * exact mL/h = rate (µg/kg/h) × weight (g) / (1000 × concentration µg/mL);
 * pump steps = round(rate × weightG / (10 × concentration × stepCentiMlPerH)), half up, once;
 * delivered µg/kg/h = steps × step × concentration × 10 / weightG;
 * outside tolerance ⇔ |steps × step × c × 10 − rate × weightG| × 100 > pct × rate × weightG.
 * Hand check: 70 kg, 50 mg/mL, 0.1 mg/kg/h: 100 × 70000 / (10 × 50000 × 10) = 1.4 → 1 step
 * = 0.1 mL/h; delivered 1 × 10 × 50000 × 10 / 70000 = 71.43 µg/kg/h; 28.6% under.
 */
export function pumpRounding(input: {
  rateUgPerKgPerH: number;
  weightG: number;
  concentrationUgPerMl: number;
  settings: Pick<SafetySettings, "pumpStepCentiMlPerH" | "pumpRoundingTolerancePct">;
}): PumpRounding {
  const { rateUgPerKgPerH, weightG, concentrationUgPerMl, settings } = input;
  for (const [name, value] of [["rateUgPerKgPerH", rateUgPerKgPerH], ["weightG", weightG], ["concentrationUgPerMl", concentrationUgPerMl], ["pumpStepCentiMlPerH", settings.pumpStepCentiMlPerH]] as const) {
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  }
  const ordered = BigInt(rateUgPerKgPerH) * BigInt(weightG); // µg/h × 1000
  const step = BigInt(settings.pumpStepCentiMlPerH);
  const concentration = BigInt(concentrationUgPerMl);
  const steps = roundDivBig(ordered, 10n * concentration * step);
  const delivered = steps * step * concentration * 10n; // same scale as `ordered`
  const pumpCentiMlPerH = Number(steps * step);
  const stepDecimals = settings.pumpStepCentiMlPerH % 10 === 0 ? 1 : 2;
  const pumpMlPerHText = formatScaled(pumpCentiMlPerH, 2, stepDecimals);
  const deliveredUgPerKgPerH = Number(roundDivBig(delivered, BigInt(weightG)));
  const difference = delivered > ordered ? delivered - ordered : ordered - delivered;
  const deviation = Number(deviationTenthsPct(delivered, ordered));
  const isZero = steps === 0n;
  const isOutsideTolerance = difference * 100n > BigInt(settings.pumpRoundingTolerancePct) * ordered;
  const isUnder = delivered < ordered;
  const exactMlPerHText = formatScaled(Number(roundDivBig(ordered, 10n * concentration)), 2, 2); // hundredths of mL/h
  let message: string | null = null;
  if (isZero) {
    message = `${formatMgPerKgPerH(rateUgPerKgPerH)} mg/kg/h at ${formatKgShort(weightG)} kg and ${formatMgPerMlShort(concentrationUgPerMl)} mg/mL is ${exactMlPerHText} mL/h, which the pump sets as 0.0 mL/h: nothing would run. Use a lower concentration or check the rate.`;
  } else if (isOutsideTolerance) {
    message = `The pump runs ${pumpMlPerHText} mL/h (ordered ${exactMlPerHText} mL/h), which delivers ${formatMgPerKgPerH(deliveredUgPerKgPerH)} mg/kg/h, ${formatScaled(deviation, 1, 1)}% ${isUnder ? "under" : "over"} the ordered ${formatMgPerKgPerH(rateUgPerKgPerH)} mg/kg/h. Consider a lower concentration so the pump can run the ordered dose.`;
  }
  return { pumpCentiMlPerH, pumpMlPerHText, deliveredUgPerKgPerH, deviationTenthsPct: deviation, isUnder, isOutsideTolerance, isZero, message };
}

/**
 * The one refusal for a running rate: a message when the pump would set 0.0 mL/h, else null.
 * START and RATE_CHANGE call it in the form and in the API.
 */
export function pumpRateRefusal(input: Parameters<typeof pumpRounding>[0]): string | null {
  const result = pumpRounding(input);
  return result.isZero ? result.message : null;
}
