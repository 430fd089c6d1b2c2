import "server-only";
import { effectiveRows, type Correctable } from "@/lib/domain/charting";
import { validateDoseSequence, type DoseEventPoint } from "@/lib/domain/dose";
import { byClinicalTime } from "@/lib/domain/vitals-schedule";
import type { FlagSourceType } from "@/lib/domain/session-flags";
import { deciCFromC, rateUgPerKgPerHFromMgPerKgPerH, ugFromMg } from "@/lib/domain/units";
import { badInput, conflict, notFound } from "@/lib/errors";
import type { DoseEventInput, PainInput, SideEffectInput, VitalsInput } from "@/lib/validation/session";
import type { Actor } from "../actor";
import { auditAs } from "../audit";
import type { Tx } from "../db";
import { newId } from "../ids";
import { doseEventDto, painDto, sideEffectDto, toPoint, vitalsDto } from "./dto";
import { insertVitals } from "../sql/insert-vitals";
import { assertHardOverride, lockAndLoadForVitals, reconcileSessionFlags, withStoredEntry } from "./flag-reconcile";
import { assertCorrectable, openChartingWrite, openSessionWrite, resolveChartTime } from "./write-context";
import { checkDoseEventInputs } from "./input-checks";

// Charting writes: dose events, vitals, pain scores, side effects, and their corrections and
// retractions. Every one is a new row (docs/decisions/0004-flags-and-charting.md).

export async function chartDoseEvent(
  tx: Tx,
  { actor, sessionId, input, now = new Date() }: { actor: Actor; sessionId: string; input: DoseEventInput; now?: Date },
) {
  const s = await openSessionWrite(tx, actor, sessionId, "chart-dose");
  // the rate the pump cannot run is refused before the time is checked, as it always was
  await checkDoseEventInputs(tx, { sessionId, limits: s.limits, weightG: s.weightG, input });
  const { at, queuedAt } = resolveChartTime(s, input, now, { correction: !!input.correctsId });
  const rateUgPerKgPerH = input.rateMgPerKgPerH === undefined ? null : rateUgPerKgPerHFromMgPerKgPerH(input.rateMgPerKgPerH);
  const bolusUg = input.bolusMg === undefined ? null : ugFromMg(input.bolusMg);
  const rows = await tx.doseEvent.findMany({ where: { sessionId }, orderBy: [{ at: "asc" }, { enteredAt: "asc" }] });
  assertCorrectable(rows, input.correctsId);
  const prior = effectiveRows(rows).filter((r) => r.id !== input.correctsId).map(toPoint);
  const event: DoseEventPoint = { type: input.type, atMs: at.getTime(), rateUgPerKgPerH, bolusUg };
  const sequenceError = validateDoseSequence(prior, event);
  if (sequenceError) throw badInput(sequenceError, { type: sequenceError });
  // the row's id is chosen before the HARD check so the engine keys its conditions as they will be stored
  const id = newId(now.getTime());
  const candidate = { type: "DoseEvent", correctsId: input.correctsId, row: { ...event, id, enteredAtMs: now.getTime() } } as const;
  const { overrideReason, contextOnceStored } = await assertHardOverride(tx, {
    clinicId: actor.clinicId, sessionId, now, overrideReason: input.overrideReason, candidate,
  });
  const row = await tx.doseEvent.create({
    data: {
      id, sessionId, type: input.type, at, rateUgPerKgPerH, bolusUg,
      reason: input.reason?.trim() || input.backTimeReason?.trim() || null,
      overrideReason,
      enteredById: actor.userId, enteredAt: now, queuedAt,
      correctsId: input.correctsId ?? null, correctionReason: input.correctionReason ?? null,
    },
  });
  await auditAs(tx, actor)(input.correctsId ? "dose.correct" : "dose.chart", "DoseEvent", row.id, {
    before: input.correctsId ? rows.find((r) => r.id === input.correctsId) : undefined,
    after: row,
  });
  const flags = await reconcileSessionFlags(tx, {
    actor, sessionId, now, newEntry: { type: "DoseEvent", id: row.id },
    reason: input.reason?.trim() || input.backTimeReason?.trim() || null, overrideReason,
    // the context the HARD check read, with this row stored: read once per dose event
    context: contextOnceStored,
  });
  return { doseEvent: doseEventDto(row), flags: flags.raised, resolvedFlags: flags.resolved };
}

// ---------------------------------------------------------------- vitals

export async function chartVitals(
  tx: Tx,
  { actor, sessionId, input, now = new Date(), deviceReadingId = null }: {
    actor: Actor; sessionId: string; input: VitalsInput; now?: Date;
    /** set when a nurse accepts a monitor reading: the set's source (lib/server/devices/readings.ts) */
    deviceReadingId?: string | null;
  },
) {
  const { at, queuedAt } = await openChartingWrite(tx, { actor, sessionId, action: "chart-observation", input, now });
  const temperatureDeciC = input.temperatureC === undefined ? null : deciCFromC(input.temperatureC);
  // The flag engine's context and the session's vitals in one statement, under the flag lock,
  // before the set is stored: the rows answer which set a correction targets and which set is
  // the baseline, and the context, with this set applied, is what the flags are reconciled on
  // (a multi-day session holds hundreds of sets: read once per write, not twice).
  const loaded = await lockAndLoadForVitals(tx, actor.clinicId, sessionId);
  if (!loaded) throw notFound("Session");
  const rows = loaded.vitals;
  assertCorrectable(rows, input.correctsId);
  // in chart order (clinical time, charting time, id): with no set marked, the first one is the baseline
  const effective = effectiveRows(rows).filter((r) => r.id !== input.correctsId).sort(byClinicalTime);
  const baseline = effective.find((r) => r.isBaseline) ?? effective[0] ?? null;
  const corrected = input.correctsId ? rows.find((r) => r.id === input.correctsId) ?? null : null;
  // a correction of the baseline set stays the baseline
  const isBaseline = input.isBaseline ?? (corrected ? corrected.isBaseline : baseline === null);
  const id = newId(now.getTime());
  const row = await insertVitals(tx, { id, sessionId, at, queuedAt, input, temperatureDeciC, isBaseline, enteredById: actor.userId, now, deviceReadingId });
  await auditAs(tx, actor)(input.correctsId ? "vitals.correct" : "vitals.chart", "VitalSigns", row.id, {
    // the corrected set as the audit has always quoted it (its light columns, in this order)
    before: corrected ? {
      id: corrected.id, at: new Date(corrected.atMs), correctsId: corrected.correctsId, isRetraction: corrected.isRetraction,
      isBaseline: corrected.isBaseline, systolicMmHg: corrected.systolicMmHg, diastolicMmHg: corrected.diastolicMmHg,
    } : undefined,
    after: row,
  });
  // vitals thresholds are SOFT: no HARD check before storing
  const candidate = {
    type: "VitalSigns", correctsId: input.correctsId ?? null,
    row: {
      id: row.id, atMs: row.at.getTime(), enteredAtMs: now.getTime(),
      systolicMmHg: row.systolicMmHg, diastolicMmHg: row.diastolicMmHg, heartRatePerMin: row.heartRatePerMin, spo2Pct: row.spo2Pct, respRatePerMin: row.respRatePerMin,
    },
  } as const;
  const flags = await reconcileSessionFlags(tx, {
    actor, sessionId, now, newEntry: { type: "VitalSigns", id: row.id }, reason: input.reason?.trim() || input.backTimeReason?.trim() || null,
    // the context read above, with this set stored; its flag lock is still held
    context: withStoredEntry(loaded.ctx, candidate),
  });
  return { vitals: vitalsDto(row), flags: flags.raised, resolvedFlags: flags.resolved };
}

// ---------------------------------------------------------------- pain

export async function recordPain(
  tx: Tx,
  { actor, sessionId, input, now = new Date() }: { actor: Actor; sessionId: string; input: PainInput; now?: Date },
) {
  // Follow-up scores (days after the infusion, often by phone) belong to the session they
  // follow and are accepted after it is signed: they do not change what was charted.
  const action = input.phase === "FOLLOW_UP" ? "chart-follow-up" : "chart-observation";
  const { s, at, queuedAt } = await openChartingWrite(tx, { actor, sessionId, action, input, now });
  const rows = await tx.painScore.findMany({ where: { sessionId }, orderBy: { at: "asc" } });
  assertCorrectable(rows, input.correctsId);
  const row = await tx.painScore.create({
    data: {
      seriesId: s.seriesId, sessionId, at, score: input.score, scale: input.scale, phase: input.phase,
      enteredById: actor.userId, enteredAt: now, queuedAt,
      correctsId: input.correctsId ?? null, correctionReason: input.correctionReason ?? null,
    },
  });
  await auditAs(tx, actor)(input.correctsId ? "pain.correct" : "pain.record", "PainScore", row.id, {
    before: input.correctsId ? rows.find((r) => r.id === input.correctsId) : undefined,
    after: row,
  });
  // no flag is raised from pain itself; reconciling anyway keeps every write's answer the same
  // shape and the time-driven conditions (a vitals gap, a dose total reached meanwhile) current
  const flags = await reconcileSessionFlags(tx, { actor, sessionId, now, newEntry: { type: "PainScore", id: row.id } });
  return { painScore: painDto(row), flags: flags.raised, resolvedFlags: flags.resolved };
}

// ---------------------------------------------------------------- side effects

export async function recordSideEffect(
  tx: Tx,
  { actor, sessionId, input, now = new Date() }: { actor: Actor; sessionId: string; input: SideEffectInput; now?: Date },
) {
  const { at, queuedAt } = await openChartingWrite(tx, { actor, sessionId, action: "chart-observation", input, now });
  const rows = await tx.sideEffect.findMany({ where: { sessionId }, orderBy: { at: "asc" } });
  assertCorrectable(rows, input.correctsId);
  const row = await tx.sideEffect.create({
    data: {
      sessionId, at, kind: input.kind, severity: input.severity, intervention: input.intervention ?? null,
      note: input.note?.trim() || null, enteredById: actor.userId, enteredAt: now, queuedAt,
      correctsId: input.correctsId ?? null, correctionReason: input.correctionReason ?? null,
    },
  });
  await auditAs(tx, actor)(input.correctsId ? "side-effect.correct" : "side-effect.record", "SideEffect", row.id, {
    before: input.correctsId ? rows.find((r) => r.id === input.correctsId) : undefined,
    after: row,
  });
  const flags = await reconcileSessionFlags(tx, {
    actor, sessionId, now, newEntry: { type: "SideEffect", id: row.id }, reason: input.note?.trim() || null,
  });
  return { sideEffect: sideEffectDto(row), flags: flags.raised, resolvedFlags: flags.resolved };
}

// ---------------------------------------------------------------- retraction (entered in error)

const RETRACTABLE = {
  "dose-events": "doseEvent",
  vitals: "vitalSigns",
  pain: "painScore",
  "side-effects": "sideEffect",
} as const;
export type RetractableKind = keyof typeof RETRACTABLE;
/** Audit rows name the model, like every other action. */
const RETRACTABLE_ENTITY: Record<RetractableKind, string> = {
  "dose-events": "DoseEvent",
  vitals: "VitalSigns",
  pain: "PainScore",
  "side-effects": "SideEffect",
};

/** The columns a retraction sets itself; every other column is copied from the entry it withdraws. */
const RETRACTION_OWN_COLUMNS = new Set(["id", "enteredAt", "queuedAt", "correctsId", "correctionReason", "isRetraction"]);

/**
 * Withdraws a charted entry entered in error: a new retraction row pointing at it, with a
 * reason. The original stays in the chart, struck through.
 */
export async function retractEntry(
  tx: Tx,
  { actor, sessionId, kind, entryId, correctionReason, now = new Date() }: {
    actor: Actor; sessionId: string; kind: RetractableKind; entryId: string; correctionReason: string; now?: Date;
  },
) {
  // a retraction is charting: it follows the rule of the entry it withdraws
  const action = kind === "dose-events" ? "chart-dose" : "chart-observation";
  await openSessionWrite(tx, actor, sessionId, action);
  // The four charted tables share the correction columns; each keeps its own type.
  const model = tx[RETRACTABLE[kind]] as unknown as {
    findMany(a: { where: { sessionId: string } }): Promise<(Correctable & Record<string, unknown>)[]>;
    create(a: { data: Record<string, unknown> }): Promise<{ id: string }>;
  };
  const rows = await model.findMany({ where: { sessionId } });
  const target = rows.find((r) => r.id === entryId);
  if (!target) throw notFound("Entry");
  assertCorrectable(rows, entryId);
  if (kind === "dose-events") {
    const remaining = effectiveRows(rows as never as (Correctable & { type: DoseEventPoint["type"]; at: Date; rateUgPerKgPerH: number | null; bolusUg: number | null })[])
      .filter((r) => r.id !== entryId)
      .map(toPoint)
      .sort((a, b) => a.atMs - b.atMs);
    // Withdrawing an entry must leave a timeline that still makes sense (e.g. not a RESUME without its PAUSE).
    for (let i = 0; i < remaining.length; i++) {
      const err = validateDoseSequence(remaining.slice(0, i), remaining[i]!);
      if (err) throw conflict(`Withdrawing this entry would leave an impossible timeline: ${err}`);
    }
  }
  const copy = Object.fromEntries(Object.entries(target).filter(([column]) => !RETRACTION_OWN_COLUMNS.has(column)));
  const row = await model.create({
    data: { ...copy, enteredById: actor.userId, enteredAt: now, correctsId: entryId, correctionReason, isRetraction: true },
  });
  await auditAs(tx, actor)("entry.retract", RETRACTABLE_ENTITY[kind], row.id, { before: target, after: { retracts: entryId, correctionReason } });
  // withdrawing a row can only remove a HARD condition (rates and boluses are per row; a
  // window sum only falls), so no HARD check is needed before storing it
  const flags = await reconcileSessionFlags(tx, { actor, sessionId, now, newEntry: { type: RETRACTABLE_ENTITY[kind] as FlagSourceType, id: row.id } });
  return { retraction: { id: row.id, correctsId: entryId, correctionReason }, flags: flags.raised, resolvedFlags: flags.resolved };
}
