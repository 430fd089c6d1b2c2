import "server-only";
import { effectiveRows, hasReason } from "@/lib/domain/charting";
import type { DoseEventPoint } from "@/lib/domain/dose";
import type { ProtocolLimits, ProtocolRoute } from "@/lib/domain/protocol";
import {
  conditionsRaisedBy, evaluateSessionFlags, reconcileFlags,
  type CandidateEntry, type ChartedRow, type FlagCondition, type FlagSourceType, type SessionEvaluation, type SessionFacts,
  type SessionTimeline, type StoredFlag, type StoredFlagStatus, withCandidate,
} from "@/lib/domain/session-flags";
import { AppError } from "@/lib/errors";
import type { Actor } from "../actor";
import type { SystemActor } from "../actor-type";
import { writeAudit } from "../audit";
import type { Flag } from "@/lib/generated/prisma/client";
import type { Tx } from "../db";
import { selectFlagContext, type FlagContextRow } from "../sql/flag-context";
import { limitsOf } from "../protocols";
import { flagDto, type FlagDto } from "./dto";

// Every write re-evaluates the whole effective timeline of its session and reconciles the
// stored flags with the conditions that hold (docs/decisions/0009-flags-over-the-timeline.md):
// one live flag per condition key, a flag whose condition went away is resolved (never
// deleted), a condition that comes back is a new flag.

// Who reconciles when no person is charting: the vitals clock (SystemActor, actor-type.ts). Its
// flags are stored with `raisedById = SYSTEM_ACTOR_ID` and audited with a null actorId.
export type { SystemActor };
export type ReconcileActor = Actor | SystemActor;
/** Flag.raisedById of flags raised by the system (there is no such user row). */
export const SYSTEM_ACTOR_ID = "system";

const isSystem = (a: ReconcileActor): a is SystemActor => "kind" in a && a.kind === "system";

/** An entry about to be stored, as the engine sees it, for the HARD check before storing. */
export type { CandidateEntry };

type FlagRow = Flag;

/** Everything the engine needs about one session, loaded in the caller's transaction. */
export interface FlagContext {
  clinicId: string;
  seriesId: string;
  status: SessionFacts["status"];
  limits: ProtocolLimits;
  session: SessionFacts;
  timeline: SessionTimeline;
  chartedRows: ChartedRow[];
  flags: FlagRow[];
  /** the reasons given at start for the session-level guards (stored on the session row) */
  sessionReasons: { weightConfirmReason: string | null; concentrationReason: string | null; concentrationOverrideReason: string | null };
}

/**
 * Serialises the flag writers of one session until the transaction ends. Charting holds only
 * a share lock on the session row (decision 0007: concurrent charting proceeds), so two
 * writes of one session could otherwise both raise the same condition and the second would
 * fail on the partial unique index (one open flag per (sessionId, conditionKey)). Callers
 * take the session row lock first (loadSessionForWrite), then this: always in that order, so
 * no two writers wait on each other crosswise. The vitals clock must do the same.
 */
export async function lockSessionFlags(tx: Tx, sessionId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${"titrate.flags:" + sessionId}))`;
}

/**
 * Loads the session facts, its timeline, every charted row and its stored flags: one
 * statement (lib/server/sql/flag-context.ts), since every charting write and every clock tick
 * reads it.
 */
export async function loadFlagContext(tx: Tx, clinicId: string, sessionId: string): Promise<FlagContext | null> {
  const s = await selectFlagContext(tx, clinicId, sessionId);
  return s ? flagContextOf(s, clinicId, sessionId) : null;
}

/** A session's vitals as its flag context read them: every set, corrections and retractions included, with `isBaseline`. */
export type VitalsFacts = FlagContextRow["vitalsRows"][number];

/**
 * For a vitals write: takes the session's flag lock, then reads the flag context and the
 * session's vitals in one statement, before the set is stored (as a dose event's HARD check
 * does). The write checks its correction and baseline against these rows and reconciles on
 * the context with its set applied (withStoredEntry): the session's rows are read once per
 * write, not twice.
 */
export async function lockAndLoadForVitals(tx: Tx, clinicId: string, sessionId: string): Promise<{ ctx: FlagContext; vitals: VitalsFacts[] } | null> {
  await lockSessionFlags(tx, sessionId);
  const s = await selectFlagContext(tx, clinicId, sessionId);
  return s ? { ctx: flagContextOf(s, clinicId, sessionId), vitals: s.vitalsRows } : null;
}

function flagContextOf(s: FlagContextRow, clinicId: string, sessionId: string): FlagContext {
  const { doseRows, vitalsRows, sideRows, painRows } = s;
  const timeline: SessionTimeline = {
    doseEvents: effectiveRows(doseRows).map((r) => ({ id: r.id, atMs: r.atMs, enteredAtMs: r.enteredAtMs, type: r.type as DoseEventPoint["type"], rateUgPerKgPerH: r.rateUgPerKgPerH, bolusUg: r.bolusUg })),
    vitals: effectiveRows(vitalsRows).map((r) => ({
      id: r.id, atMs: r.atMs, enteredAtMs: r.enteredAtMs,
      systolicMmHg: r.systolicMmHg, diastolicMmHg: r.diastolicMmHg, heartRatePerMin: r.heartRatePerMin, spo2Pct: r.spo2Pct, respRatePerMin: r.respRatePerMin,
    })),
    sideEffects: effectiveRows(sideRows).map((r) => ({ id: r.id, atMs: r.atMs, enteredAtMs: r.enteredAtMs, kind: r.kind, severity: r.severity })),
    pain: effectiveRows(painRows).map((r) => ({ id: r.id, atMs: r.atMs, enteredAtMs: r.enteredAtMs, score: r.score, scale: r.scale as "NRS" | "VAS", phase: r.phase })),
  };
  const charted = (r: ChartedRow): ChartedRow => ({ id: r.id, atMs: r.atMs, enteredAtMs: r.enteredAtMs, correctsId: r.correctsId, isRetraction: r.isRetraction });
  const chartedRows: ChartedRow[] = [...doseRows.map(charted), ...vitalsRows.map(charted), ...sideRows.map(charted), ...painRows.map(charted)];
  return {
    clinicId, seriesId: s.seriesId, status: s.status, limits: limitsOf(s.pv), timeline, chartedRows, flags: s.flags,
    session: {
      sessionId, weightG: s.weightG, concentrationUgPerMl: s.concentrationUgPerMl, route: s.route as ProtocolRoute,
      openedAtMs: s.openedAt.getTime(), status: s.status, completedAtMs: s.completedAt?.getTime() ?? null,
      previousWeightG: s.previousWeightG,
      priorSessionStartsMs: s.priorStartsMs,
      plannedSessions: s.plannedSessions,
    },
    sessionReasons: {
      weightConfirmReason: s.weightConfirmReason, concentrationReason: s.concentrationReason, concentrationOverrideReason: s.concentrationOverrideReason,
    },
  };
}

const flagStatus = (f: { resolvedAt: Date | null; acknowledgedAt: Date | null }): StoredFlagStatus =>
  f.resolvedAt ? "RESOLVED" : f.acknowledgedAt ? "ACKNOWLEDGED" : "OPEN";

const evaluate = (ctx: FlagContext, timeline: SessionTimeline, nowMs: number): SessionEvaluation =>
  evaluateSessionFlags({ limits: ctx.limits, session: ctx.session, timeline, nowMs });

/**
 * The context as loadFlagContext reads it once `candidate` is stored, without reading it
 * again: the candidate in force in the timeline (the row it corrects out of it, as
 * effectiveRows does) and among the charted rows. Only valid in the transaction that loaded
 * `ctx` under the flag lock and then stored exactly the candidate: no other writer of the
 * session's flags or charted rows can commit meanwhile (they wait on the lock). The engine
 * orders rows itself (clinical time, charting time, id), so where the row stands in the
 * arrays does not matter.
 */
export function withStoredEntry(ctx: FlagContext, candidate: CandidateEntry): FlagContext {
  const { id, atMs, enteredAtMs } = candidate.row;
  return {
    ...ctx,
    timeline: withCandidate(ctx.timeline, candidate),
    chartedRows: [...ctx.chartedRows, { id, atMs, enteredAtMs, correctsId: candidate.correctsId ?? null, isRetraction: false }],
  };
}

/**
 * HARD rule (decision 0004), before anything is stored: evaluate the timeline WITH the
 * candidate in memory; the HARD conditions it would newly raise (not holding without it, and
 * without a live flag of their key) need a physician's override reason, else 422 HARD_LIMIT
 * and nothing is stored. A HARD condition that already held without the entry (e.g. a dose
 * total reached by time passing) does not refuse the nurse's entry: it is raised by this
 * write all the same. Returns the trimmed override reason to store (null when none needed)
 * and the flag context as it will be once the caller has stored the candidate
 * (withStoredEntry), for reconcileSessionFlags: the context is read once per write.
 */
export async function assertHardOverride(
  tx: Tx,
  { clinicId, sessionId, now, candidate, overrideReason }: { clinicId: string; sessionId: string; now: Date; candidate: CandidateEntry; overrideReason?: string | null },
): Promise<{ overrideReason: string | null; contextOnceStored: FlagContext | null }> {
  await lockSessionFlags(tx, sessionId);
  const ctx = await loadFlagContext(tx, clinicId, sessionId);
  if (!ctx) return { overrideReason: null, contextOnceStored: null };
  const contextOnceStored = withStoredEntry(ctx, candidate);
  const hard = newHardConditions(ctx, candidate, now.getTime());
  if (hard.length === 0) return { overrideReason: null, contextOnceStored };
  const reason = overrideReason?.trim() || null;
  if (!hasReason(reason))
    throw new AppError("HARD_LIMIT", {
      userMessage: `Hard limit: ${hard.map((d) => d.message).join(" ")} A physician's override reason is required.`,
      fields: { overrideReason: "required to pass a hard limit" },
      detail: { flags: hard },
    });
  return { overrideReason: reason, contextOnceStored };
}

/** HARD conditions the candidate would newly raise (exported for tests). */
export function newHardConditions(ctx: FlagContext, candidate: CandidateEntry, nowMs: number): FlagCondition[] {
  const liveKeys = new Set(ctx.flags.filter((f) => !f.resolvedAt && f.conditionKey).map((f) => f.conditionKey!));
  return conditionsRaisedBy({ limits: ctx.limits, session: ctx.session, timeline: ctx.timeline, candidate, liveKeys, nowMs })
    .filter((c) => c.severity === "HARD");
}

/** A live flag stored before condition keys existed: the condition it stands for, if any. */
function legacyMatch(f: FlagRow, conditions: readonly FlagCondition[], taken: Set<string>): FlagCondition | null {
  const candidates = conditions.filter((c) => c.code === f.code && !taken.has(c.key));
  // same code and same source row
  const sameSource = candidates.find((c) => c.source.type === f.sourceType && c.source.id === f.sourceId);
  if (sameSource) return sameSource;
  // a condition of the whole session (its total dose, its duration, its schedule) was raised
  // before on whichever row crossed the limit: one per session, so the code says which
  const sessionWide = candidates.filter((c) => c.source.type === "InfusionSession" || c.code === "DURATION_OUT_OF_RANGE");
  return sessionWide.length === 1 ? sessionWide[0]! : null;
}

/**
 * Re-evaluates the whole effective timeline of a session and reconciles its stored flags:
 * raises each condition without a live flag, resolves each live flag whose condition went
 * away (with what resolved it), each with its audit row (flag.raise / flag.resolve) in the
 * caller's transaction. Nothing is deleted; an acknowledged flag that resolves keeps its
 * acknowledgement. Returns the flags raised and resolved, as DTOs.
 *
 * - `actor`: the person charting, or a SystemActor (`{ kind: "system", clinicId, name }`)
 *   for the vitals clock: raisedById/resolvedById = "system" / null, audit actorId null.
 * - Locking: the caller holds the session row lock (loadSessionForWrite, share or update);
 *   this takes the per-session flag lock (lockSessionFlags) before reading anything, so
 *   concurrent writers of one session reconcile one after the other and the second sees the
 *   first's flags (never a duplicate on the partial unique index). A caller outside the
 *   write path (the clock) must lock the session row first, the same way.
 * - `newEntry`: the row this write stored (or the retraction). `reason` (the nurse's SOFT
 *   reason) and `overrideReason` (a physician's HARD override) go on the flags this write
 *   raises that the entry caused: HARD ones get the override reason, SOFT ones the reason.
 *   Session-level guard flags (weight, concentration) carry the reasons given at start,
 *   stored on the session row.
 * - A SIGNED session is not reconciled: its flags are part of the signed record (a follow-up
 *   pain score after signing changes no flag).
 * - Legacy flags (no conditionKey, stored before keys existed): on the first reconcile each
 *   live one is adopted by the condition of the same code and source (session-wide codes: the
 *   code alone); one that matches nothing is left as it is (it may still be a real finding).
 * - `context`: the context assertHardOverride loaded in this transaction, with this write's
 *   entry applied (its `contextOnceStored`). Its flag lock is still held, so it is neither
 *   taken again nor the context read again; without it both are done here.
 */
export async function reconcileSessionFlags(
  tx: Tx,
  { actor, sessionId, now, newEntry, reason = null, overrideReason = null, context }: {
    actor: ReconcileActor; sessionId: string; now: Date;
    newEntry?: { type: FlagSourceType; id: string }; reason?: string | null; overrideReason?: string | null;
    context?: FlagContext | null;
  },
): Promise<{ raised: FlagDto[]; resolved: FlagDto[] }> {
  let ctx = context ?? null;
  if (!ctx) {
    await lockSessionFlags(tx, sessionId);
    ctx = await loadFlagContext(tx, actor.clinicId, sessionId);
  }
  if (!ctx || ctx.status === "SIGNED") return { raised: [], resolved: [] };
  const nowMs = now.getTime();
  const system = isSystem(actor);
  const actorId = system ? null : actor.userId;
  const audit = (action: string, entityId: string, data: { before?: unknown; after?: unknown }) =>
    writeAudit(tx, { clinicId: ctx.clinicId, actorId, action, entityType: "Flag", entityId, ...data });

  const { conditions } = evaluate(ctx, ctx.timeline, nowMs);

  // legacy flags: adopt them by the condition they stand for
  const taken = new Set(ctx.flags.filter((f) => !f.resolvedAt && f.conditionKey).map((f) => f.conditionKey!));
  for (const f of ctx.flags) {
    if (f.conditionKey || f.resolvedAt) continue;
    const match = legacyMatch(f, conditions, taken);
    if (!match) continue;
    taken.add(match.key);
    await tx.flag.update({ where: { id: f.id }, data: { conditionKey: match.key } });
    await audit("flag.adopt", f.id, { before: { conditionKey: null }, after: { conditionKey: match.key } });
    f.conditionKey = match.key;
  }

  const stored: StoredFlag[] = ctx.flags
    .filter((f) => f.conditionKey !== null)
    .map((f) => ({
      id: f.id, key: f.conditionKey!, status: flagStatus(f), severity: f.severity, raisedAtMs: f.raisedAt.getTime(),
      sourceType: f.sourceType, sourceId: f.sourceId,
    }));
  const { toRaise, toResolve } = reconcileFlags({ stored, conditions, chartedRows: ctx.chartedRows });

  // which raised conditions this write's entry caused: those that did not hold without it
  let caused: Set<string> | null = null;
  if (newEntry && (reason || overrideReason)) {
    const without = withoutEntry(ctx.timeline, newEntry.id);
    caused = new Set(toRaise.map((c) => c.key));
    for (const c of evaluate(ctx, without, nowMs).conditions) caused.delete(c.key);
  }
  const reasonFor = (c: FlagCondition): string | null => {
    if (c.source.type === "InfusionSession") {
      const r = ctx.sessionReasons;
      if (c.code === "WEIGHT_CHANGE_LARGE") return r.weightConfirmReason;
      if (c.code === "CONCENTRATION_NOT_STANDARD") return r.concentrationReason;
      if (c.code === "CONCENTRATION_STOCK_VIAL") return r.concentrationOverrideReason;
    }
    if (!caused?.has(c.key)) return null;
    return (c.severity === "HARD" ? overrideReason ?? reason : reason ?? overrideReason)?.trim() || null;
  };

  const byId = new Map(ctx.flags.map((f) => [f.id, f] as const));
  const resolved: FlagDto[] = [];
  for (const r of toResolve) {
    const before = byId.get(r.flag.id)!;
    const data = { resolvedAt: now, resolvedById: actorId, resolution: r.resolutionText };
    // only a live flag is resolved: a concurrent resolve (impossible under the lock) would be a no-op
    await tx.flag.updateMany({ where: { id: before.id, resolvedAt: null }, data });
    await audit("flag.resolve", before.id, { before: { resolvedAt: null }, after: { ...data, cause: r.cause } });
    resolved.push(flagDto({ ...before, ...data }, null));
  }
  const raised: FlagDto[] = [];
  for (const c of toRaise) {
    const flag = await tx.flag.create({
      data: {
        clinicId: ctx.clinicId, seriesId: ctx.seriesId, sessionId, code: c.code, severity: c.severity,
        valueText: c.valueText, limitText: c.limitText, message: c.message,
        sourceType: c.source.type, sourceId: c.source.id, conditionKey: c.key,
        reason: reasonFor(c), raisedById: actorId ?? SYSTEM_ACTOR_ID, raisedAt: now,
      },
    });
    await audit("flag.raise", flag.id, { after: system ? { ...flag, raisedBy: actor.name } : flag });
    raised.push(flagDto(flag, null));
  }
  return { raised, resolved };
}

/**
 * The timeline without `entryId`: conditions that hold without it were not caused by it. For
 * a correction the corrected row is not put back (its key is another row's anyway), so every
 * condition keyed on the new row counts as caused by it, as it is.
 */
function withoutEntry(timeline: SessionTimeline, entryId: string): SessionTimeline {
  const drop = <T extends { id: string }>(rows: readonly T[] | undefined) => (rows ?? []).filter((r) => r.id !== entryId);
  return { doseEvents: drop(timeline.doseEvents), vitals: drop(timeline.vitals), sideEffects: drop(timeline.sideEffects), pain: drop(timeline.pain) };
}
