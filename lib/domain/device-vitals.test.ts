import { describe, expect, it } from "vitest";
import {
  DEFAULT_DEVICE_CRITICAL_LIMITS, DEVICE_OBSERVATION_TIME_TOLERANCE_MS, deviceCriticalFindings, deviceSilence, deviceSilenceThresholdMin, mapDeviceObservations, pendingReadingSources, oneEquipment, parseHl7Timestamp, type DeviceObservation,
} from "./device-vitals";

/** One MDC-coded numeric OBX as a PCD-01 monitor sends it. */
function mdc(code: string, refId: string, value: string, unitCode: string, unitRef: string, extra: Partial<DeviceObservation> = {}): DeviceObservation {
  return { valueType: "NM", code, codeText: refId, codeSystem: "MDC", value, unitCode, unitText: unitRef, unitSystem: "MDC", resultStatus: "R", ...extra };
}
const SYS = (v: string) => mdc("150021", "MDC_PRESS_BLD_NONINV_SYS", v, "266016", "MDC_DIM_MMHG");
const DIA = (v: string) => mdc("150022", "MDC_PRESS_BLD_NONINV_DIA", v, "266016", "MDC_DIM_MMHG");
const SPO2 = (v: string) => mdc("150456", "MDC_PULS_OXIM_SAT_O2", v, "262688", "MDC_DIM_PERCENT");
const ECG_HR = (v: string) => mdc("147842", "MDC_ECG_HEART_RATE", v, "264864", "MDC_DIM_BEAT_PER_MIN");
const PULSE = (v: string) => mdc("149530", "MDC_PULS_OXIM_PULS_RATE", v, "264864", "MDC_DIM_BEAT_PER_MIN");
const RR = (v: string) => mdc("151562", "MDC_RESP_RATE", v, "264928", "MDC_DIM_RESP_PER_MIN");
const TEMP = (v: string, unit: [string, string] = ["268192", "MDC_DIM_DEGC"]) => mdc("150344", "MDC_TEMP", v, unit[0], unit[1]);

describe("mapDeviceObservations", () => {
  it("maps a full PCD-01 set (NIBP, ECG heart rate, SpO2, respiratory rate, temperature)", () => {
    const r = mapDeviceObservations([
      SYS("120"), DIA("80"), mdc("150023", "MDC_PRESS_BLD_NONINV_MEAN", "93", "266016", "MDC_DIM_MMHG"),
      ECG_HR("72"), SPO2("97"), RR("16"), TEMP("36.8"),
    ]);
    expect(r).toEqual({
      ok: true, mapped: 7, ignored: 0, observedAtMs: null, withheld: [],
      values: { systolicMmHg: 120, diastolicMmHg: 80, meanMmHg: 93, heartRatePerMin: 72, spo2Pct: 97, respRatePerMin: 16, temperatureDeciC: 368 },
    });
  });

  it("prefers the ECG heart rate over the pulse oximeter's pulse rate, whatever their order", () => {
    expect(mapDeviceObservations([PULSE("70"), ECG_HR("74")])).toMatchObject({ ok: true, values: { heartRatePerMin: 74 } });
    expect(mapDeviceObservations([ECG_HR("74"), PULSE("70")])).toMatchObject({ ok: true, values: { heartRatePerMin: 74 } });
    expect(mapDeviceObservations([PULSE("70")])).toMatchObject({ ok: true, values: { heartRatePerMin: 70 } });
  });

  it("reads LOINC codes with UCUM units (a gateway's coding)", () => {
    const ln = (code: string, value: string, unit: string): DeviceObservation =>
      ({ valueType: "NM", code, codeText: "", codeSystem: "LN", value, unitCode: unit, unitText: unit, unitSystem: "UCUM", resultStatus: "F" });
    expect(mapDeviceObservations([ln("8480-6", "131", "mm[Hg]"), ln("8462-4", "85", "mm[Hg]"), ln("8867-4", "66", "/min"), ln("59408-5", "95", "%"), ln("9279-1", "14", "/min"), ln("8310-5", "37.2", "Cel")]))
      .toEqual({ ok: true, mapped: 6, ignored: 0, observedAtMs: null, withheld: [], values: { systolicMmHg: 131, diastolicMmHg: 85, heartRatePerMin: 66, spo2Pct: 95, respRatePerMin: 14, temperatureDeciC: 372 } });
  });

  it("takes the MDC reference id when the sender puts it first, and the alternate triplet", () => {
    expect(mapDeviceObservations([mdc("MDC_PULS_OXIM_SAT_O2", "", "93", "%", "%", { codeSystem: "MDC" })])).toMatchObject({ ok: true, values: { spo2Pct: 93 } });
    expect(mapDeviceObservations([{ ...SPO2("91"), code: "SPO2", codeText: "Sat", codeSystem: "99VENDOR", altCode: "150456", altCodeText: "MDC_PULS_OXIM_SAT_O2", altCodeSystem: "MDC" }]))
      .toMatchObject({ ok: true, values: { spo2Pct: 91 } });
  });

  it("ignores what Titrate does not chart, values not obtained (X) or deleted (D) and the 11073 special values", () => {
    const r = mapDeviceObservations([
      mdc("150488", "MDC_BLD_PERF_INDEX", "1.76", "262688", "MDC_DIM_PERCENT"),
      { ...SPO2("80"), resultStatus: "X" },
      { ...SPO2("81"), resultStatus: "d" },
      SPO2("8388607"),
      { ...SPO2(""), valueType: "" },
      SPO2("96"),
    ]);
    expect(r).toEqual({ ok: true, mapped: 1, ignored: 5, observedAtMs: null, withheld: [], values: { spo2Pct: 96 } });
  });

  it("refuses a value in an unexpected unit and never converts it", () => {
    const f = mapDeviceObservations([TEMP("98.6", ["268160", "MDC_DIM_FAHR"])]);
    expect(f).toEqual({ ok: false, error: "Temperature: unexpected unit MDC_DIM_FAHR (expected °C (Cel)); not converted" });
    const kpa = mapDeviceObservations([SYS("16"), DIA("10")].map((o) => ({ ...o, unitCode: "266048", unitText: "MDC_DIM_KILO_PASCAL" })));
    expect(kpa.ok).toBe(false);
    expect(mapDeviceObservations([{ ...SPO2("97"), unitCode: "", unitText: "" }])).toEqual({ ok: false, error: "SpO2: unexpected unit none (expected %); not converted" });
    // a respiratory unit on a heart rate is the wrong quantity
    expect(mapDeviceObservations([{ ...ECG_HR("72"), unitCode: "264928", unitText: "MDC_DIM_RESP_PER_MIN" }]).ok).toBe(false);
  });

  it("refuses non-numeric values, impossible values and a diastolic not below systolic", () => {
    expect(mapDeviceObservations([SPO2("ninety")])).toEqual({ ok: false, error: 'SpO2: "ninety" is not a number' });
    expect(mapDeviceObservations([{ ...SPO2("97"), valueType: "ST" }])).toEqual({ ok: false, error: "SpO2: value type ST is not numeric (NM)" });
    // bounds are VITALS_BOUNDS, inclusive: SpO2 50..100
    expect(mapDeviceObservations([SPO2("100")]).ok).toBe(true);
    expect(mapDeviceObservations([SPO2("50")]).ok).toBe(true);
    expect(mapDeviceObservations([SPO2("101")])).toEqual({ ok: false, error: "SpO2: 101 is outside the possible range 50-100 %" });
    expect(mapDeviceObservations([SPO2("49")]).ok).toBe(false);
    expect(mapDeviceObservations([TEMP("45.0")]).ok).toBe(true);
    expect(mapDeviceObservations([TEMP("45.1")]).ok).toBe(false);
    expect(mapDeviceObservations([SYS("120"), DIA("120")])).toEqual({ ok: false, error: "Diastolic BP 120 is not below systolic 120" });
    expect(mapDeviceObservations([SYS("121"), DIA("120")]).ok).toBe(true);
  });

  it("rounds decimals to the stored precision (whole units, tenths of a degree)", () => {
    expect(mapDeviceObservations([ECG_HR("75.5"), TEMP("36.84")])).toMatchObject({ values: { heartRatePerMin: 76, temperatureDeciC: 368 } });
  });

  it("refuses a message without a charted vital", () => {
    expect(mapDeviceObservations([])).toEqual({ ok: false, error: "no charted vital sign in the message (MDC or LOINC coded)" });
    expect(mapDeviceObservations([mdc("150488", "MDC_BLD_PERF_INDEX", "1.7", "262688", "MDC_DIM_PERCENT")]).ok).toBe(false);
  });
});

describe("OBX-11 result status (HL7 v2.6 table 0085)", () => {
  it("charts F final, C corrected and R entered-not-verified, whatever the case", () => {
    for (const status of ["F", "C", "R", "f", " r "])
      expect(mapDeviceObservations([{ ...SPO2("96"), resultStatus: status }])).toMatchObject({ ok: true, values: { spo2Pct: 96 }, withheld: [] });
  });

  it("withholds W, P, I, any other status and a missing one: not stored, named; the rest of the set is stored", () => {
    const r = mapDeviceObservations([{ ...SPO2("80"), resultStatus: "W" }, { ...SYS("150"), resultStatus: "P" }, { ...DIA("90"), resultStatus: "I" }, { ...RR("9"), resultStatus: "" }, { ...ECG_HR("70"), resultStatus: "Z" }, TEMP("36.5")]);
    expect(r).toEqual({
      ok: true, mapped: 1, ignored: 0, observedAtMs: null, values: { temperatureDeciC: 365 },
      withheld: ["SpO2 (W wrong)", "Systolic BP (P preliminary)", "Diastolic BP (I in process)", "Respiratory rate (no status)", "Heart rate (Z)"],
    });
  });

  it("a withheld value does not stand in for a final one of the same quantity, nor is it checked", () => {
    // the wrong value is not even a number: it is not charted, so it does not refuse the message
    expect(mapDeviceObservations([{ ...SPO2("bad"), resultStatus: "W" }, SPO2("97")])).toMatchObject({ ok: true, values: { spo2Pct: 97 }, withheld: ["SpO2 (W wrong)"] });
  });

  it("refuses a message whose charted values are all withheld, with the reason", () => {
    expect(mapDeviceObservations([{ ...SPO2("80"), resultStatus: "W" }, { ...SYS("150"), resultStatus: "P" }]))
      .toEqual({ ok: false, error: "no final result to chart: SpO2 (W wrong), Systolic BP (P preliminary); only OBX-11 F, C or R is charted" });
    // X and D alone are "nothing charted", as before
    expect(mapDeviceObservations([{ ...SPO2("80"), resultStatus: "X" }])).toEqual({ ok: false, error: "no charted vital sign in the message (MDC or LOINC coded)" });
  });
});

describe("one message, one time (OBX-14)", () => {
  const T = "20261130120000+0000";
  const base = Date.UTC(2026, 10, 30, 12, 0, 0);
  const at = (o: DeviceObservation, observedAt: string) => ({ ...o, observedAt });

  it("takes the charted observations' time; the earliest when they differ within the tolerance", () => {
    expect(mapDeviceObservations([at(SPO2("97"), T), at(SYS("120"), T)])).toMatchObject({ ok: true, observedAtMs: base });
    expect(mapDeviceObservations([at(SPO2("97"), "20261130120030+0000"), at(SYS("120"), T)])).toMatchObject({ ok: true, observedAtMs: base });
    // exactly at the tolerance: one set
    expect(DEVICE_OBSERVATION_TIME_TOLERANCE_MS).toBe(60_000);
    expect(mapDeviceObservations([at(SPO2("97"), "20261130120100+0000"), at(SYS("120"), T)])).toMatchObject({ ok: true, observedAtMs: base });
    // the same instant written in two offsets is one time
    expect(mapDeviceObservations([at(SPO2("97"), "20261130070000-0500"), at(SYS("120"), T)])).toMatchObject({ ok: true, observedAtMs: base });
    // an observation without OBX-14 does not count; none with one: the message's time decides (null here)
    expect(mapDeviceObservations([at(SPO2("97"), ""), at(SYS("120"), T)])).toMatchObject({ ok: true, observedAtMs: base });
    expect(mapDeviceObservations([SPO2("97")])).toMatchObject({ ok: true, observedAtMs: null });
  });

  it("refuses times more than the tolerance apart (one second past it)", () => {
    expect(mapDeviceObservations([at(SPO2("97"), "20261130120101+0000"), at(SYS("120"), T)]))
      .toEqual({ ok: false, error: "observation times (OBX-14) differ by 61 s, more than 60 s: send one message per measurement time" });
    expect(mapDeviceObservations([at(SYS("120"), "20261130115500+0000"), at(DIA("80"), "20261130115500+0000"), at(SPO2("97"), T)]).ok).toBe(false);
  });

  it("ignores the times of observations it does not chart (uncharted codes, X, withheld)", () => {
    const old = "20261130100000+0000";
    expect(mapDeviceObservations([
      at(mdc("150488", "MDC_BLD_PERF_INDEX", "1.7", "262688", "MDC_DIM_PERCENT"), old),
      at({ ...RR("12"), resultStatus: "X" }, old), at({ ...ECG_HR("70"), resultStatus: "W" }, old), at(SPO2("97"), T),
    ])).toMatchObject({ ok: true, observedAtMs: base });
  });

  it("refuses an OBX-14 without a UTC offset (never guessed)", () => {
    expect(mapDeviceObservations([at(SPO2("97"), "20261130120000")])).toEqual({ ok: false, error: "SpO2: observation time 20261130120000 is not a timestamp with a UTC offset" });
  });
});

describe("oneEquipment (OBX-18)", () => {
  it("one identifier, repeated or on some observations only, is one device", () => {
    expect(oneEquipment([])).toEqual({ ok: true, equipmentId: null });
    expect(oneEquipment([{ equipmentId: "" }, {}])).toEqual({ ok: true, equipmentId: null });
    expect(oneEquipment([{ equipmentId: "0012A0FFFE000001" }, { equipmentId: " 0012A0FFFE000001 " }, { equipmentId: "" }])).toEqual({ ok: true, equipmentId: "0012A0FFFE000001" });
  });
  it("two identifiers refuse the message, naming them", () => {
    expect(oneEquipment([{ equipmentId: "AAA" }, { equipmentId: "BBB" }, { equipmentId: "AAA" }]))
      .toEqual({ ok: false, error: "observations from 2 devices (OBX-18 AAA, BBB): send one message per monitor" });
  });
});

describe("deviceCriticalFindings", () => {
  const L = DEFAULT_DEVICE_CRITICAL_LIMITS;
  it("SpO2 below 85 % [default] is critical, 85 is not", () => {
    expect(deviceCriticalFindings({ spo2Pct: 84 }, L)).toEqual(["SpO2 84 % (critical below 85 %)"]);
    expect(deviceCriticalFindings({ spo2Pct: 85 }, L)).toEqual([]);
  });
  it("systolic at or above 180 mmHg [default] is critical, 179 is not", () => {
    expect(deviceCriticalFindings({ systolicMmHg: 180 }, L)).toEqual(["Systolic BP 180 mmHg (critical at or above 180 mmHg)"]);
    expect(deviceCriticalFindings({ systolicMmHg: 179 }, L)).toEqual([]);
  });
  it("uses the clinic's settings and reports both", () => {
    expect(deviceCriticalFindings({ spo2Pct: 88, systolicMmHg: 170 }, { spo2BelowPct: 90, sbpAtOrAboveMmHg: 170 })).toHaveLength(2);
    expect(deviceCriticalFindings({}, L)).toEqual([]);
  });
});

describe("parseHl7Timestamp", () => {
  it("reads the offset and converts to UTC", () => {
    expect(parseHl7Timestamp("20261130120000+0000")).toBe(Date.UTC(2026, 10, 30, 12, 0, 0));
    expect(parseHl7Timestamp("20261130120000-0500")).toBe(Date.UTC(2026, 10, 30, 17, 0, 0));
    expect(parseHl7Timestamp("202611301200+0530")).toBe(Date.UTC(2026, 10, 30, 6, 30, 0));
    expect(parseHl7Timestamp("20261130120000.25+0000")).toBe(Date.UTC(2026, 10, 30, 12, 0, 0, 250));
  });
  it("refuses a time without an offset and impossible dates", () => {
    expect(parseHl7Timestamp("20261130120000")).toBeNull();
    expect(parseHl7Timestamp("20260231120000+0000")).toBeNull();
    expect(parseHl7Timestamp("20261130240000+0000")).toBeNull();
    expect(parseHl7Timestamp("garbage")).toBeNull();
    expect(parseHl7Timestamp("")).toBeNull();
  });
});

describe("deviceSilence (the device page's stopped-sending marker)", () => {
  const now = Date.UTC(2026, 10, 30, 12, 0, 0);
  const min = (m: number) => now - m * 60_000;
  const silence = (lastMin: number | null, opts: { active?: boolean; registeredMin?: number; thresholdMin?: number } = {}) =>
    deviceSilence({ active: opts.active ?? true, lastMessageAtMs: lastMin === null ? null : min(lastMin), registeredAtMs: min(opts.registeredMin ?? 600), nowMs: now, thresholdMin: opts.thresholdMin ?? 30 });

  it("the threshold is twice the clinic's vitals interval, 2 × 15 min [default] without one", () => {
    expect(deviceSilenceThresholdMin(10)).toEqual({ thresholdMin: 20, isDefault: false });
    expect(deviceSilenceThresholdMin(15)).toEqual({ thresholdMin: 30, isDefault: false });
    expect(deviceSilenceThresholdMin(null)).toEqual({ thresholdMin: 30, isDefault: true });
    expect(deviceSilenceThresholdMin(0)).toEqual({ thresholdMin: 30, isDefault: true });
  });

  it("marks only past the threshold: exactly at it is not silent, one ms more is", () => {
    expect(silence(29)).toBeNull();
    expect(silence(30)).toBeNull();
    expect(deviceSilence({ active: true, lastMessageAtMs: min(30) - 1, registeredAtMs: min(600), nowMs: now, thresholdMin: 30 })).toEqual({ silentMin: 30, neverSent: false });
    expect(silence(31)).toEqual({ silentMin: 31, neverSent: false });
    expect(silence(31, { thresholdMin: 40 })).toBeNull();
  });

  it("a monitor that never sent counts from its registration; a deactivated one is never marked", () => {
    expect(silence(null, { registeredMin: 10 })).toBeNull();
    expect(silence(null, { registeredMin: 45 })).toEqual({ silentMin: 45, neverSent: true });
    expect(silence(120, { active: false })).toBeNull();
  });
});

describe("pendingReadingSources", () => {
  it("one entry per monitor with its count and latest time, in order of first appearance", () => {
    expect(pendingReadingSources([])).toEqual([]);
    expect(pendingReadingSources([{ deviceName: "Monitor A", atMs: 3 }, { deviceName: "Monitor B", atMs: 2 }, { deviceName: "Monitor A", atMs: 1 }])).toEqual([
      { deviceName: "Monitor A", pending: 2, latestAtMs: 3 },
      { deviceName: "Monitor B", pending: 1, latestAtMs: 2 },
    ]);
  });
});
