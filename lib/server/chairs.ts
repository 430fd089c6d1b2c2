import "server-only";
import { AppError, conflict, notFound } from "@/lib/errors";
import { can } from "@/lib/permissions";
import type { CreateChairInput, MoveChairInput, UpdateChairInput } from "@/lib/validation/chairs";
import { requirePermission, type Actor } from "./actor";
import { auditAs } from "./audit";
import { db, type Tx } from "./db";
import { isUniqueViolation } from "./http";

// The clinic's treatment chairs (docs/decisions/0013-chairs-and-the-board.md): the admin's
// list, the chair a session is started in, and moving a running session to another chair.
// "One running session per chair" is the database's partial unique index
// ("InfusionSession_chair_running_key"); the checks here only give the clear message first.

const CHAIR_SELECT = { id: true, name: true, active: true, sortOrder: true, createdAt: true } as const;
type ChairRow = { id: string; name: string; active: boolean; sortOrder: number; createdAt: Date };

export function chairDto(c: ChairRow, running: { sessionId: string } | null = null) {
  return { id: c.id, name: c.name, active: c.active, sortOrder: c.sortOrder, createdAt: c.createdAt.toISOString(), runningSessionId: running?.sessionId ?? null };
}
export type ChairDto = ReturnType<typeof chairDto>;

/** Chair order on the admin page, the start form and the board: sortOrder, then name. */
const CHAIR_ORDER = [{ sortOrder: "asc" as const }, { name: "asc" as const }];

async function runningByChair(clinicId: string, client: Tx | typeof db = db): Promise<Map<string, string>> {
  const running = await client.infusionSession.findMany({
    where: { clinicId, status: "IN_PROGRESS", chairId: { not: null } },
    select: { id: true, chairId: true },
  });
  return new Map(running.map((r) => [r.chairId as string, r.id]));
}

/** Every chair of the clinic, active first, with the session each holds (admin page and API). */
export async function findClinicChairs({ actor }: { actor: Actor }) {
  requirePermission(actor, "chair:manage");
  const [chairs, running] = await Promise.all([
    db.chair.findMany({ where: { clinicId: actor.clinicId }, orderBy: [{ active: "desc" }, ...CHAIR_ORDER], select: CHAIR_SELECT }),
    runningByChair(actor.clinicId),
  ]);
  return chairs.map((c) => chairDto(c, running.has(c.id) ? { sessionId: running.get(c.id)! } : null));
}

/**
 * The chairs a session may be started in or moved to: active and holding no running session.
 * `required` is true while the clinic has any active chair (then a start must name one).
 */
export async function findFreeChairs({ actor }: { actor: Actor }) {
  requirePermission(actor, "session:start");
  const [chairs, running] = await Promise.all([
    db.chair.findMany({ where: { clinicId: actor.clinicId, active: true }, orderBy: CHAIR_ORDER, select: CHAIR_SELECT }),
    runningByChair(actor.clinicId),
  ]);
  return { required: chairs.length > 0, chairs: chairs.filter((c) => !running.has(c.id)).map((c) => chairDto(c)) };
}
export type FreeChairs = Awaited<ReturnType<typeof findFreeChairs>>;

/** The chair of a session and, while it runs, the free chairs it may move to (the chart's control). */
export async function findSessionChair({ actor, sessionId }: { actor: Actor; sessionId: string }) {
  requirePermission(actor, "patient:read");
  const session = await db.infusionSession.findFirst({ where: { id: sessionId, clinicId: actor.clinicId }, select: { status: true, chair: { select: { id: true, name: true } } } });
  if (!session) throw notFound("Session");
  const canMove = session.status === "IN_PROGRESS" && can(actor, "session:move-chair");
  return { chair: session.chair, free: canMove ? (await findFreeChairs({ actor })).chairs : [], canMove };
}
export type SessionChair = Awaited<ReturnType<typeof findSessionChair>>;

const nameTaken = () =>
  new AppError("CONFLICT", { userMessage: "This clinic already has a chair with this name.", fields: { name: "already used by another chair" } });

export async function createChair(tx: Tx, { actor, input }: { actor: Actor; input: CreateChairInput }) {
  requirePermission(actor, "chair:manage");
  const last = await tx.chair.aggregate({ where: { clinicId: actor.clinicId }, _max: { sortOrder: true } });
  try {
    const chair = await tx.chair.create({
      data: { clinicId: actor.clinicId, name: input.name, sortOrder: (last._max.sortOrder ?? 0) + 1 },
      select: CHAIR_SELECT,
    });
    await auditAs(tx, actor)("chair.create", "Chair", chair.id, { after: chair });
    return chairDto(chair);
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken();
    throw err;
  }
}

/**
 * Locks a chair of the actor's clinic for the rest of the transaction: FOR UPDATE when it is
 * changed, FOR SHARE when a session is started in it, so a deactivation and a start in the
 * same chair are serialised (the start then sees the chair inactive, or the deactivation
 * sees the running session).
 */
async function lockChair(tx: Tx, clinicId: string, chairId: string, lock: "share" | "update"): Promise<ChairRow | null> {
  const rows = lock === "update"
    ? await tx.$queryRaw<ChairRow[]>`SELECT id, name, active, "sortOrder", "createdAt" FROM "Chair" WHERE id = ${chairId} AND "clinicId" = ${clinicId} FOR UPDATE`
    : await tx.$queryRaw<ChairRow[]>`SELECT id, name, active, "sortOrder", "createdAt" FROM "Chair" WHERE id = ${chairId} AND "clinicId" = ${clinicId} FOR SHARE`;
  return rows[0] ?? null;
}

/**
 * Moves an active chair to `position` (1-based) in the clinic's order of active chairs, the
 * order of the board's "by chair" sort, the start form and the admin page. The active chairs
 * are renumbered 1..n in the new order (deactivated chairs keep theirs: they are listed apart).
 * Every active chair of the clinic is locked first, so two moves at once are serialised.
 */
async function moveChairTo(tx: Tx, actor: Actor, before: ChairRow, position: number) {
  if (!before.active) throw conflict(`${before.name} is deactivated: reactivate it before placing it in the order.`);
  const active = await tx.$queryRaw<{ id: string; name: string; sortOrder: number }[]>`
    SELECT id, name, "sortOrder" FROM "Chair" WHERE "clinicId" = ${actor.clinicId} AND active ORDER BY "sortOrder", name FOR UPDATE`;
  if (position > active.length)
    throw new AppError("BAD_INPUT", { userMessage: `The clinic has ${active.length} active chair${active.length === 1 ? "" : "s"}: choose a place from 1 to ${active.length}.`, fields: { position: `must be between 1 and ${active.length}` } });
  const from = active.findIndex((c) => c.id === before.id) + 1;
  const order = active.filter((c) => c.id !== before.id);
  order.splice(position - 1, 0, active[from - 1]!);
  const changed = order.filter((c, i) => c.sortOrder !== i + 1);
  if (from === position && changed.length === 0) return chairDto(before);
  for (const c of changed) await tx.chair.update({ where: { id: c.id }, data: { sortOrder: order.indexOf(c) + 1 }, select: { id: true } });
  await auditAs(tx, actor)("chair.reorder", "Chair", before.id, {
    before: { position: from, order: active.map((c) => c.name) },
    after: { position, order: order.map((c) => c.name) },
  });
  return chairDto({ ...before, sortOrder: position });
}

/**
 * Rename, deactivate or reactivate, or place in the order. A chair holding a running session
 * stays active.
 */
export async function updateChair(tx: Tx, { actor, chairId, input }: { actor: Actor; chairId: string; input: UpdateChairInput }) {
  requirePermission(actor, "chair:manage");
  const before = await lockChair(tx, actor.clinicId, chairId, "update");
  if (!before) throw notFound("Chair");
  if (input.position !== undefined) return moveChairTo(tx, actor, before, input.position);
  if (input.active === false && before.active) {
    const running = await tx.infusionSession.findFirst({ where: { clinicId: actor.clinicId, chairId, status: "IN_PROGRESS" }, select: { id: true } });
    if (running) throw conflict(`${before.name} holds a running session: complete it or move it to another chair first.`);
  }
  const data = { ...(input.name !== undefined ? { name: input.name } : {}), ...(input.active !== undefined ? { active: input.active } : {}) };
  if ((data.name ?? before.name) === before.name && (data.active ?? before.active) === before.active) return chairDto(before);
  try {
    const after = await tx.chair.update({ where: { id: chairId }, data, select: CHAIR_SELECT });
    const action = input.active === false && before.active ? "chair.deactivate" : input.active === true && !before.active ? "chair.reactivate" : "chair.rename";
    await auditAs(tx, actor)(action, "Chair", chairId, { before: { name: before.name, active: before.active }, after: { name: after.name, active: after.active } });
    return chairDto(after);
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken();
    throw err;
  }
}

const occupied = (name: string) =>
  new AppError("CONFLICT", { userMessage: `${name} already holds a running session: choose a free chair.`, fields: { chairId: "this chair is occupied" } });

/**
 * The chair a session is started in (called by startSession before the insert). A clinic
 * with at least one active chair must name one; a clinic without chairs starts sessions
 * without (they show as "unassigned" on the board). The chair must be active, of the actor's
 * clinic (another clinic's id is "not found") and free. Returns the chair id or null.
 */
export async function chairForStart(tx: Tx, { actor, chairId }: { actor: Actor; chairId: string | undefined }): Promise<{ id: string; name: string } | null> {
  if (chairId === undefined) {
    const anyActive = await tx.chair.findFirst({ where: { clinicId: actor.clinicId, active: true }, select: { id: true } });
    if (anyActive) throw new AppError("BAD_INPUT", { userMessage: "Choose the chair the patient is in.", fields: { chairId: "is required: this clinic uses chairs" } });
    return null;
  }
  const chair = await lockChair(tx, actor.clinicId, chairId, "share");
  if (!chair) throw new AppError("NOT_FOUND", { userMessage: "Chair not found.", fields: { chairId: "not a chair of this clinic" } });
  if (!chair.active) throw new AppError("CONFLICT", { userMessage: `${chair.name} is deactivated: choose an active chair.`, fields: { chairId: "this chair is deactivated" } });
  const holder = await tx.infusionSession.findFirst({ where: { chairId, status: "IN_PROGRESS" }, select: { id: true } });
  if (holder) throw occupied(chair.name);
  return { id: chair.id, name: chair.name };
}

/**
 * A unique violation on the insert or update of a session that names a chair: another
 * request took the chair between our check and our write (the partial unique index decided).
 */
export function chairTakenError(err: unknown, chairName: string | null): AppError | null {
  if (chairName === null || !isUniqueViolation(err)) return null;
  return occupied(chairName);
}

/** Moves a running session to another free chair of the clinic, audited with both chairs. */
export async function moveSessionChair(tx: Tx, { actor, sessionId, input }: { actor: Actor; sessionId: string; input: MoveChairInput }) {
  requirePermission(actor, "session:move-chair");
  const session = await tx.infusionSession.findFirst({
    where: { id: sessionId, clinicId: actor.clinicId },
    select: { id: true, status: true, chairId: true, chair: { select: { name: true } } },
  });
  if (!session) throw notFound("Session");
  if (session.status !== "IN_PROGRESS") throw conflict("Only a session in progress can move chair.");
  if (session.chairId === input.chairId) throw new AppError("BAD_INPUT", { userMessage: "The session is already in this chair.", fields: { chairId: "is the current chair" } });
  const target = await chairForStart(tx, { actor, chairId: input.chairId });
  if (!target) throw notFound("Chair");
  try {
    // Only if nobody moved or closed it meanwhile: the audit's "from" is then the truth.
    const { count } = await tx.infusionSession.updateMany({
      where: { id: sessionId, clinicId: actor.clinicId, status: "IN_PROGRESS", chairId: session.chairId },
      data: { chairId: target.id },
    });
    if (count !== 1) throw conflict("This session changed since you opened it: reload and try again.");
  } catch (err) {
    throw chairTakenError(err, target.name) ?? err;
  }
  const from = session.chairId === null ? null : { id: session.chairId, name: session.chair?.name ?? null };
  const to = { id: target.id, name: target.name };
  await auditAs(tx, actor)("session.chair.move", "InfusionSession", sessionId, { before: { chair: from }, after: { chair: to, previousChair: from, reason: input.reason ?? null } });
  return { session: { id: sessionId, chair: to, previousChair: from } };
}

/* Entry points for route handlers: each step above in a transaction of its own. */

export async function addChair(opts: { actor: Actor; input: CreateChairInput }) {
  requirePermission(opts.actor, "chair:manage");
  return db.$transaction((tx) => createChair(tx, opts));
}

export async function changeChair(opts: { actor: Actor; chairId: string; input: UpdateChairInput }) {
  requirePermission(opts.actor, "chair:manage");
  return db.$transaction((tx) => updateChair(tx, opts));
}
