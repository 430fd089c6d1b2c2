// Dosing-error guards in the way smart-pump drug libraries (dose error reduction systems)
// and ISMP guidance on weight-based dosing do it (docs/clinical-brief.md
// "Safety guards in the style of smart-pump drug libraries [defaults unless marked]"). One function per guard, used by the form as the
// nurse types, by the API on submit and by the flag engine, so the three cannot disagree.
// Integers in stored units only (decision 0002); every percentage test is a cross-multiplied
// integer comparison, rounded only for the text.

import { hasReason, REASON_LENGTH_HINT } from "./charting-entry";
import { STOCK_VIAL_CONCENTRATIONS_UG_PER_ML, type ProtocolRoute, type SafetySettings } from "./protocol";
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

// ---------------------------------------------------------------- late documentation

/**
 * How far back a session may be opened (late documentation: a chart kept on paper during a
 * network outage, a pump started before the chart was opened). [default] docs/clinical-brief.md
 * "Safety guards in the style of smart-pump drug libraries [defaults unless marked]"; decision 0009.
 */
export const LATE_DOCUMENTATION_MAX_MS = 7 * 24 * 3_600_000;
/**
 * An opening time, or an entry, recorded more than this after its clinical time is "late":
 * the same 10 minutes as the back-timing grace of charting-entry.ts, so a nurse meets one rule.
 */
export const LATE_ENTRY_GRACE_MS = 10 * 60_000;

/** True when an entry was recorded strictly more than 10 minutes after its clinical time. */
export function isLateEntry(atMs: number, enteredAtMs: number): boolean {
  return enteredAtMs - atMs > LATE_ENTRY_GRACE_MS;
}

export type OpenedAtError = { field: "openedAt" | "lateEntryReason"; message: string };

/**
 * A session's clinical opening time, given when it is opened or moved earlier:
 * - not in the future (2 minutes of device clock skew allowed, as for any charted time);
 * - not more than 7 days [default] in the past;
 * - more than 10 minutes in the past needs a late-entry reason (at least 3 characters);
 * - when moved: only earlier than the current opening time, never later than its first entry
 *   (an entry before the opening time would fall outside the session).
 */
export function checkOpenedAt(input: {
  openedAtMs: number;
  nowMs: number;
  lateEntryReason: string | null | undefined;
  currentOpenedAtMs?: number;
  firstEntryAtMs?: number | null;
}): OpenedAtError | null {
  const { openedAtMs, nowMs, currentOpenedAtMs, firstEntryAtMs } = input;
  if (!Number.isFinite(openedAtMs)) return { field: "openedAt", message: "must be a date and time" };
  if (openedAtMs > nowMs + 2 * 60_000) return { field: "openedAt", message: "must not be in the future" };
  if (nowMs - openedAtMs > LATE_DOCUMENTATION_MAX_MS) return { field: "openedAt", message: "must be at most 7 days in the past" };
  if (currentOpenedAtMs !== undefined && openedAtMs >= currentOpenedAtMs)
    return { field: "openedAt", message: "can only be moved earlier than the current opening time" };
  if (firstEntryAtMs !== undefined && firstEntryAtMs !== null && openedAtMs > firstEntryAtMs)
    return { field: "openedAt", message: "must not be later than the first charted entry" };
  if ((currentOpenedAtMs !== undefined || nowMs - openedAtMs > LATE_ENTRY_GRACE_MS) && !hasReason(input.lateEntryReason))
    return { field: "lateEntryReason", message: `say why the session is documented late (${REASON_LENGTH_HINT})` };
  return null;
}

// ---------------------------------------------------------------- the start of a session

/** What the start form and the API check before a session is opened, keyed by input field. */
export type StartGuardFields = Partial<Record<
  "weightKg" | "weightConfirmReason" | "concentrationMgPerMl" | "concentrationReason" | "concentrationOverrideReason",
  string
>>;

export interface StartGuards {
  /** null while no weight is typed */
  weight: WeightCheck | null;
  /** null while no concentration is typed */
  concentration: ConcentrationCheck | null;
  /** refusals by field; empty when the session may open */
  errors: StartGuardFields;
  /** a stock vial is a hard stop: the API answers 422 HARD_LIMIT, like a hard-limit dose */
  isHardLimit: boolean;
}

/**
 * The one decision on a session's weight and concentration, for the form as the nurse types
 * and for the API on submit (so the API refuses what the form would have refused).
 * A confirmed weight, a non-standard concentration and a stock-vial override each need a
 * reason of at least 3 characters. The form calls it with what is typed so far (null: nothing
 * valid yet), the API with both values. The concentration is a pump's drug library: it is
 * checked on IV protocols only (nothing is pumped on PO/IN; decision 0009), as the flag engine does.
 */
export function startGuards(input: {
  weightG: number | null;
  previousWeightG: number | null;
  concentrationUgPerMl: number | null;
  route: ProtocolRoute;
  settings: SafetySettings;
  weightConfirmReason?: string | null;
  concentrationReason?: string | null;
  concentrationOverrideReason?: string | null;
}): StartGuards {
  const weight = input.weightG === null ? null : checkWeight({ weightG: input.weightG, previousWeightG: input.previousWeightG, settings: input.settings });
  const concentration = input.concentrationUgPerMl === null || input.route !== "IV" ? null : checkConcentration({ concentrationUgPerMl: input.concentrationUgPerMl, settings: input.settings });
  const errors: StartGuardFields = {};
  const weightMessage = weight && weightRefusal(weight, input.weightConfirmReason);
  if (weightMessage) {
    errors.weightKg = weightMessage;
    errors.weightConfirmReason = `confirm the weight with a reason (${REASON_LENGTH_HINT})`;
  }
  let isHardLimit = false;
  if (concentration?.status === "STOCK_VIAL" && !hasReason(input.concentrationOverrideReason)) {
    errors.concentrationMgPerMl = concentration.message;
    errors.concentrationOverrideReason = `a physician's override reason is required for a stock vial (${REASON_LENGTH_HINT})`;
    isHardLimit = true;
  } else if (concentration?.status === "NOT_STANDARD" && !hasReason(input.concentrationReason)) {
    errors.concentrationMgPerMl = concentration.message;
    errors.concentrationReason = `give a reason for a non-standard concentration (${REASON_LENGTH_HINT})`;
  }
  return { weight, concentration, errors, isHardLimit };
}
