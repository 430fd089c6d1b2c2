// Unit conversion and display for every dose quantity. The one place where a user's
// decimal becomes a stored integer and back (docs/decisions/0002-dose-storage.md):
//   rates µg/kg/h (0.001 mg/kg/h), doses µg (0.001 mg), weight g (0.1 kg input steps),
//   concentration µg/mL (0.01 mg/mL input steps), temperature tenths of °C.
// Everything is exact decimal or BigInt arithmetic: never `x * 1000` on a float.

/** Fractional digits a nurse may enter for a rate in mg/kg/h (1 µg/kg/h). */
export const RATE_DECIMALS = 3;
/** Fractional digits for a weight in kg (100 g). */
export const WEIGHT_DECIMALS = 1;
/** Fractional digits for a concentration in mg/mL (10 µg/mL). */
export const CONCENTRATION_DECIMALS = 2;
/** Fractional digits for a dose in mg (1 µg). */
export const DOSE_DECIMALS = 3;
/** Fractional digits for a temperature in °C (0.1 °C). */
export const TEMPERATURE_DECIMALS = 1;
/** Pumps display mL/h to one decimal. */
export const PUMP_RATE_DECIMALS = 1;

export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;
/** 1 lb = 0.45359237 kg exactly (international avoirdupois pound). */
const KG_PER_LB_NUMERATOR = 45_359_237n;
const KG_PER_LB_DENOMINATOR = 100_000_000n;

/** An exact decimal: value = mantissa / 10^scale, scale >= 0. */
export interface ExactDecimal {
  mantissa: bigint;
  scale: number;
}

const DECIMAL_PATTERN = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
/** Longer inputs are not a dose anyone typed; refusing them keeps BigInt work bounded. */
const MAX_DECIMAL_TEXT_LENGTH = 40;
const MAX_EXPONENT = 40;

/**
 * Reads a decimal string or a JS number exactly (a number is read through its shortest
 * round-trip text, so 0.1 is "0.1", not 0.1000000000000000055...). Null when the input
 * is not a finite decimal. Trailing zeros are stripped.
 */
export function parseExactDecimal(text: string | number): ExactDecimal | null {
  let source: string;
  if (typeof text === "number") {
    if (!Number.isFinite(text)) return null;
    source = String(text);
  } else if (typeof text === "string") {
    source = text.trim();
  } else {
    return null;
  }
  if (source.length === 0 || source.length > MAX_DECIMAL_TEXT_LENGTH) return null;
  const match = DECIMAL_PATTERN.exec(source);
  if (!match) return null;
  const sign = match[1] ?? "";
  const intDigits = match[2] ?? "";
  const fracDigits = match[3] ?? "";
  const exponentText = match[4];
  // "." or "" or "e5" carry no digit: an empty field must never become 0 mg.
  if (intDigits.length === 0 && fracDigits.length === 0) return null;
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > MAX_EXPONENT) return null;

  let mantissa = BigInt(`${intDigits}${fracDigits}` || "0");
  let scale = fracDigits.length - exponent;
  if (scale < 0) {
    mantissa *= 10n ** BigInt(-scale);
    scale = 0;
  }
  while (scale > 0 && mantissa % 10n === 0n) {
    mantissa /= 10n;
    scale -= 1;
  }
  if (sign === "-") mantissa = -mantissa;
  return { mantissa, scale };
}

/**
 * Integer division rounded half away from zero (half up for the positive quantities
 * doses are). The single rounding rule of the domain core.
 */
export function roundDivBig(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError("division by zero");
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const rounded = (magnitude * 2n + denominator) / (denominator * 2n);
  return negative ? -rounded : rounded;
}

function toSafeNumber(value: bigint): number | null {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    return null;
  }
  const result = Number(value);
  return result === 0 ? 0 : result; // never -0
}

function requireSafeInteger(name: string, value: number): bigint {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`${name} must be a safe integer, got ${String(value)}`);
  }
  return BigInt(value);
}

function requirePositiveInteger(name: string, value: number): bigint {
  const big = requireSafeInteger(name, value);
  if (big <= 0n) throw new RangeError(`${name} must be positive, got ${String(value)}`);
  return big;
}

/**
 * Exact decimal -> integer count of 10^-decimals steps. ("0.35", 3) -> 350, (0.1, 3) -> 100.
 * Null when not a finite decimal, when it has more significant fractional digits than
 * `decimals` ("1.2345" at 3), or when the result is not a safe integer. Sign is kept:
 * range checks belong to validation, not to conversion.
 */
export function parseDecimalToScaledInt(text: string | number, decimals: number): number | null {
  if (!Number.isSafeInteger(decimals) || decimals < 0 || decimals > MAX_EXPONENT) return null;
  const exact = parseExactDecimal(text);
  if (!exact || exact.scale > decimals) return null;
  return toSafeNumber(exact.mantissa * 10n ** BigInt(decimals - exact.scale));
}

/** mg/kg/h (up to 3 decimals) -> µg/kg/h. "0.35" -> 350. */
export function rateUgPerKgPerHFromMgPerKgPerH(mg: number | string): number | null {
  return parseDecimalToScaledInt(mg, RATE_DECIMALS);
}

/** mg (up to 3 decimals) -> µg. "24.5" -> 24500. */
export function ugFromMg(mg: number | string): number | null {
  return parseDecimalToScaledInt(mg, DOSE_DECIMALS);
}

/** kg (up to 1 decimal) -> g. "72.5" -> 72500; "72.55" -> null. */
export function gFromKg(kg: number | string): number | null {
  const tenthsKg = parseDecimalToScaledInt(kg, WEIGHT_DECIMALS);
  return tenthsKg === null ? null : tenthsKg * 100;
}

/** mg/mL (up to 2 decimals) -> µg/mL. "1" -> 1000, "0.5" -> 500. */
export function ugPerMlFromMgPerMl(x: number | string): number | null {
  const hundredths = parseDecimalToScaledInt(x, CONCENTRATION_DECIMALS);
  return hundredths === null ? null : hundredths * 10;
}

/** °C (up to 1 decimal) -> tenths of °C. "37.2" -> 372. */
export function deciCFromC(x: number | string): number | null {
  return parseDecimalToScaledInt(x, TEMPERATURE_DECIMALS);
}

function tenthsKgFromLb(lb: number): bigint | null {
  const exact = parseExactDecimal(lb);
  if (!exact) return null;
  // tenths of kg = lb × 0.45359237 × 10, exact, rounded once.
  return roundDivBig(
    exact.mantissa * KG_PER_LB_NUMERATOR * 10n,
    KG_PER_LB_DENOMINATOR * 10n ** BigInt(exact.scale),
  );
}

/** lb -> kg rounded (half up) to 0.1 kg, the weight input precision. NaN if lb is not finite. */
export function kgFromLb(lb: number): number {
  const tenths = tenthsKgFromLb(lb);
  if (tenths === null) return Number.NaN;
  const asNumber = toSafeNumber(tenths);
  return asNumber === null ? Number.NaN : asNumber / 10;
}

/** lb -> g rounded (half up) to 100 g, so it equals gFromKg(kgFromLb(lb)). NaN if lb is not finite. */
export function gFromLb(lb: number): number {
  const tenths = tenthsKgFromLb(lb);
  if (tenths === null) return Number.NaN;
  const asNumber = toSafeNumber(tenths * 100n);
  return asNumber === null ? Number.NaN : asNumber;
}

/**
 * µg/kg/h × g -> µg/h, rounded half up to whole µg/h (shown as mg/h beside the rate,
 * docs/clinical-brief.md "Words": also show mg/h). Throws RangeError on non-integer input (a programming error).
 */
export function rateUgPerHFromPerKg(rateUgPerKgPerH: number, weightG: number): number {
  const rate = requireSafeInteger("rateUgPerKgPerH", rateUgPerKgPerH);
  const weight = requireSafeInteger("weightG", weightG);
  return Number(roundDivBig(rate * weight, 1000n));
}

/**
 * Pump rate in mL/h, rounded half up to 0.1 mL/h (what pumps display).
 * docs/clinical-brief.md: mL/h = rate (mg/kg/h) × weight (kg) / concentration (mg/mL); in stored units
 * mL/h = rateUgPerKgPerH × (weightG / 1000) / concentrationUgPerMl, so
 * tenths of mL/h = rateUgPerKgPerH × weightG / (100 × concentrationUgPerMl).
 */
export function pumpRateMlPerH(
  rateUgPerKgPerH: number,
  weightG: number,
  concentrationUgPerMl: number,
): number {
  const rate = requireSafeInteger("rateUgPerKgPerH", rateUgPerKgPerH);
  const weight = requireSafeInteger("weightG", weightG);
  const concentration = requirePositiveInteger("concentrationUgPerMl", concentrationUgPerMl);
  const tenthsMlPerH = roundDivBig(rate * weight, 100n * concentration);
  return Number(tenthsMlPerH) / 10;
}

/**
 * Inverse of pumpRateMlPerH: what weight-based rate a pump setting delivers, rounded half up
 * to whole µg/kg/h. µg/kg/h = mL/h × µg/mL × 1000 / g. `mlPerH` is read as an exact decimal.
 */
export function rateUgPerKgPerHFromMlPerH(
  mlPerH: number,
  weightG: number,
  concentrationUgPerMl: number,
): number {
  const exact = parseExactDecimal(mlPerH);
  if (!exact) throw new RangeError(`mlPerH must be a finite number, got ${String(mlPerH)}`);
  const weight = requirePositiveInteger("weightG", weightG);
  const concentration = requireSafeInteger("concentrationUgPerMl", concentrationUgPerMl);
  return Number(
    roundDivBig(exact.mantissa * concentration * 1000n, weight * 10n ** BigInt(exact.scale)),
  );
}

/**
 * Shows value / 10^unitShift with exactly `outDecimals` fractional digits, rounding half
 * away from zero with integer arithmetic (toFixed rounds the binary value, so
 * (1.005).toFixed(2) is "1.00"). "—" for a non-finite value; never "-0.00".
 */
export function formatScaled(value: number, unitShift: number, outDecimals: number): string {
  const exact = parseExactDecimal(value);
  if (!exact) return "—";
  const shift = unitShift + exact.scale - outDecimals;
  const rounded =
    shift >= 0
      ? roundDivBig(exact.mantissa, 10n ** BigInt(shift))
      : exact.mantissa * 10n ** BigInt(-shift);
  const negative = rounded < 0n;
  const digits = (negative ? -rounded : rounded).toString().padStart(outDecimals + 1, "0");
  const intPart = digits.slice(0, digits.length - outDecimals);
  const fracPart = digits.slice(digits.length - outDecimals);
  return `${negative ? "-" : ""}${intPart}${outDecimals > 0 ? `.${fracPart}` : ""}`;
}

/** µg/kg/h -> "0.350" (mg/kg/h, 3 decimals, no unit). */
export function formatMgPerKgPerH(ug: number): string {
  return formatScaled(ug, 3, RATE_DECIMALS);
}

/** µg -> "24.50" (mg, 2 decimals, no unit). */
export function formatMg(ug: number): string {
  return formatScaled(ug, 3, 2);
}

/** µg -> "24.500" (mg, 3 decimals = whole µg, no unit): for flag texts, where 2 decimals could hide a 1 µg excess. */
export function formatMgPrecise(ug: number): string {
  return formatScaled(ug, 3, DOSE_DECIMALS);
}

/** µg/kg -> "0.500" (mg/kg, 3 decimals, no unit). */
export function formatMgPerKg(ugPerKg: number): string {
  return formatScaled(ugPerKg, 3, 3);
}

/** g -> "72.5" (kg, 1 decimal, no unit). */
export function formatKg(g: number): string {
  return formatScaled(g, 3, WEIGHT_DECIMALS);
}

/** µg/mL -> "1.00" (mg/mL, 2 decimals, no unit). */
export function formatMgPerMl(ugPerMl: number): string {
  return formatScaled(ugPerMl, 3, CONCENTRATION_DECIMALS);
}

/** mL/h -> "7.4" (1 decimal, no unit). */
export function formatMlPerH(ml: number): string {
  return formatScaled(ml, 0, PUMP_RATE_DECIMALS);
}

/** tenths of °C -> "37.2" (°C, 1 decimal, no unit). */
export function formatC(deciC: number): string {
  return formatScaled(deciC, 1, TEMPERATURE_DECIMALS);
}
