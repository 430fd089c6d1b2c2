// The session summary of docs/clinical-brief.md "What a session summary holds": one row per session, built
// from the rows in force (corrections applied, retractions removed). Shared by the CSV, PDF
// and FHIR exports and the review screens, so they cannot disagree.

import { integrateDose, type DoseEventPoint } from "./dose";
import { isLateEntry } from "./guards";
import { reliefPct, sessionPrePost, type PainScale } from "./pain";
import { isoWithOffset } from "./time";
import { formatKg, formatMg, formatMgPerKg, formatMgPerKgPerH } from "./units";

export interface SummaryInput {
  clinicName: string;
  timeZone: string;
  mrn: string;
  patientName: string;
  birthDate: string;
  protocolName: string;
  protocolVersion: number;
  status: "IN_PROGRESS" | "COMPLETED" | "SIGNED";
  openedAtMs: number;
  completedAtMs: number | null;
  signedAtMs: number | null;
  weightG: number;
  nurseName: string;
  physicianName: string;
  signedByName: string | null;
  doseEvents: DoseEventPoint[];
  vitals: { systolicMmHg: number; diastolicMmHg: number; heartRatePerMin: number; spo2Pct: number }[];
  pain: { atMs: number; score: number; scale: PainScale; phase: "PRE" | "INTRA" | "POST" | "FOLLOW_UP" }[];
  sideEffects: { kind: string; severity: number }[];
  /** resolved: its condition went away (decision 0009); a resolved flag is never open */
  flags: { acknowledged: boolean; resolved?: boolean }[];
  /**
   * Late documentation (decision 0009): the clinical time and the time it was charted of every
   * entry in force, and the reason the session itself was documented late. Optional for
   * callers that only show totals; the exports pass them.
   */
  chartedTimes?: { atMs: number; enteredAtMs: number; queuedAtMs?: number | null }[];
  lateEntryReason?: string | null;
}

export interface SessionSummary {
  clinic: string;
  mrn: string;
  patientName: string;
  birthDate: string;
  sessionDate: string;
  protocol: string;
  protocolVersion: number;
  status: SummaryInput["status"];
  /** first START (or the session opening when never started), ISO 8601 with the clinic's offset */
  start: string;
  /** STOP, else completion; null while running */
  end: string | null;
  durationMin: number | null;
  weightKg: string;
  totalMg: string;
  totalMgPerKg: string;
  peakRateMgPerKgPerH: string;
  meanRateMgPerKgPerH: string;
  painScale: PainScale | null;
  preScore: number | null;
  postScore: number | null;
  reliefPct: number | null;
  worstSystolicMmHg: number | null;
  worstDiastolicMmHg: number | null;
  worstHeartRatePerMin: number | null;
  lowestSpo2Pct: number | null;
  /** "NAUSEA_VOMITING:2; DIZZINESS:1", each kind with its maximum severity */
  sideEffects: string;
  maxSideEffectSeverity: number | null;
  flagCount: number;
  openFlags: number;
  acknowledgedFlags: number;
  nurse: string;
  physician: string;
  signedBy: string | null;
  signedAt: string | null;
  /** entries in force charted more than 10 minutes after their clinical time */
  lateEntries: number;
  /** why the session was opened late (its opening time earlier than the chart), else null */
  documentedLate: string | null;
  /**
   * entries in force charted offline: saved on a device while the network was down and sent
   * when it returned (`queuedAt` set; docs/decisions/0017-offline-charting.md)
   */
  chartedOffline: number;
}

/** Builds the summary of one session. `nowMs` bounds the dose integral of a running session. */
export function buildSessionSummary(s: SummaryInput, nowMs: number): SessionSummary {
  const untilMs = s.completedAtMs ?? nowMs;
  const dose = integrateDose(s.doseEvents, s.weightG, untilMs);
  const startMs = dose.firstStartMs ?? s.openedAtMs;
  const endMs = dose.stopMs ?? s.completedAtMs;
  const { pre, post } = sessionPrePost(s.pain);
  const maxBy = new Map<string, number>();
  let maxSeverity: number | null = null;
  for (const e of s.sideEffects) {
    maxBy.set(e.kind, Math.max(maxBy.get(e.kind) ?? 0, e.severity));
    maxSeverity = Math.max(maxSeverity ?? e.severity, e.severity);
  }
  let worstSystolicMmHg: number | null = null;
  let worstDiastolicMmHg: number | null = null;
  let worstHeartRatePerMin: number | null = null;
  let lowestSpo2Pct: number | null = null;
  for (const v of s.vitals) {
    worstSystolicMmHg = Math.max(worstSystolicMmHg ?? v.systolicMmHg, v.systolicMmHg);
    worstDiastolicMmHg = Math.max(worstDiastolicMmHg ?? v.diastolicMmHg, v.diastolicMmHg);
    worstHeartRatePerMin = Math.max(worstHeartRatePerMin ?? v.heartRatePerMin, v.heartRatePerMin);
    lowestSpo2Pct = Math.min(lowestSpo2Pct ?? v.spo2Pct, v.spo2Pct);
  }
  let acknowledged = 0;
  let resolvedOnly = 0;
  for (const f of s.flags) {
    if (f.acknowledged) acknowledged += 1;
    else if (f.resolved) resolvedOnly += 1;
  }
  const start = isoWithOffset(startMs, s.timeZone);
  return {
    clinic: s.clinicName,
    mrn: s.mrn,
    patientName: s.patientName,
    birthDate: s.birthDate,
    sessionDate: start.slice(0, 10),
    protocol: s.protocolName,
    protocolVersion: s.protocolVersion,
    status: s.status,
    start,
    end: endMs === null ? null : isoWithOffset(endMs, s.timeZone),
    durationMin: endMs === null || dose.firstStartMs === null ? null : Math.round((endMs - startMs) / 60_000),
    weightKg: formatKg(s.weightG),
    totalMg: formatMg(dose.totalUg),
    totalMgPerKg: formatMgPerKg(dose.totalUgPerKg),
    peakRateMgPerKgPerH: formatMgPerKgPerH(dose.peakRateUgPerKgPerH),
    meanRateMgPerKgPerH: formatMgPerKgPerH(dose.meanRateUgPerKgPerH),
    painScale: pre?.scale ?? post?.scale ?? null,
    preScore: pre?.score ?? null,
    postScore: post?.score ?? null,
    reliefPct: reliefPct(pre, post),
    worstSystolicMmHg,
    worstDiastolicMmHg,
    worstHeartRatePerMin,
    lowestSpo2Pct,
    sideEffects: [...maxBy].map(([k, v]) => `${k}:${v}`).join("; "),
    maxSideEffectSeverity: maxSeverity,
    flagCount: s.flags.length,
    openFlags: s.flags.length - acknowledged - resolvedOnly,
    acknowledgedFlags: acknowledged,
    nurse: s.nurseName,
    physician: s.physicianName,
    signedBy: s.signedByName,
    signedAt: s.signedAtMs === null ? null : isoWithOffset(s.signedAtMs, s.timeZone),
    lateEntries: (s.chartedTimes ?? []).filter((r) => isLateEntry(r.atMs, r.enteredAtMs)).length,
    documentedLate: s.lateEntryReason ?? null,
    chartedOffline: (s.chartedTimes ?? []).filter((r) => r.queuedAtMs != null).length,
  };
}

/** The CSV columns, in order, with their documented headers (units in the header). */
export const SUMMARY_COLUMNS: { key: keyof SessionSummary; header: string }[] = [
  { key: "clinic", header: "Clinic" },
  { key: "mrn", header: "MRN" },
  { key: "patientName", header: "Patient name" },
  { key: "birthDate", header: "Birth date" },
  { key: "sessionDate", header: "Session date" },
  { key: "protocol", header: "Protocol" },
  { key: "protocolVersion", header: "Protocol version" },
  { key: "status", header: "Status" },
  { key: "start", header: "Start" },
  { key: "end", header: "End" },
  { key: "durationMin", header: "Duration (min)" },
  { key: "weightKg", header: "Weight (kg)" },
  { key: "totalMg", header: "Total dose (mg)" },
  { key: "totalMgPerKg", header: "Total dose (mg/kg)" },
  { key: "peakRateMgPerKgPerH", header: "Peak rate (mg/kg/h)" },
  { key: "meanRateMgPerKgPerH", header: "Mean rate (mg/kg/h)" },
  { key: "painScale", header: "Pain scale" },
  { key: "preScore", header: "Pain before" },
  { key: "postScore", header: "Pain after" },
  { key: "reliefPct", header: "Relief (%)" },
  { key: "worstSystolicMmHg", header: "Highest SBP (mmHg)" },
  { key: "worstDiastolicMmHg", header: "Highest DBP (mmHg)" },
  { key: "worstHeartRatePerMin", header: "Highest HR (/min)" },
  { key: "lowestSpo2Pct", header: "Lowest SpO2 (%)" },
  { key: "sideEffects", header: "Side effects (kind:max severity 0-3)" },
  { key: "maxSideEffectSeverity", header: "Max side-effect severity (0-3)" },
  { key: "flagCount", header: "Flags" },
  { key: "openFlags", header: "Flags open" },
  { key: "acknowledgedFlags", header: "Flags acknowledged" },
  { key: "nurse", header: "Nurse" },
  { key: "physician", header: "Physician" },
  { key: "signedBy", header: "Signed by" },
  { key: "signedAt", header: "Signed at" },
  { key: "lateEntries", header: "Late entries (charted > 10 min after their time)" },
  { key: "documentedLate", header: "Documented late (reason)" },
  { key: "chartedOffline", header: "Charted offline (entries saved on a device without network, sent later)" },
];
