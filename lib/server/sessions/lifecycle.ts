import "server-only";
import { completionBlockers, effectiveRows, SESSION_ACTION_PERMISSION, signBlocker } from "@/lib/domain/charting";
import { integrateDose } from "@/lib/domain/dose";
import { gFromKg, ugPerMlFromMgPerMl } from "@/lib/domain/units";
import { badInput, conflict } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { CompleteSessionSchema, StartSessionInput } from "@/lib/validation/session";
import type { z } from "zod";
import { requirePermission, type Actor } from "../actor";
import { auditAs } from "../audit";
import { chairForStart, chairTakenError } from "../chairs";
import type { Tx } from "../db";
import { limitsOf } from "../protocols";
import { loadSeries } from "../series";
import { lockSeriesForStart } from "../sql/series-start-lock";
import { toPoint } from "./dto";
import { reconcileSessionFlags } from "./flag-reconcile";
import { assertAllowed, loadSessionForWrite } from "./write-context";
import { checkStartInputs } from "./input-checks";

// A session's lifecycle: start, complete, sign, addenda. What each status allows is the
// domain's state machine (lib/domain/charting-lifecycle.ts); this file adds the locks,
// the optimistic concurrency and the audit rows.

export async function startSession(
  tx: Tx,
  { actor, seriesId, input, now = new Date() }: { actor: Actor; seriesId: string; input: StartSessionInput; now?: Date },
) {
  requirePermission(actor, "session:start");
  // The series row is locked first: a physician ending the series, or a second start on it,
  // waits for this one (and then sees its session) instead of racing it.
  await lockSeriesForStart(tx, actor.clinicId, seriesId);
  const series = await loadSeries(tx, actor, seriesId);
  if (series.status !== "ACTIVE") throw conflict(`This series is ${series.status.toLowerCase()}: no new sessions.`);
  if (!series.patient.consentOnFile) throw conflict("No consent on file for this patient: record consent before starting.");
  const open = await tx.infusionSession.findFirst({ where: { seriesId, status: "IN_PROGRESS" }, select: { id: true } });
  if (open) throw conflict("This series already has a session in progress.");
  const weightG = gFromKg(input.weightKg);
  const concentrationUgPerMl = ugPerMlFromMgPerMl(input.concentrationMgPerMl);
  if (weightG === null || concentrationUgPerMl === null) throw badInput("Invalid weight or concentration.");
  const facts = await checkStartInputs(tx, { patientId: series.patientId, limits: limitsOf(series.protocolVersion), route: series.protocolVersion.protocol.route, input, weightG, concentrationUgPerMl, now });
  const prior = await tx.infusionSession.findMany({ where: { seriesId }, select: { openedAt: true, sequence: true }, orderBy: { sequence: "asc" } });
  const sequence = (prior.at(-1)?.sequence ?? 0) + 1;
  // the chair: required while the clinic uses chairs, active, free (docs/decisions/0013)
  const chair = await chairForStart(tx, { actor, chairId: input.chairId });
  const session = await tx.infusionSession.create({
    data: {
      clinicId: actor.clinicId, seriesId, sequence, weightG, concentrationUgPerMl,
      consentConfirmed: input.consentConfirmed ?? false, screeningReviewed: input.screeningReviewed ?? false,
      ...facts, nurseId: actor.userId, chairId: chair?.id ?? null,
    },
  }).catch((err: unknown) => { throw chairTakenError(err, chair?.name ?? null) ?? err; });
  await tx.patientWeight.create({ data: { patientId: series.patientId, weightG, measuredAt: facts.openedAt, enteredById: actor.userId, sessionId: session.id } });
  await tx.patient.update({ where: { id: series.patientId }, data: { weightG } });
  const audit = auditAs(tx, actor);
  await audit("session.start", "InfusionSession", session.id, { after: session });
  // the schedule, weight and concentration conditions are the engine's (decision 0009); the
  // reasons given for the guards are read from the session row
  const { raised: flags } = await reconcileSessionFlags(tx, { actor, sessionId: session.id, now, newEntry: { type: "InfusionSession", id: session.id } });
  return { session: { id: session.id, seriesId, sequence, status: session.status, weightG, concentrationUgPerMl, openedAt: session.openedAt.toISOString(), chair }, flags };
}

export async function completeSession(
  tx: Tx,
  { actor, sessionId, input, now = new Date() }: { actor: Actor; sessionId: string; input: z.infer<typeof CompleteSessionSchema>; now?: Date },
) {
  requirePermission(actor, SESSION_ACTION_PERMISSION.complete);
  const s = await loadSessionForWrite(tx, actor, sessionId, "update");
  assertAllowed(s, "complete");
  if (input.rowVersion !== undefined && input.rowVersion !== s.rowVersion)
    throw conflict("This session changed since you opened it: reload and try again.");
  if (!input.dischargeReady) throw badInput("Confirm the discharge check before completing.", { dischargeReady: "must be confirmed" });
  const events = effectiveRows(await tx.doseEvent.findMany({ where: { sessionId }, orderBy: { at: "asc" } })).map(toPoint);
  const dose = integrateDose(events, s.weightG, now.getTime());
  const pain = effectiveRows(await tx.painScore.findMany({ where: { sessionId } }));
  // the first blocker answers, as the bedside lists them: a running infusion before a missing score
  const pendingDeviceReadings = await tx.deviceVitals.count({ where: { sessionId, status: "PENDING" } });
  const [blocker] = completionBlockers({ infusionState: dose.state, hasPostPainScore: pain.some((p) => p.phase === "POST"), pendingDeviceReadings });
  if (blocker) throw conflict(blocker.reason);
  await lockStep(tx, s.id, s.rowVersion, { status: "COMPLETED", completedAt: now, dischargeReady: true, dischargeNote: input.dischargeNote ?? null });
  await auditAs(tx, actor)("session.complete", "InfusionSession", s.id, {
    before: { status: s.status }, after: { status: "COMPLETED", completedAt: now, dischargeNote: input.dischargeNote ?? null },
  });
  // completion fixes the end of the timeline: duration and totals are evaluated to it
  const { raised: flags, resolved: resolvedFlags } = await reconcileSessionFlags(tx, { actor, sessionId: s.id, now });
  return { session: { id: s.id, status: "COMPLETED" as const, completedAt: now.toISOString(), rowVersion: s.rowVersion + 1 }, flags, resolvedFlags };
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
  requirePermission(actor, SESSION_ACTION_PERMISSION.sign);
  const s = await loadSessionForWrite(tx, actor, sessionId, "update");
  assertAllowed(s, "sign");
  if (rowVersion !== undefined && rowVersion !== s.rowVersion) throw conflict("This session changed since you opened it: reload and try again.");
  // canSign (decision 0009): every HARD flag acknowledged or resolved
  const openHard = await tx.flag.count({ where: { sessionId, severity: "HARD", acknowledgedAt: null, resolvedAt: null } });
  const blocker = signBlocker(openHard);
  if (blocker) throw conflict(blocker);
  await lockStep(tx, s.id, s.rowVersion, { status: "SIGNED", signedAt: now, signedById: actor.userId });
  await auditAs(tx, actor)("session.sign", "InfusionSession", s.id, { before: { status: s.status }, after: { status: "SIGNED", signedAt: now, signedById: actor.userId } });
  return { session: { id: s.id, status: "SIGNED" as const, signedAt: now.toISOString(), signedBy: actor.name, rowVersion: s.rowVersion + 1 }, flags: [] };
}

export async function addAddendum(
  tx: Tx,
  { actor, sessionId, text, now = new Date() }: { actor: Actor; sessionId: string; text: string; now?: Date },
) {
  requirePermission(actor, SESSION_ACTION_PERMISSION.addendum);
  const s = await loadSessionForWrite(tx, actor, sessionId);
  assertAllowed(s, "addendum");
  const row = await tx.sessionAddendum.create({ data: { sessionId, authorId: actor.userId, text, createdAt: now } });
  await auditAs(tx, actor)("session.addendum", "SessionAddendum", row.id, { after: row });
  return { addendum: { id: row.id, text: row.text, createdAt: row.createdAt.toISOString(), author: actor.name } };
}
