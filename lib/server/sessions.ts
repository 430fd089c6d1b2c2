import "server-only";
import { BACK_TIME_GRACE_MS, effectiveRows, FUTURE_SKEW_MS, type Correctable } from "@/lib/domain/charting";
import { integrateDose, validateDoseSequence, type DoseEventPoint } from "@/lib/domain/dose";
import {
  evaluateCompletion,
  evaluateDoseEvent,
  evaluateSessionSchedule,
  evaluateSideEffect,
  evaluateVitals,
  evaluateVitalsOverdue,
  type FlagDraft,
} from "@/lib/domain/flags";
import type { ProtocolLimits } from "@/lib/domain/protocol";
import { deciCFromC, gFromKg, rateUgPerKgPerHFromMgPerKgPerH, ugFromMg, ugPerMlFromMgPerMl } from "@/lib/domain/units";
import { AppError, badInput, conflict, notFound } from "@/lib/errors";
import type { Prisma, ProtocolVersion, SessionStatus } from "@/lib/generated/prisma/client";
import type {
  CompleteSessionSchema,
  DoseEventInput,
  PainInput,
  SideEffectInput,
  StartSessionInput,
  VitalsInput,
} from "@/lib/validation/session";
import type { z } from "zod";
import { requirePermission, type Actor } from "./actor";
import { auditAs } from "./audit";
import { db, type Tx } from "./db";
import { newId } from "./ids";
import { limitsOf } from "./protocols";
import { loadSeries } from "./series";


export { effectiveRows };

/** Flags about the session as a whole: raised once per session. */
const PER_SESSION_CODES = new Set(["CUMULATIVE_DOSE_ABOVE_RANGE", "DURATION_OUT_OF_RANGE"]);

type SessionForWrite = Awaited<ReturnType<typeof loadSessionForWrite>>;

/**
 * Loads a session of the actor's clinic for a charting write, holding a share lock on its
 * row until the transaction ends: concurrent charting proceeds, but completing or signing
 * (which update the row) waits, so nothing is charted onto a session as it is signed.
 */
async function loadSessionForWrite(tx: Tx, actor: Actor, sessionId: string, lock: "share" | "update" = "share") {
  // One round trip: the session (scoped to the clinic), its protocol version's limits, and the
  // row lock. State changes (complete, sign) take the row exclusively up front: two of them
  // holding a share lock and then both updating would deadlock instead of one getting a 409.
  type Row = {
    id: string; seriesId: string; status: SessionStatus; openedAt: Date; completedAt: Date | null;
    weightG: number; rowVersion: number; pv: ProtocolVersion;
  };
  const rows = lock === "update"
    ? await tx.$queryRaw<Row[]>`
        SELECT s.id, s."seriesId", s.status::text AS status, s."openedAt", s."completedAt", s."weightG", s."rowVersion", to_jsonb(pv) AS pv
          FROM "InfusionSession" s
          JOIN "Series" se ON se.id = s."seriesId"
          JOIN "ProtocolVersion" pv ON pv.id = se."protocolVersionId"
         WHERE s.id = ${sessionId} AND s."clinicId" = ${actor.clinicId}
           FOR UPDATE OF s`
    : await tx.$queryRaw<Row[]>`
        SELECT s.id, s."seriesId", s.status::text AS status, s."openedAt", s."completedAt", s."weightG", s."rowVersion", to_jsonb(pv) AS pv
          FROM "InfusionSession" s
          JOIN "Series" se ON se.id = s."seriesId"
          JOIN "ProtocolVersion" pv ON pv.id = se."protocolVersionId"
         WHERE s.id = ${sessionId} AND s."clinicId" = ${actor.clinicId}
           FOR SHARE OF s`;
  const row = rows[0];
  if (!row) throw notFound("Session");
  const { pv, ...session } = row;
  return { ...session, limits: limitsOf(pv) };
}

function assertOpen(s: SessionForWrite, what: "dose" | "observation") {
  if (s.status === "SIGNED") throw conflict("This session is signed: only addenda can be added.");
  if (s.status === "COMPLETED" && what === "dose")
    throw conflict("This session is completed: dose events can no longer be charted.");
}

/**
 * A charted time must fall within the session (not before it opened, not in the future)
 * and, when back-timed beyond the grace period, carry a reason.
 */
function resolveChartTime(s: SessionForWrite, atIso: string, backTimeReason: string | undefined, now: Date, opts: { followUp?: boolean; correction?: boolean } = {}) {
  const at = new Date(atIso);
  if (at.getTime() < s.openedAt.getTime())
    throw badInput("The time is before this session opened.", { at: `must be at or after ${s.openedAt.toISOString()}` });
  if (at.getTime() > now.getTime() + FUTURE_SKEW_MS) throw badInput("The time is in the future.", { at: "must not be in the future" });
  if (!opts.followUp && s.completedAt && s.status !== "IN_PROGRESS" && at.getTime() > s.completedAt.getTime() + 24 * 3600_000)
    throw badInput("The time is after this session ended.", { at: "must be within the session" });
  // A correction keeps the original's time; its correction reason already says why it is late.
  if (!opts.followUp && !opts.correction && now.getTime() - at.getTime() > BACK_TIME_GRACE_MS && !(backTimeReason && backTimeReason.trim().length >= 3))
    throw badInput("This entry is back-timed: give a reason.", { backTimeReason: "required for entries more than 10 minutes in the past" });
  return at;
}

async function assertCorrectable(
  rows: Correctable[],
  correctsId: string | undefined,
): Promise<void> {
  if (!correctsId) return;
  const target = rows.find((r) => r.id === correctsId);
  if (!target) throw badInput("The entry to correct is not part of this session.", { correctsId: "not found in this session" });
  if (target.isRetraction || rows.some((r) => r.correctsId === correctsId))
    throw conflict("That entry was already corrected: correct the newest version instead.");
}

function toPoint(e: { type: DoseEventPoint["type"]; at: Date; rateUgPerKgPerH: number | null; bolusUg: number | null }): DoseEventPoint {
  return { type: e.type, atMs: e.at.getTime(), rateUgPerKgPerH: e.rateUgPerKgPerH, bolusUg: e.bolusUg };
}

async function storeFlags(
  tx: Tx,
  actor: Actor,
  s: { id: string; seriesId: string },
  drafts: FlagDraft[],
  source: { type: string; id: string },
  reason: string | null,
  raisedAt: Date,
) {
  const audit = auditAs(tx, actor);
  const stored = [];
  for (const d of drafts) {
    const flag = await tx.flag.create({
      data: {
        clinicId: actor.clinicId, seriesId: s.seriesId, sessionId: s.id, code: d.code, severity: d.severity,
        valueText: d.valueText, limitText: d.limitText, message: d.message,
        sourceType: source.type, sourceId: source.id, reason, raisedById: actor.userId, raisedAt,
      },
    });
    await audit("flag.raise", "Flag", flag.id, { after: flag });
    stored.push(flagDto(flag, null));
  }
  return stored;
}

// ---------------------------------------------------------------- start

export async function startSession(
  tx: Tx,
  { actor, seriesId, input, now = new Date() }: { actor: Actor; seriesId: string; input: StartSessionInput; now?: Date },
) {
  requirePermission(actor, "session:start");
  // The series row is locked first: a physician ending the series, or a second start on it,
  // waits for this one (and then sees its session) instead of racing it.
  await tx.$queryRaw`SELECT id FROM "Series" WHERE id = ${seriesId} AND "clinicId" = ${actor.clinicId} FOR UPDATE`;
  const series = await loadSeries(tx, actor, seriesId);
  if (series.status !== "ACTIVE") throw conflict(`This series is ${series.status.toLowerCase()}: no new sessions.`);
  if (!series.patient.consentOnFile) throw conflict("No consent on file for this patient: record consent before starting.");
  const open = await tx.infusionSession.findFirst({ where: { seriesId, status: "IN_PROGRESS" }, select: { id: true } });
  if (open) throw conflict("This series already has a session in progress.");
  const weightG = gFromKg(input.weightKg);
  const concentrationUgPerMl = ugPerMlFromMgPerMl(input.concentrationMgPerMl);
  if (weightG === null || concentrationUgPerMl === null) throw badInput("Invalid weight or concentration.");
  const prior = await tx.infusionSession.findMany({ where: { seriesId }, select: { openedAt: true, sequence: true }, orderBy: { sequence: "asc" } });
  const sequence = (prior.at(-1)?.sequence ?? 0) + 1;
  const session = await tx.infusionSession.create({
    data: {
      clinicId: actor.clinicId, seriesId, sequence, weightG, concentrationUgPerMl,
      consentConfirmed: input.consentConfirmed ?? false, screeningReviewed: input.screeningReviewed ?? false,
      openedAt: now, nurseId: actor.userId,
    },
  });
  await tx.patientWeight.create({ data: { patientId: series.patientId, weightG, measuredAt: now, enteredById: actor.userId, sessionId: session.id } });
  await tx.patient.update({ where: { id: series.patientId }, data: { weightG } });
  const audit = auditAs(tx, actor);
  await audit("session.start", "InfusionSession", session.id, { after: session });
  const limits = limitsOf(series.protocolVersion);
  const drafts = evaluateSessionSchedule({
    limits, plannedSessions: series.plannedSessions,
    priorSessionStartsMs: prior.map((p) => p.openedAt.getTime()), newStartMs: now.getTime(),
  });
  const flags = await storeFlags(tx, actor, session, drafts, { type: "InfusionSession", id: session.id }, null, now);
  return { session: { id: session.id, seriesId, sequence, status: session.status, weightG, concentrationUgPerMl, openedAt: session.openedAt.toISOString() }, flags };
}

// ---------------------------------------------------------------- dose events

export async function chartDoseEvent(
  tx: Tx,
  { actor, sessionId, input, now = new Date() }: { actor: Actor; sessionId: string; input: DoseEventInput; now?: Date },
) {
  requirePermission(actor, "session:chart");
  const s = await loadSessionForWrite(tx, actor, sessionId);
  assertOpen(s, "dose");
  const at = resolveChartTime(s, input.at, input.backTimeReason, now, { correction: !!input.correctsId });
  const rateUgPerKgPerH = input.rateMgPerKgPerH === undefined ? null : rateUgPerKgPerHFromMgPerKgPerH(input.rateMgPerKgPerH);
  const bolusUg = input.bolusMg === undefined ? null : ugFromMg(input.bolusMg);
  const rows = await tx.doseEvent.findMany({ where: { sessionId }, orderBy: [{ at: "asc" }, { enteredAt: "asc" }] });
  await assertCorrectable(rows, input.correctsId);
  const prior = effectiveRows(rows).filter((r) => r.id !== input.correctsId).map(toPoint);
  const event: DoseEventPoint = { type: input.type, atMs: at.getTime(), rateUgPerKgPerH, bolusUg };
  const sequenceError = validateDoseSequence(prior, event);
  if (sequenceError) throw badInput(sequenceError, { type: sequenceError });
  const sessionCodes = new Set((await tx.flag.findMany({ where: { sessionId, code: { in: [...PER_SESSION_CODES] } }, select: { code: true } })).map((f) => f.code));
  const drafts = evaluateDoseEvent({ limits: s.limits, weightG: s.weightG, prior, event })
    // a per-session limit (the session total) is raised once, not again on every later event
    .filter((d) => !sessionCodes.has(d.code));
  const hard = drafts.filter((d) => d.severity === "HARD");
  const overrideReason = input.overrideReason?.trim() || null;
  if (hard.length > 0 && (!overrideReason || overrideReason.length < 3))
    throw new AppError("HARD_LIMIT", {
      userMessage: `Hard limit: ${hard.map((d) => d.message).join(" ")} A physician's override reason is required.`,
      fields: { overrideReason: "required to pass a hard limit" },
      detail: { flags: drafts },
    });
  const row = await tx.doseEvent.create({
    data: {
      sessionId, type: input.type, at, rateUgPerKgPerH, bolusUg,
      reason: input.reason?.trim() || input.backTimeReason?.trim() || null,
      overrideReason: hard.length ? overrideReason : null,
      enteredById: actor.userId, enteredAt: now,
      correctsId: input.correctsId ?? null, correctionReason: input.correctionReason ?? null,
    },
  });
  await auditAs(tx, actor)(input.correctsId ? "dose.correct" : "dose.chart", "DoseEvent", row.id, {
    before: input.correctsId ? rows.find((r) => r.id === input.correctsId) : undefined,
    after: row,
  });
  const flags = await storeFlags(tx, actor, s, drafts, { type: "DoseEvent", id: row.id },
    (hard.length ? overrideReason : null) ?? input.reason?.trim() ?? null, now);
  return { doseEvent: doseEventDto(row), flags };
}

// ---------------------------------------------------------------- vitals

export async function chartVitals(
  tx: Tx,
  { actor, sessionId, input, now = new Date() }: { actor: Actor; sessionId: string; input: VitalsInput; now?: Date },
) {
  requirePermission(actor, "session:chart");
  const s = await loadSessionForWrite(tx, actor, sessionId);
  assertOpen(s, "observation");
  const at = resolveChartTime(s, input.at, input.backTimeReason, now, { correction: !!input.correctsId });
  const temperatureDeciC = input.temperatureC === undefined ? null : deciCFromC(input.temperatureC);
  // Light columns only: a multi-day session holds hundreds of sets. Plain SQL on this path
  // (the bedside's most frequent write): a Prisma model query costs several times the CPU.
  const rows = await tx.$queryRaw<(Correctable & { at: Date; isBaseline: boolean; systolicMmHg: number; diastolicMmHg: number })[]>`
    SELECT id, at, "correctsId", "isRetraction", "isBaseline", "systolicMmHg", "diastolicMmHg"
      FROM "VitalSigns" WHERE "sessionId" = ${sessionId} ORDER BY at ASC`;
  await assertCorrectable(rows, input.correctsId);
  const effective = effectiveRows(rows).filter((r) => r.id !== input.correctsId);
  const baseline = effective.find((r) => r.isBaseline) ?? effective[0] ?? null;
  const previous = effective.filter((r) => r.at.getTime() <= at.getTime()).at(-1) ?? null;
  const drafts: FlagDraft[] = [
    ...evaluateVitals({ limits: s.limits, vitals: input, baseline: input.isBaseline ? null : baseline }),
    ...(input.correctsId
      ? []
      : evaluateVitalsOverdue({ limits: s.limits, previousAtMs: previous?.at.getTime() ?? null, atMs: at.getTime() })),
  ];
  // a correction of the baseline set stays the baseline
  const isBaseline = input.isBaseline ?? (input.correctsId ? rows.find((r) => r.id === input.correctsId)?.isBaseline ?? false : baseline === null);
  const [row] = await tx.$queryRaw<VitalsRow[]>`
    INSERT INTO "VitalSigns" (id, "sessionId", at, "systolicMmHg", "diastolicMmHg", "heartRatePerMin", "spo2Pct", "respRatePerMin",
                              "temperatureDeciC", "sedationRass", "isBaseline", "enteredById", "enteredAt", "correctsId", "correctionReason")
    VALUES (${newId(now.getTime())}, ${sessionId}, ${at.toISOString()}::timestamp(3), ${input.systolicMmHg}, ${input.diastolicMmHg},
            ${input.heartRatePerMin}, ${input.spo2Pct}, ${input.respRatePerMin}, ${temperatureDeciC}, ${input.sedationRass ?? null},
            ${isBaseline}, ${actor.userId}, ${now.toISOString()}::timestamp(3), ${input.correctsId ?? null}, ${input.correctionReason ?? null})
    RETURNING id, "sessionId", at, "systolicMmHg", "diastolicMmHg", "heartRatePerMin", "spo2Pct", "respRatePerMin", "temperatureDeciC",
              "sedationRass", "isBaseline", "enteredById", "enteredAt", "correctsId", "correctionReason", "isRetraction"`;
  if (!row) throw new Error("INSERT ... RETURNING gave no row");
  await auditAs(tx, actor)(input.correctsId ? "vitals.correct" : "vitals.chart", "VitalSigns", row.id, {
    before: input.correctsId ? rows.find((r) => r.id === input.correctsId) : undefined,
    after: row,
  });
  const flags = await storeFlags(tx, actor, s, drafts, { type: "VitalSigns", id: row.id }, input.reason?.trim() || null, now);
  return { vitals: vitalsDto(row), flags };
}

// ---------------------------------------------------------------- pain

export async function recordPain(
  tx: Tx,
  { actor, sessionId, input, now = new Date() }: { actor: Actor; sessionId: string; input: PainInput; now?: Date },
) {
  requirePermission(actor, "session:chart");
  const s = await loadSessionForWrite(tx, actor, sessionId);
  // Follow-up scores (days after the infusion, often by phone) belong to the session they
  // follow and are accepted after it is signed: they do not change what was charted.
  if (input.phase !== "FOLLOW_UP") assertOpen(s, "observation");
  const at = resolveChartTime(s, input.at, input.backTimeReason, now, { followUp: input.phase === "FOLLOW_UP", correction: !!input.correctsId });
  const rows = await tx.painScore.findMany({ where: { sessionId }, orderBy: { at: "asc" } });
  await assertCorrectable(rows, input.correctsId);
  const row = await tx.painScore.create({
    data: {
      seriesId: s.seriesId, sessionId, at, score: input.score, scale: input.scale, phase: input.phase,
      enteredById: actor.userId, enteredAt: now,
      correctsId: input.correctsId ?? null, correctionReason: input.correctionReason ?? null,
    },
  });
  await auditAs(tx, actor)(input.correctsId ? "pain.correct" : "pain.record", "PainScore", row.id, {
    before: input.correctsId ? rows.find((r) => r.id === input.correctsId) : undefined,
    after: row,
  });
  return { painScore: painDto(row), flags: [] };
}

// ---------------------------------------------------------------- side effects

export async function recordSideEffect(
  tx: Tx,
  { actor, sessionId, input, now = new Date() }: { actor: Actor; sessionId: string; input: SideEffectInput; now?: Date },
) {
  requirePermission(actor, "session:chart");
  const s = await loadSessionForWrite(tx, actor, sessionId);
  assertOpen(s, "observation");
  const at = resolveChartTime(s, input.at, input.backTimeReason, now, { correction: !!input.correctsId });
  const rows = await tx.sideEffect.findMany({ where: { sessionId }, orderBy: { at: "asc" } });
  await assertCorrectable(rows, input.correctsId);
  const row = await tx.sideEffect.create({
    data: {
      sessionId, at, kind: input.kind, severity: input.severity, intervention: input.intervention ?? null,
      note: input.note?.trim() || null, enteredById: actor.userId, enteredAt: now,
      correctsId: input.correctsId ?? null, correctionReason: input.correctionReason ?? null,
    },
  });
  await auditAs(tx, actor)(input.correctsId ? "side-effect.correct" : "side-effect.record", "SideEffect", row.id, {
    before: input.correctsId ? rows.find((r) => r.id === input.correctsId) : undefined,
    after: row,
  });
  const drafts = evaluateSideEffect({ kind: input.kind, severity: input.severity });
  const flags = await storeFlags(tx, actor, s, drafts, { type: "SideEffect", id: row.id }, input.note?.trim() || null, now);
  return { sideEffect: sideEffectDto(row), flags };
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
  requirePermission(actor, "session:chart");
  const s = await loadSessionForWrite(tx, actor, sessionId);
  assertOpen(s, kind === "dose-events" ? "dose" : "observation");
  // The four charted tables share the correction columns; each keeps its own type.
  const model = tx[RETRACTABLE[kind]] as unknown as {
    findMany(a: { where: { sessionId: string } }): Promise<(Correctable & Record<string, unknown>)[]>;
    create(a: { data: Record<string, unknown> }): Promise<{ id: string }>;
  };
  const rows = await model.findMany({ where: { sessionId } });
  const target = rows.find((r) => r.id === entryId);
  if (!target) throw notFound("Entry");
  await assertCorrectable(rows, entryId);
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
  const { id: _id, enteredAt: _e, correctsId: _c, correctionReason: _r, isRetraction: _x, ...copy } = target as Record<string, unknown>;
  const row = await model.create({
    data: { ...copy, enteredById: actor.userId, enteredAt: now, correctsId: entryId, correctionReason, isRetraction: true },
  });
  await auditAs(tx, actor)("entry.retract", RETRACTABLE_ENTITY[kind], row.id, { before: target, after: { retracts: entryId, correctionReason } });
  return { retraction: { id: row.id, correctsId: entryId, correctionReason } };
}

// ---------------------------------------------------------------- complete, sign, addenda

export async function completeSession(
  tx: Tx,
  { actor, sessionId, input, now = new Date() }: { actor: Actor; sessionId: string; input: z.infer<typeof CompleteSessionSchema>; now?: Date },
) {
  requirePermission(actor, "session:complete");
  const s = await loadSessionForWrite(tx, actor, sessionId, "update");
  if (s.status !== "IN_PROGRESS") throw conflict(`This session is already ${s.status.toLowerCase()}.`);
  if (input.rowVersion !== undefined && input.rowVersion !== s.rowVersion)
    throw conflict("This session changed since you opened it: reload and try again.");
  if (!input.dischargeReady) throw badInput("Confirm the discharge check before completing.", { dischargeReady: "must be confirmed" });
  const events = effectiveRows(await tx.doseEvent.findMany({ where: { sessionId }, orderBy: { at: "asc" } })).map(toPoint);
  const dose = integrateDose(events, s.weightG, now.getTime());
  if (dose.state === "RUNNING" || dose.state === "PAUSED")
    throw conflict("The infusion is still running or paused: chart its STOP before completing.");
  const pain = effectiveRows(await tx.painScore.findMany({ where: { sessionId } }));
  if (!pain.some((p) => p.phase === "POST")) throw conflict("Record the post-infusion pain score before completing.");
  const endMs = dose.stopMs ?? now.getTime();
  const existingCodes = new Set((await tx.flag.findMany({ where: { sessionId }, select: { code: true } })).map((f) => f.code));
  const drafts = evaluateCompletion({ limits: s.limits, weightG: s.weightG, events, endMs })
    // a per-session limit is raised once, whether by a dose event or at completion
    .filter((d) => !existingCodes.has(d.code));
  await lockStep(tx, s.id, s.rowVersion, { status: "COMPLETED", completedAt: now, dischargeReady: true, dischargeNote: input.dischargeNote ?? null });
  await auditAs(tx, actor)("session.complete", "InfusionSession", s.id, {
    before: { status: s.status }, after: { status: "COMPLETED", completedAt: now, dischargeNote: input.dischargeNote ?? null },
  });
  const flags = await storeFlags(tx, actor, s, drafts, { type: "InfusionSession", id: s.id }, null, now);
  return { session: { id: s.id, status: "COMPLETED" as const, completedAt: now.toISOString(), rowVersion: s.rowVersion + 1 }, flags };
}

/** Optimistic concurrency: the update only lands on the version the caller read. */
async function lockStep(tx: Tx, id: string, rowVersion: number, data: Prisma.InfusionSessionUncheckedUpdateManyInput) {
  const { count } = await tx.infusionSession.updateMany({ where: { id, rowVersion }, data: { ...data, rowVersion: { increment: 1 } } });
  if (count !== 1) throw conflict("This session changed since you opened it: reload and try again.");
}

export async function signSession(
  tx: Tx,
  { actor, sessionId, rowVersion, now = new Date() }: { actor: Actor; sessionId: string; rowVersion?: number; now?: Date },
) {
  requirePermission(actor, "session:sign");
  const s = await loadSessionForWrite(tx, actor, sessionId, "update");
  if (s.status === "SIGNED") throw conflict("This session is already signed.");
  if (s.status !== "COMPLETED") throw conflict("Complete the session before signing it.");
  if (rowVersion !== undefined && rowVersion !== s.rowVersion) throw conflict("This session changed since you opened it: reload and try again.");
  const openHard = await tx.flag.count({ where: { sessionId, severity: "HARD", acknowledgedAt: null } });
  if (openHard > 0)
    throw conflict(`${openHard} hard-limit flag${openHard > 1 ? "s" : ""} must be acknowledged by a physician before signing.`);
  await lockStep(tx, s.id, s.rowVersion, { status: "SIGNED", signedAt: now, signedById: actor.userId });
  await auditAs(tx, actor)("session.sign", "InfusionSession", s.id, { before: { status: s.status }, after: { status: "SIGNED", signedAt: now, signedById: actor.userId } });
  return { session: { id: s.id, status: "SIGNED" as const, signedAt: now.toISOString(), signedBy: actor.name, rowVersion: s.rowVersion + 1 }, flags: [] };
}

export async function addAddendum(
  tx: Tx,
  { actor, sessionId, text, now = new Date() }: { actor: Actor; sessionId: string; text: string; now?: Date },
) {
  requirePermission(actor, "session:addendum");
  const s = await loadSessionForWrite(tx, actor, sessionId);
  if (s.status !== "SIGNED") throw conflict("Addenda are for signed sessions; chart or correct entries directly.");
  const row = await tx.sessionAddendum.create({ data: { sessionId, authorId: actor.userId, text, createdAt: now } });
  await auditAs(tx, actor)("session.addendum", "SessionAddendum", row.id, { after: row });
  return { addendum: { id: row.id, text: row.text, createdAt: row.createdAt.toISOString(), author: actor.name } };
}

// ---------------------------------------------------------------- flags

export async function acknowledgeFlags(
  tx: Tx,
  { actor, flagIds, reason, now = new Date() }: { actor: Actor; flagIds: string[]; reason: string; now?: Date },
) {
  requirePermission(actor, "flag:acknowledge");
  const flags = await tx.flag.findMany({ where: { id: { in: flagIds }, clinicId: actor.clinicId } });
  if (flags.length !== new Set(flagIds).size) throw notFound("Flag");
  const already = flags.filter((f) => f.acknowledgedAt);
  if (already.length) throw conflict(`${already.length === 1 ? "This flag was" : `${already.length} flags were`} already acknowledged.`);
  const { count } = await tx.flag.updateMany({
    where: { id: { in: flagIds }, clinicId: actor.clinicId, acknowledgedAt: null },
    data: { acknowledgedAt: now, acknowledgedById: actor.userId, ackReason: reason },
  });
  if (count !== flags.length) throw conflict("A flag was acknowledged by someone else meanwhile: reload.");
  const audit = auditAs(tx, actor);
  for (const f of flags)
    await audit("flag.acknowledge", "Flag", f.id, { before: { acknowledgedAt: null }, after: { acknowledgedAt: now, acknowledgedById: actor.userId, ackReason: reason } });
  return { flags: flags.map((f) => flagDto({ ...f, acknowledgedAt: now, acknowledgedById: actor.userId, ackReason: reason }, actor.name)) };
}

// ---------------------------------------------------------------- reads

export function doseEventDto(r: { id: string; type: string; at: Date; rateUgPerKgPerH: number | null; bolusUg: number | null; reason: string | null; overrideReason: string | null; enteredById: string; enteredAt: Date; correctsId: string | null; correctionReason: string | null; isRetraction: boolean }) {
  return {
    id: r.id, type: r.type as DoseEventPoint["type"], at: r.at.toISOString(), rateUgPerKgPerH: r.rateUgPerKgPerH, bolusUg: r.bolusUg,
    reason: r.reason, overrideReason: r.overrideReason, enteredById: r.enteredById, enteredAt: r.enteredAt.toISOString(),
    correctsId: r.correctsId, correctionReason: r.correctionReason, isRetraction: r.isRetraction,
  };
}
type VitalsRow = Parameters<typeof vitalsDto>[0] & { sessionId: string };

export function vitalsDto(r: { id: string; at: Date; systolicMmHg: number; diastolicMmHg: number; heartRatePerMin: number; spo2Pct: number; respRatePerMin: number; temperatureDeciC: number | null; sedationRass: number | null; isBaseline: boolean; enteredById: string; enteredAt: Date; correctsId: string | null; correctionReason: string | null; isRetraction: boolean }) {
  return {
    id: r.id, at: r.at.toISOString(), systolicMmHg: r.systolicMmHg, diastolicMmHg: r.diastolicMmHg, heartRatePerMin: r.heartRatePerMin,
    spo2Pct: r.spo2Pct, respRatePerMin: r.respRatePerMin, temperatureDeciC: r.temperatureDeciC, sedationRass: r.sedationRass,
    isBaseline: r.isBaseline, enteredById: r.enteredById, enteredAt: r.enteredAt.toISOString(),
    correctsId: r.correctsId, correctionReason: r.correctionReason, isRetraction: r.isRetraction,
  };
}
export function painDto(r: { id: string; at: Date; score: number; scale: string; phase: string; enteredById: string; enteredAt: Date; correctsId: string | null; correctionReason: string | null; isRetraction: boolean }) {
  return {
    id: r.id, at: r.at.toISOString(), score: r.score, scale: r.scale as "NRS" | "VAS", phase: r.phase as "PRE" | "INTRA" | "POST" | "FOLLOW_UP",
    enteredById: r.enteredById, enteredAt: r.enteredAt.toISOString(), correctsId: r.correctsId, correctionReason: r.correctionReason, isRetraction: r.isRetraction,
  };
}
export function sideEffectDto(r: { id: string; at: Date; kind: string; severity: number; intervention: string | null; note: string | null; enteredById: string; enteredAt: Date; correctsId: string | null; correctionReason: string | null; isRetraction: boolean }) {
  return {
    id: r.id, at: r.at.toISOString(), kind: r.kind, severity: r.severity, intervention: r.intervention, note: r.note,
    enteredById: r.enteredById, enteredAt: r.enteredAt.toISOString(), correctsId: r.correctsId, correctionReason: r.correctionReason, isRetraction: r.isRetraction,
  };
}
export function flagDto(
  f: { id: string; code: string; severity: string; valueText: string; limitText: string; message: string; sourceType: string | null; sourceId: string | null; reason: string | null; raisedById: string; raisedAt: Date; acknowledgedAt: Date | null; acknowledgedById: string | null; ackReason: string | null; sessionId: string | null; seriesId: string },
  acknowledgedByName: string | null,
) {
  return {
    id: f.id, code: f.code, severity: f.severity as "SOFT" | "HARD", valueText: f.valueText, limitText: f.limitText, message: f.message,
    sourceType: f.sourceType, sourceId: f.sourceId, reason: f.reason, raisedById: f.raisedById, raisedAt: f.raisedAt.toISOString(),
    acknowledgedAt: f.acknowledgedAt?.toISOString() ?? null, acknowledgedBy: acknowledgedByName, ackReason: f.ackReason,
    sessionId: f.sessionId, seriesId: f.seriesId,
  };
}
export type FlagDto = ReturnType<typeof flagDto>;

/** Computed totals of a session, from the rows in force (corrections applied). */
export function sessionTotals(events: DoseEventPoint[], weightG: number, nowMs: number, openedAtMs: number, completedAtMs: number | null) {
  const dose = integrateDose(events, weightG, nowMs);
  const startMs = dose.firstStartMs ?? openedAtMs;
  const endMs = dose.stopMs ?? completedAtMs ?? nowMs;
  return {
    totalUg: dose.totalUg,
    totalUgPerKg: dose.totalUgPerKg,
    totalMg: dose.totalUg / 1000,
    totalMgPerKg: dose.totalUgPerKg / 1000,
    peakRateUgPerKgPerH: dose.peakRateUgPerKgPerH,
    peakRateMgPerKgPerH: dose.peakRateUgPerKgPerH / 1000,
    meanRateUgPerKgPerH: dose.meanRateUgPerKgPerH,
    currentRateUgPerKgPerH: dose.currentRateUgPerKgPerH,
    infusionState: dose.state,
    durationMin: dose.firstStartMs === null ? 0 : Math.round((endMs - startMs) / 60_000),
    runningMin: Math.round(dose.runningMs / 60_000),
  };
}

/** Everything charted on a session, its flags and its computed totals. */
export async function getSessionChart({ actor, sessionId, now = new Date() }: { actor: Actor; sessionId: string; now?: Date }) {
  requirePermission(actor, "patient:read");
  const s = await db.infusionSession.findFirst({
    where: { id: sessionId, clinicId: actor.clinicId },
    include: {
      series: { include: { patient: true, protocolVersion: { include: { protocol: true } }, _count: { select: { sessions: true } } } },
      nurse: { select: { name: true } },
      signedBy: { select: { name: true } },
      doseEvents: { orderBy: [{ at: "asc" }, { enteredAt: "asc" }] },
      vitals: { orderBy: [{ at: "asc" }, { enteredAt: "asc" }] },
      painScores: { orderBy: [{ at: "asc" }, { enteredAt: "asc" }] },
      sideEffects: { orderBy: [{ at: "asc" }, { enteredAt: "asc" }] },
      flags: { orderBy: { raisedAt: "asc" } },
      addenda: { orderBy: { createdAt: "asc" } },
    },
  });
  if (!s) throw notFound("Session");
  const userIds = new Set<string>([
    ...s.flags.flatMap((f) => [f.acknowledgedById, f.raisedById]),
    ...s.doseEvents.map((r) => r.enteredById), ...s.vitals.map((r) => r.enteredById),
    ...s.painScores.map((r) => r.enteredById), ...s.sideEffects.map((r) => r.enteredById),
    ...s.addenda.map((a) => a.authorId),
  ].filter((x): x is string => !!x));
  const users = await db.user.findMany({ where: { id: { in: [...userIds] }, clinicId: actor.clinicId }, select: { id: true, name: true } });
  const names = Object.fromEntries(users.map((u) => [u.id, u.name]));
  const pv = s.series.protocolVersion;
  const limits: ProtocolLimits = limitsOf(pv);
  const effectiveDose = effectiveRows(s.doseEvents).map(toPoint);
  const endForTotals = s.status === "IN_PROGRESS" ? now.getTime() : (s.completedAt ?? now).getTime();
  const p = s.series.patient;
  return {
    id: s.id, status: s.status, sequence: s.sequence, rowVersion: s.rowVersion,
    openedAt: s.openedAt.toISOString(), completedAt: s.completedAt?.toISOString() ?? null,
    signedAt: s.signedAt?.toISOString() ?? null, signedBy: s.signedBy?.name ?? null,
    nurse: s.nurse.name, nurseId: s.nurseId, dischargeReady: s.dischargeReady, dischargeNote: s.dischargeNote,
    consentConfirmed: s.consentConfirmed, screeningReviewed: s.screeningReviewed,
    weightG: s.weightG, weightKg: s.weightG / 1000, concentrationUgPerMl: s.concentrationUgPerMl, concentrationMgPerMl: s.concentrationUgPerMl / 1000,
    patient: { id: p.id, mrn: p.mrn, name: `${p.familyName}, ${p.givenName}`, birthDate: p.birthDate.toISOString().slice(0, 10), sex: p.sex, allergies: p.allergies },
    series: { id: s.seriesId, plannedSessions: s.series.plannedSessions, sessionCount: s.series._count.sessions, status: s.series.status },
    protocol: {
      id: pv.protocol.id, versionId: pv.id, name: pv.protocol.name, version: pv.version, route: pv.protocol.route, indication: pv.protocol.indication,
      limits, sourceDocument: pv.sourceDocument, sourceWording: pv.sourceWording, limitRationale: pv.limitRationale,
    },
    doseEvents: s.doseEvents.map((r) => ({ ...doseEventDto(r), enteredBy: names[r.enteredById] ?? null })),
    vitals: s.vitals.map((r) => ({ ...vitalsDto(r), enteredBy: names[r.enteredById] ?? null })),
    painScores: s.painScores.map((r) => ({ ...painDto(r), enteredBy: names[r.enteredById] ?? null })),
    sideEffects: s.sideEffects.map((r) => ({ ...sideEffectDto(r), enteredBy: names[r.enteredById] ?? null })),
    flags: s.flags.map((f) => ({ ...flagDto(f, f.acknowledgedById ? names[f.acknowledgedById] ?? null : null), raisedBy: names[f.raisedById] ?? null })),
    addenda: s.addenda.map((a) => ({ id: a.id, text: a.text, createdAt: a.createdAt.toISOString(), author: names[a.authorId] ?? null })),
    totals: sessionTotals(effectiveDose, s.weightG, endForTotals, s.openedAt.getTime(), s.completedAt?.getTime() ?? null),
    serverNow: now.toISOString(),
  };
}
export type SessionChart = Awaited<ReturnType<typeof getSessionChart>>;
