/**
 * Builders for integration tests that chart through the real services: a patient with a
 * series on a named seeded protocol, a session on it, and raw-input shortcuts parsed with
 * the same zod schemas the routes use.
 */
import { expect } from "vitest";
import { createPatient } from "@/prisma/seed/factories";
import { AppError, type AppErrorCode } from "@/lib/errors";
import { orderSeries } from "@/lib/server/series";
import { chartDoseEvent, chartVitals, completeSession, recordPain, recordSideEffect, retractEntry, startSession, type RetractableKind } from "@/lib/server/sessions";
import type { Actor } from "@/lib/server/actor";
import { OrderSeriesSchema } from "@/lib/validation/series";
import { CompleteSessionSchema, DoseEventSchema, PainSchema, SideEffectSchema, StartSessionSchema, VitalsSchema } from "@/lib/validation/session";
import { db, freshClinic } from "./helpers";

export type Clinic = Awaited<ReturnType<typeof freshClinic>>;

let mrnCounter = 0;
/** A unique MRN for this test process. */
export function nextMrn() {
  mrnCounter += 1;
  return `T-${process.pid}-${mrnCounter}`;
}

export const T0 = new Date("2026-03-02T14:00:00.000Z");
/** T0 + minutes, as a Date. */
export const at = (minutes: number, base = T0) => new Date(base.getTime() + minutes * 60_000);
export const iso = (minutes: number, base = T0) => at(minutes, base).toISOString();

/** A consented patient with a series (ordered by the clinic's physician) on `protocolName`. */
export async function patientWithSeries(
  c: Clinic,
  protocolName: string,
  opts: { plannedSessions?: number; screening?: Parameters<typeof createPatient>[1]["screening"]; screeningOverrideReason?: string } = {},
) {
  const patient = await createPatient(db, {
    clinicId: c.clinic.id, mrn: nextMrn(), givenName: "Ada", familyName: "Test", birthDate: "1980-05-01",
    weightKg: 70, screening: opts.screening,
  });
  const version = c.protocolByName(protocolName).version;
  const input = OrderSeriesSchema.parse({
    protocolVersionId: version.id, plannedSessions: opts.plannedSessions ?? 5, startDate: "2026-03-01",
    ...(opts.screeningOverrideReason ? { screeningOverrideReason: opts.screeningOverrideReason } : {}),
  });
  const { series, flags } = await db.$transaction((tx) => orderSeries(tx, { actor: c.actors.physician, patientId: patient.id, input }));
  return { patient, series, flags };
}

/** Starts a session on a fresh series: 70.4 kg, 1 mg/mL, opened at `openedAt`. */
export async function openSession(c: Clinic, protocolName: string, openedAt = T0, opts: { plannedSessions?: number } = {}) {
  const { patient, series } = await patientWithSeries(c, protocolName, opts);
  const started = await start(c.actors.nurse, series.id, openedAt);
  return { patient, series, session: started.session, startFlags: started.flags };
}

export function start(actor: Actor, seriesId: string, now: Date) {
  const input = StartSessionSchema.parse({ weightKg: 70.4, concentrationMgPerMl: 1, consentConfirmed: true, screeningReviewed: true });
  return db.$transaction((tx) => startSession(tx, { actor, seriesId, input, now }));
}

export const normalVitals = { systolicMmHg: 120, diastolicMmHg: 80, heartRatePerMin: 80, spo2Pct: 98, respRatePerMin: 14 };

/** Charts vitals at `atDate` (the server clock is `now`, default the same instant). */
export function vitals(actor: Actor, sessionId: string, atDate: Date, raw: Record<string, unknown> = {}, now = atDate) {
  const input = VitalsSchema.parse({ at: atDate.toISOString(), ...normalVitals, ...raw });
  return db.$transaction((tx) => chartVitals(tx, { actor, sessionId, input, now }));
}

export function dose(actor: Actor, sessionId: string, atDate: Date, raw: Record<string, unknown>, now = atDate) {
  const input = DoseEventSchema.parse({ at: atDate.toISOString(), ...raw });
  return db.$transaction((tx) => chartDoseEvent(tx, { actor, sessionId, input, now }));
}

export function pain(actor: Actor, sessionId: string, atDate: Date, raw: Record<string, unknown>, now = atDate) {
  const input = PainSchema.parse({ at: atDate.toISOString(), scale: "NRS", ...raw });
  return db.$transaction((tx) => recordPain(tx, { actor, sessionId, input, now }));
}

export function sideEffect(actor: Actor, sessionId: string, atDate: Date, raw: Record<string, unknown>, now = atDate) {
  const input = SideEffectSchema.parse({ at: atDate.toISOString(), ...raw });
  return db.$transaction((tx) => recordSideEffect(tx, { actor, sessionId, input, now }));
}

/** Completes the session at `now` (discharge confirmed unless `raw` says otherwise). */
export function complete(actor: Actor, sessionId: string, now: Date, raw: Record<string, unknown> = { dischargeReady: true }) {
  const input = CompleteSessionSchema.parse(raw);
  return db.$transaction((tx) => completeSession(tx, { actor, sessionId, input, now }));
}

/**
 * A whole 60-minute session of `c`'s IV protocol opened at `openedAt` and completed 80 minutes
 * later: vitals every 15 min, NRS 8 before and 4 after, 0.3 mg/kg/h. Returns the series.
 */
export async function completedSession(c: Clinic, openedAt: Date, opts: { plannedSessions?: number } = {}) {
  const { series, session, patient } = await openSession(c, "IV infusion (routes table)", openedAt, opts);
  const nurse = c.actors.nurse;
  const m = (min: number) => at(min, openedAt);
  await vitals(nurse, session.id, m(1));
  await pain(nurse, session.id, m(2), { score: 8, phase: "PRE" });
  await dose(nurse, session.id, m(3), { type: "START", rateMgPerKgPerH: 0.3, reason: "as ordered" });
  for (const t of [5, 20, 35, 50]) await vitals(nurse, session.id, m(t));
  await dose(nurse, session.id, m(63), { type: "STOP" });
  await pain(nurse, session.id, m(70), { score: 4, phase: "POST" });
  await complete(nurse, session.id, m(80));
  return { series, session, patient };
}

/** Withdraws entry `entryId` as entered in error. */
export function retract(actor: Actor, sessionId: string, kind: RetractableKind, entryId: string, now: Date, correctionReason = "entered in error") {
  return db.$transaction((tx) => retractEntry(tx, { actor, sessionId, kind, entryId, correctionReason, now }));
}

/** Awaits `p`, expects an AppError with `code`, and returns it for further checks. */
export async function expectAppError(p: Promise<unknown>, code: AppErrorCode): Promise<AppError> {
  let caught: unknown = null;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected AppError ${code}`).toBeInstanceOf(AppError);
  expect((caught as AppError).code).toBe(code);
  return caught as AppError;
}

/** Flag codes of a service result, sorted. */
export const codes = (flags: { code: string }[]) => flags.map((f) => f.code).sort();
