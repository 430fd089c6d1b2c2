// Vitals from a bedside monitor (docs/decisions/0021-monitor-vitals-over-hl7.md): the OBX
// observations of an IHE PCD-01 ORU^R01 message, already split into plain strings by the
// listener, mapped to the vitals Titrate charts. Codes are IEEE 11073 MDC (the PCD profile's
// own) and LOINC where a gateway sends those (docs/clinical-brief.md "Codes for exchange").
// A value is taken only in the unit its quantity is charted in: a value in any other unit is
// refused, never converted by guess (a °F temperature or a kPa pressure is an error, not a
// number to fix). Pure: no I/O, no clock.

import { DEFAULT_VITALS_THRESHOLDS } from "./protocol";
import { VITALS_BOUNDS } from "./vitals";

/** The quantities a monitor reading may carry, in their stored units. */
export type DeviceVitalsField =
  | "systolicMmHg" | "diastolicMmHg" | "meanMmHg" | "heartRatePerMin" | "spo2Pct" | "respRatePerMin" | "temperatureDeciC";

export type DeviceVitalsValues = Partial<Record<DeviceVitalsField, number>>;

/** One OBX segment as plain strings (HL7 v2 components, 1-based names in the comments). */
export interface DeviceObservation {
  /** OBX-2 value type (NM for numbers) */
  valueType: string;
  /** OBX-3 identifier, its text and its coding system (first triplet), and the alternate triplet */
  code: string;
  codeText: string;
  codeSystem: string;
  altCode?: string;
  altCodeText?: string;
  altCodeSystem?: string;
  /** OBX-5 */
  value: string;
  /** OBX-6 units: identifier, text, coding system */
  unitCode: string;
  unitText: string;
  unitSystem: string;
  /** OBX-11 result status (HL7 table 0085: F, C, R charted; X, D ignored; any other withheld) */
  resultStatus: string;
  /** OBX-14 date/time of the observation, an HL7 timestamp ("" or absent when not sent) */
  observedAt?: string;
  /** OBX-18.1 equipment instance identifier ("" or absent when not sent) */
  equipmentId?: string;
}

interface QuantityDef {
  field: DeviceVitalsField;
  label: string;
  /** the accepted units: MDC unit codes and reference ids, UCUM codes */
  units: readonly string[];
  /** the unit as the error message names it */
  unitText: string;
}

const PRESSURE_UNITS = ["266016", "MDC_DIM_MMHG", "mm[Hg]", "mmHg"] as const;
const BEAT_UNITS = ["264864", "MDC_DIM_BEAT_PER_MIN", "/min", "{beats}/min", "{beat}/min"] as const;
const RESP_UNITS = ["264928", "MDC_DIM_RESP_PER_MIN", "/min", "{breaths}/min", "{breath}/min", "{resp}/min"] as const;
const PERCENT_UNITS = ["262688", "MDC_DIM_PERCENT", "%"] as const;
const CELSIUS_UNITS = ["268192", "MDC_DIM_DEGC", "Cel"] as const;

const Q = {
  sys: { field: "systolicMmHg", label: "Systolic BP", units: PRESSURE_UNITS, unitText: "mmHg" },
  dia: { field: "diastolicMmHg", label: "Diastolic BP", units: PRESSURE_UNITS, unitText: "mmHg" },
  mean: { field: "meanMmHg", label: "Mean BP", units: PRESSURE_UNITS, unitText: "mmHg" },
  hr: { field: "heartRatePerMin", label: "Heart rate", units: BEAT_UNITS, unitText: "/min" },
  spo2: { field: "spo2Pct", label: "SpO2", units: PERCENT_UNITS, unitText: "%" },
  rr: { field: "respRatePerMin", label: "Respiratory rate", units: RESP_UNITS, unitText: "/min" },
  temp: { field: "temperatureDeciC", label: "Temperature", units: CELSIUS_UNITS, unitText: "°C (Cel)" },
} as const satisfies Record<string, QuantityDef>;

/**
 * MDC codes (IEEE 11073-10101 code, with the reference id some senders put in component 2),
 * in order of preference within a quantity: heart rate from the ECG before the pulse
 * oximeter's pulse rate, the non-invasive cuff before generic codes.
 */
export const MDC_CODES: readonly { code: string; refId: string; q: QuantityDef; rank: number }[] = [
  { code: "150021", refId: "MDC_PRESS_BLD_NONINV_SYS", q: Q.sys, rank: 0 },
  { code: "150022", refId: "MDC_PRESS_BLD_NONINV_DIA", q: Q.dia, rank: 0 },
  { code: "150023", refId: "MDC_PRESS_BLD_NONINV_MEAN", q: Q.mean, rank: 0 },
  { code: "147842", refId: "MDC_ECG_HEART_RATE", q: Q.hr, rank: 0 },
  { code: "149530", refId: "MDC_PULS_OXIM_PULS_RATE", q: Q.hr, rank: 1 },
  { code: "149546", refId: "MDC_PULS_RATE_NON_INV", q: Q.hr, rank: 2 },
  { code: "150456", refId: "MDC_PULS_OXIM_SAT_O2", q: Q.spo2, rank: 0 },
  { code: "151562", refId: "MDC_RESP_RATE", q: Q.rr, rank: 0 },
  { code: "151578", refId: "MDC_TTHOR_RESP_RATE", q: Q.rr, rank: 1 },
  { code: "151594", refId: "MDC_CO2_RESP_RATE", q: Q.rr, rank: 2 },
  { code: "150364", refId: "MDC_TEMP_BODY", q: Q.temp, rank: 0 },
  { code: "150344", refId: "MDC_TEMP", q: Q.temp, rank: 1 },
];

/** LOINC codes (docs/clinical-brief.md "Codes for exchange"; 8478-0 mean BP, 2708-6 SaO2 by pulse oximetry). */
export const LOINC_CODES: readonly { code: string; q: QuantityDef; rank: number }[] = [
  { code: "8480-6", q: Q.sys, rank: 3 },
  { code: "8462-4", q: Q.dia, rank: 3 },
  { code: "8478-0", q: Q.mean, rank: 3 },
  { code: "8867-4", q: Q.hr, rank: 3 },
  { code: "59408-5", q: Q.spo2, rank: 3 },
  { code: "2708-6", q: Q.spo2, rank: 4 },
  { code: "9279-1", q: Q.rr, rank: 3 },
  { code: "8310-5", q: Q.temp, rank: 3 },
];

/** IEEE 11073 special values of a numeric (NaN, not-at-this-resolution, ±infinity): "no value", not a number. */
const MDC_SPECIAL_VALUES = new Set(["8388607", "8388608", "8388606", "-8388606", "8388610", "-8388610"]);

const isMdcSystem = (system: string, refId: string) => /^MDC$/i.test(system.trim()) || refId.startsWith("MDC_");
const isLoincSystem = (system: string) => /^(LN|LOINC)$/i.test(system.trim());

function lookup(code: string, text: string, system: string) {
  if (isMdcSystem(system, text) || isMdcSystem(system, code)) {
    const byCode = MDC_CODES.find((m) => m.code === code.trim() || m.refId === code.trim() || (text.trim() !== "" && m.refId === text.trim()));
    if (byCode) return byCode;
  }
  if (isLoincSystem(system)) return LOINC_CODES.find((l) => l.code === code.trim()) ?? null;
  return null;
}

/** The quantity an OBX is coded as (either triplet), or null when Titrate does not chart it. */
export function quantityOf(o: Pick<DeviceObservation, "code" | "codeText" | "codeSystem" | "altCode" | "altCodeText" | "altCodeSystem">) {
  return lookup(o.code, o.codeText, o.codeSystem) ?? (o.altCode ? lookup(o.altCode, o.altCodeText ?? "", o.altCodeSystem ?? "") : null);
}

function unitAccepted(q: QuantityDef, o: DeviceObservation): boolean {
  const given = [o.unitCode, o.unitText].map((u) => u.trim()).filter((u) => u !== "");
  return given.length > 0 && given.some((u) => (q.units as readonly string[]).includes(u));
}

/** The stored integer of a decimal reading: whole units, or tenths of a degree for temperature. */
function storedValue(field: DeviceVitalsField, value: number): number {
  return field === "temperatureDeciC" ? Math.round(value * 10) : Math.round(value);
}

const BOUNDS: Record<DeviceVitalsField, { min: number; max: number }> = {
  systolicMmHg: VITALS_BOUNDS.systolicMmHg,
  diastolicMmHg: VITALS_BOUNDS.diastolicMmHg,
  meanMmHg: { min: VITALS_BOUNDS.diastolicMmHg.min, max: VITALS_BOUNDS.systolicMmHg.max },
  heartRatePerMin: VITALS_BOUNDS.heartRatePerMin,
  spo2Pct: VITALS_BOUNDS.spo2Pct,
  respRatePerMin: VITALS_BOUNDS.respRatePerMin,
  temperatureDeciC: VITALS_BOUNDS.temperatureDeciC,
};

export type DeviceMappingResult =
  | {
      ok: true; values: DeviceVitalsValues; mapped: number; ignored: number;
      /** the charted observations' time (OBX-14): the earliest of them; null when none carries one */
      observedAtMs: number | null;
      /** charted quantities sent with a result status that is not charted, e.g. "SpO2 (W wrong)" */
      withheld: string[];
    }
  | { ok: false; error: string };

/**
 * OBX-11 (HL7 v2.6 table 0085) statuses whose value is charted: F final, C corrected, R entered
 * but not verified (what a monitor sends: the nurse's acceptance is the verification).
 */
const CHARTED_STATUSES = new Set(["F", "C", "R"]);
/** X could not be obtained, D deleted: there is no value, nothing to report. */
const NO_VALUE_STATUSES = new Set(["X", "D"]);
const STATUS_NAMES: Record<string, string> = {
  W: "wrong", P: "preliminary", I: "in process", S: "partial", N: "not asked", O: "order detail", U: "status change only", A: "amended", B: "appended",
};
const statusText = (s: string) => (s === "" ? "no status" : STATUS_NAMES[s] ? `${s} ${STATUS_NAMES[s]}` : s.slice(0, 5));

/**
 * The observation times of one set may differ by at most this much: within one minute, the
 * precision a nurse charts a set to. Beyond it the values were measured at different moments
 * (a cuff cycle minutes before the oximeter's value) and one set with one time would mislead.
 */
export const DEVICE_OBSERVATION_TIME_TOLERANCE_MS = 60_000;

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * The vitals of one message. Observations Titrate does not chart (device descriptors,
 * perfusion index, ...) and values the device marks as not obtained (OBX-11 X or D, the 11073
 * special values) are ignored. A value whose OBX-11 is not F, C or R (W wrong, P preliminary,
 * ...) is withheld: not stored, named in `withheld`; if nothing else remains the message is
 * refused with that reason. A charted quantity with a non-numeric value, an unexpected unit or
 * an impossible value refuses the whole message (the device sees the reason in its AE): half a
 * set stored silently would look complete to the nurse.
 *
 * One set has one time: the OBX-14 times of the charted observations must lie within
 * DEVICE_OBSERVATION_TIME_TOLERANCE_MS of each other (else refused), and the set takes the
 * earliest, so that the vitals countdown never runs from later than any of its values was
 * measured. An OBX-14 without a UTC offset refuses the message (never guessed).
 */
export function mapDeviceObservations(observations: readonly DeviceObservation[]): DeviceMappingResult {
  const best = new Map<DeviceVitalsField, { value: number; rank: number }>();
  let mapped = 0;
  let ignored = 0;
  const withheld: string[] = [];
  const timesMs: number[] = [];
  for (const o of observations) {
    const m = quantityOf(o);
    const value = o.value.trim();
    const status = o.resultStatus.trim().toUpperCase();
    if (!m || NO_VALUE_STATUSES.has(status) || value === "" || MDC_SPECIAL_VALUES.has(value)) {
      ignored++;
      continue;
    }
    const { q } = m;
    if (!CHARTED_STATUSES.has(status)) {
      withheld.push(`${q.label} (${statusText(status)})`);
      continue;
    }
    if (o.valueType.trim() !== "" && o.valueType.trim().toUpperCase() !== "NM")
      return { ok: false, error: `${q.label}: value type ${o.valueType.trim()} is not numeric (NM)` };
    if (!NUMBER.test(value)) return { ok: false, error: `${q.label}: "${value.slice(0, 20)}" is not a number` };
    if (!unitAccepted(q, o)) {
      const unit = (o.unitText.trim() || o.unitCode.trim() || "none").slice(0, 30);
      return { ok: false, error: `${q.label}: unexpected unit ${unit} (expected ${q.unitText}); not converted` };
    }
    const stored = storedValue(q.field, Number(value));
    const bound = BOUNDS[q.field];
    if (stored < bound.min || stored > bound.max) {
      const shown = q.field === "temperatureDeciC" ? `${bound.min / 10}-${bound.max / 10}` : `${bound.min}-${bound.max}`;
      return { ok: false, error: `${q.label}: ${value} is outside the possible range ${shown} ${q.unitText}` };
    }
    const observedAt = o.observedAt?.trim() ?? "";
    if (observedAt !== "") {
      const atMs = parseHl7Timestamp(observedAt);
      if (atMs === null) return { ok: false, error: `${q.label}: observation time ${observedAt.slice(0, 30)} is not a timestamp with a UTC offset` };
      timesMs.push(atMs);
    }
    mapped++;
    const prior = best.get(q.field);
    if (!prior || m.rank < prior.rank) best.set(q.field, { value: stored, rank: m.rank });
  }
  if (best.size === 0) {
    if (withheld.length > 0)
      return { ok: false, error: `no final result to chart: ${withheld.join(", ")}; only OBX-11 F, C or R is charted` };
    return { ok: false, error: "no charted vital sign in the message (MDC or LOINC coded)" };
  }
  const earliestMs = timesMs.length > 0 ? Math.min(...timesMs) : null;
  const spreadMs = timesMs.length > 0 ? Math.max(...timesMs) - (earliestMs as number) : 0;
  if (spreadMs > DEVICE_OBSERVATION_TIME_TOLERANCE_MS)
    return { ok: false, error: `observation times (OBX-14) differ by ${Math.round(spreadMs / 1000)} s, more than ${DEVICE_OBSERVATION_TIME_TOLERANCE_MS / 1000} s: send one message per measurement time` };
  const values: DeviceVitalsValues = {};
  for (const [field, v] of best) values[field] = v.value;
  if (values.systolicMmHg !== undefined && values.diastolicMmHg !== undefined && values.diastolicMmHg >= values.systolicMmHg)
    return { ok: false, error: `Diastolic BP ${values.diastolicMmHg} is not below systolic ${values.systolicMmHg}` };
  return { ok: true, values, mapped, ignored, observedAtMs: earliestMs, withheld };
}

/**
 * One message, one monitor: the distinct equipment identifiers (OBX-18.1) its observations
 * name. More than one refuses the message: values of two monitors merged into one set would
 * be charted to one chair as one patient's.
 */
export function oneEquipment(observations: readonly Pick<DeviceObservation, "equipmentId">[]): { ok: true; equipmentId: string | null } | { ok: false; error: string } {
  const ids = [...new Set(observations.map((o) => o.equipmentId?.trim() ?? "").filter((id) => id !== ""))];
  if (ids.length > 1)
    return { ok: false, error: `observations from ${ids.length} devices (OBX-18 ${ids.slice(0, 3).map((id) => id.slice(0, 40)).join(", ")}${ids.length > 3 ? ", ..." : ""}): send one message per monitor` };
  return { ok: true, equipmentId: ids[0] ?? null };
}

/** [default] clinic settings: a device value past these alerts the board before validation. */
export interface DeviceCriticalLimits {
  spo2BelowPct: number;
  sbpAtOrAboveMmHg: number;
}
export const DEFAULT_DEVICE_CRITICAL_LIMITS: DeviceCriticalLimits = { spo2BelowPct: 85, sbpAtOrAboveMmHg: 180 };

/** The critical findings of a reading as short texts ("SpO2 82 % (critical below 85 %)"); [] when none. */
export function deviceCriticalFindings(values: DeviceVitalsValues, limits: DeviceCriticalLimits): string[] {
  const found: string[] = [];
  if (values.spo2Pct !== undefined && values.spo2Pct < limits.spo2BelowPct)
    found.push(`SpO2 ${values.spo2Pct} % (critical below ${limits.spo2BelowPct} %)`);
  if (values.systolicMmHg !== undefined && values.systolicMmHg >= limits.sbpAtOrAboveMmHg)
    found.push(`Systolic BP ${values.systolicMmHg} mmHg (critical at or above ${limits.sbpAtOrAboveMmHg} mmHg)`);
  return found;
}

/**
 * An HL7 v2 timestamp (YYYYMMDDHHMM[SS[.S{1,4}]]±ZZZZ) as ms since the epoch. A time without
 * its UTC offset is refused (null): the listener cannot know the device's zone, and a guessed
 * zone would chart the reading hours away from when it was taken.
 */
export function parseHl7Timestamp(text: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(?:(\d{2})(?:\.(\d{1,4}))?)?([+-])(\d{2})(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s = "0", frac = "", sign, oh = "", om = ""] = m;
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59 || Number(oh) > 14 || Number(om) > 59) return null;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, frac === "" ? 0 : Math.floor(Number(`0.${frac}`) * 1000));
  // Date.UTC rolls 31 February over into March: refuse what the calendar does not have
  if (new Date(utc).getUTCDate() !== day) return null;
  const offsetMs = (sign === "+" ? 1 : -1) * (Number(oh) * 60 + Number(om)) * 60_000;
  return utc - offsetMs;
}

/**
 * How long an active monitor may stay silent before the device page marks it as stopped:
 * twice the clinic's vitals interval (one missed cycle is jitter, two are a monitor that stopped
 * sending), 2 × 15 min [default] when the clinic has no interval set.
 */
export function deviceSilenceThresholdMin(clinicVitalsIntervalMin: number | null): { thresholdMin: number; isDefault: boolean } {
  if (clinicVitalsIntervalMin === null || !Number.isFinite(clinicVitalsIntervalMin) || clinicVitalsIntervalMin <= 0)
    return { thresholdMin: 2 * DEFAULT_VITALS_THRESHOLDS.vitalsIntervalMin, isDefault: true };
  return { thresholdMin: 2 * clinicVitalsIntervalMin, isDefault: false };
}

/**
 * A registered, active monitor's silence: the whole minutes since its last message (or since it
 * was registered, when it never sent one) once that is MORE than `thresholdMin`; null otherwise
 * and for a deactivated monitor (it is meant to be silent).
 */
export function deviceSilence(input: { active: boolean; lastMessageAtMs: number | null; registeredAtMs: number; nowMs: number; thresholdMin: number }):
  { silentMin: number; neverSent: boolean } | null {
  if (!input.active) return null;
  const sinceMs = input.lastMessageAtMs ?? input.registeredAtMs;
  const silentMs = input.nowMs - sinceMs;
  if (silentMs <= input.thresholdMin * 60_000) return null;
  return { silentMin: Math.floor(silentMs / 60_000), neverSent: input.lastMessageAtMs === null };
}

/**
 * The monitors pending readings come from, for the board tile (a nurse must see which monitor
 * sent what is waiting, not just how many): one entry per monitor name, with its count and
 * its latest reading's time, in order of first appearance.
 */
export function pendingReadingSources(readings: readonly { deviceName: string; atMs: number }[]): { deviceName: string; pending: number; latestAtMs: number }[] {
  const byName = new Map<string, { deviceName: string; pending: number; latestAtMs: number }>();
  for (const r of readings) {
    const s = byName.get(r.deviceName);
    if (s) {
      s.pending++;
      s.latestAtMs = Math.max(s.latestAtMs, r.atMs);
    } else byName.set(r.deviceName, { deviceName: r.deviceName, pending: 1, latestAtMs: r.atMs });
  }
  return [...byName.values()];
}
