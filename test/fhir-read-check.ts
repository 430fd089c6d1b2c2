/**
 * Read back (docs/decisions/0015-unicode-pdf-and-fhir-validation.md): rebuilds every session of
 * an exported FHIR bundle with lib/domain/fhir-read.ts and compares it with what the session
 * service itself says about that session (getSessionChart: its totals, its vitals in force, its
 * flags), so the exchange file is checked against the app's own numbers, not constants.
 */
import { expect } from "vitest";
import { effectiveRows } from "@/lib/domain/charting";
import { readSessionsFromBundle } from "@/lib/domain/fhir-read";
import type { Actor } from "@/lib/server/actor";
import { getSessionChart } from "@/lib/server/sessions";

/** Asserts every session of `bundle` equals the service's chart of it; returns how many were checked. */
export async function expectBundleMatchesCharts(bundle: unknown, actor: Actor): Promise<number> {
  const sessions = readSessionsFromBundle(bundle);
  // a running session is integrated to the bundle's timestamp by the reader: the chart is asked
  // at that same instant, so its totals are comparable too (a finished one ignores `now`)
  const timestamp = new Date((bundle as { timestamp: string }).timestamp);
  for (const read of sessions) {
    const chart = await getSessionChart({ actor, sessionId: read.sessionId, now: timestamp });
    expect(read.patient.mrn).toBe(chart.patient.mrn);
    expect(`${read.patient.familyName}, ${read.patient.givenName}`).toBe(chart.patient.name);
    expect(read.weightG).toBe(chart.weightG);
    expect(read.doseEvents).toEqual(effectiveRows(chart.doseEvents).map((e) => ({
      type: e.type, atMs: Date.parse(e.at), rateUgPerKgPerH: e.type === "START" || e.type === "RATE_CHANGE" ? e.rateUgPerKgPerH : null, bolusUg: e.type === "BOLUS" ? e.bolusUg : null,
    })));
    // the chart integrates to the completion (or `now` while running); the bundle to its end (or its timestamp)
    expect(read.totals).toEqual(chart.totals);
    expect(read.vitals).toEqual(effectiveRows(chart.vitals).map((v) => ({
      id: v.id, atMs: Date.parse(v.at), systolicMmHg: v.systolicMmHg, diastolicMmHg: v.diastolicMmHg, heartRatePerMin: v.heartRatePerMin,
      spo2Pct: v.spo2Pct, respRatePerMin: v.respRatePerMin, temperatureDeciC: v.temperatureDeciC,
    })));
    const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));
    // flags raised in the same minute have no order of their own: compare them by time, then code
    const byTimeThenCode = <F extends { raisedAtMs: number | null; code: string }>(list: F[]) =>
      [...list].sort((a, b) => (a.raisedAtMs ?? 0) - (b.raisedAtMs ?? 0) || a.code.localeCompare(b.code));
    expect(byTimeThenCode(read.flags)).toEqual(byTimeThenCode(chart.flags.map((f) => ({
      code: f.code, severity: f.severity, raisedAtMs: ms(f.raisedAt), acknowledgedAtMs: ms(f.acknowledgedAt), resolvedAtMs: ms(f.resolvedAt), active: f.status === "OPEN",
    }))));
  }
  return sessions.length;
}
