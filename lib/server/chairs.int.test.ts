// Chairs and the chair board through the real services against PostgreSQL
// (docs/decisions/0013-chairs-and-the-board.md): one running session per chair held by the
// database under a race, moving chair, clinic scoping, refused writes change nothing, the
// board's one read and its audit row.
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { createChairs } from "@/prisma/seed/factories";
import { getBoard } from "@/lib/server/board";
import { addChair, changeChair, chairForStart, findFreeChairs, moveSessionChair } from "@/lib/server/chairs";
import { startSession } from "@/lib/server/sessions";
import { CreateChairSchema, MoveChairSchema, UpdateChairSchema } from "@/lib/validation/chairs";
import { StartSessionSchema } from "@/lib/validation/session";
import { at, dose, expectAppError, patientWithSeries, vitals, type Clinic } from "@/test/charting";
import { db, freshClinic, snapshotTables } from "@/test/helpers";

const NEURO = "IV infusion (routes table)";
const NOW = new Date("2026-03-10T15:00:00.000Z");

let c: Clinic;
let other: Clinic;
beforeAll(async () => {
  [c, other] = await Promise.all([freshClinic(), freshClinic()]);
});

function startIn(clinic: Clinic, seriesId: string, chairId: string | undefined, now = NOW) {
  const input = StartSessionSchema.parse({ weightKg: 70, concentrationMgPerMl: 1, consentConfirmed: true, screeningReviewed: true, ...(chairId ? { chairId } : {}) });
  return db.$transaction((tx) => startSession(tx, { actor: clinic.actors.nurse, seriesId, input, now }));
}

describe("starting in a chair", () => {
  it("a clinic without chairs starts sessions without one; once it has an active chair, a chair is required", async () => {
    const x = await freshClinic();
    const a = await patientWithSeries(x, NEURO);
    const { session } = await startIn(x, a.series.id, undefined);
    expect((await db.infusionSession.findUniqueOrThrow({ where: { id: session.id } })).chairId).toBeNull();

    await createChairs(db, { clinicId: x.clinic.id, count: 1 });
    const b = await patientWithSeries(x, NEURO);
    const before = await snapshotTables();
    const err = await expectAppError(startIn(x, b.series.id, undefined), "BAD_INPUT");
    expect(err.fields?.chairId).toBe("is required: this clinic uses chairs");
    expect(await snapshotTables()).toEqual(before);
  });

  it("two concurrent starts in one chair: exactly one wins, the other is a 409 naming the chair, and nothing of it is stored", async () => {
    const [chair] = await createChairs(db, { clinicId: c.clinic.id, count: 1, prefix: "Race" });
    const a = await patientWithSeries(c, NEURO);
    const b = await patientWithSeries(c, NEURO);
    const results = await Promise.allSettled([startIn(c, a.series.id, chair!.id), startIn(c, b.series.id, chair!.id)]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toMatchObject({ code: "CONFLICT", userMessage: "Race 1 already holds a running session: choose a free chair." });
    const running = await db.infusionSession.findMany({ where: { chairId: chair!.id, status: "IN_PROGRESS" } });
    expect(running).toHaveLength(1);
    // the loser's series has no session at all (its transaction rolled back)
    expect(await db.infusionSession.count({ where: { seriesId: { in: [a.series.id, b.series.id] } } })).toBe(1);
  });

  it("the database itself refuses a second running session in a chair (the partial unique index)", async () => {
    const [chair] = await createChairs(db, { clinicId: c.clinic.id, count: 1, prefix: "Index" });
    const a = await patientWithSeries(c, NEURO);
    const b = await patientWithSeries(c, NEURO);
    const { session } = await startIn(c, a.series.id, chair!.id);
    const first = await db.infusionSession.findUniqueOrThrow({ where: { id: session.id } });
    await expect(db.infusionSession.create({ data: {
      clinicId: c.clinic.id, seriesId: b.series.id, sequence: 1, weightG: 70_000, concentrationUgPerMl: 1000,
      consentConfirmed: true, screeningReviewed: true, nurseId: first.nurseId, chairId: chair!.id,
    } })).rejects.toMatchObject({ code: "P2002" });
    // a completed session keeps its chair and frees it
    await db.infusionSession.update({ where: { id: session.id }, data: { status: "COMPLETED", completedAt: NOW } });
    const { session: next } = await startIn(c, b.series.id, chair!.id);
    expect((await db.infusionSession.findUniqueOrThrow({ where: { id: next.id } })).chairId).toBe(chair!.id);
  });

  it("refuses an occupied, a deactivated and another clinic's chair with nothing stored", async () => {
    const [busy, off] = await createChairs(db, { clinicId: c.clinic.id, count: 2, prefix: "Refuse" });
    await db.chair.update({ where: { id: off!.id }, data: { active: false } });
    const [theirs] = await createChairs(db, { clinicId: other.clinic.id, count: 1, prefix: "Theirs" });
    await startIn(c, (await patientWithSeries(c, NEURO)).series.id, busy!.id);
    const s = await patientWithSeries(c, NEURO);
    const before = await snapshotTables();
    expect((await expectAppError(startIn(c, s.series.id, busy!.id), "CONFLICT")).fields?.chairId).toBe("this chair is occupied");
    expect((await expectAppError(startIn(c, s.series.id, off!.id), "CONFLICT")).fields?.chairId).toBe("this chair is deactivated");
    expect((await expectAppError(startIn(c, s.series.id, theirs!.id), "NOT_FOUND")).fields?.chairId).toBe("not a chair of this clinic");
    expect(await snapshotTables()).toEqual(before);
    // the free list leaves out the occupied and the deactivated chair
    const free = await findFreeChairs({ actor: c.actors.nurse });
    expect(free.required).toBe(true);
    expect(free.chairs.map((x) => x.id)).not.toContain(busy!.id);
    expect(free.chairs.map((x) => x.id)).not.toContain(off!.id);
  });
});

describe("moving chair", () => {
  it("moves a running session to a free chair, audited with both chairs; an occupied target is a 409 that changes nothing", async () => {
    const [from, to, taken] = await createChairs(db, { clinicId: c.clinic.id, count: 3, prefix: "Move" });
    const { session } = await startIn(c, (await patientWithSeries(c, NEURO)).series.id, from!.id);
    await startIn(c, (await patientWithSeries(c, NEURO)).series.id, taken!.id);

    const before = await snapshotTables();
    await expectAppError(db.$transaction((tx) => moveSessionChair(tx, { actor: c.actors.nurse, sessionId: session.id, input: MoveChairSchema.parse({ chairId: taken!.id }) })), "CONFLICT");
    // another clinic's nurse cannot see the session at all
    await expectAppError(db.$transaction((tx) => moveSessionChair(tx, { actor: other.actors.nurse, sessionId: session.id, input: MoveChairSchema.parse({ chairId: to!.id }) })), "NOT_FOUND");
    // an administrator may not move patients
    await expectAppError(db.$transaction((tx) => moveSessionChair(tx, { actor: c.actors.admin, sessionId: session.id, input: MoveChairSchema.parse({ chairId: to!.id }) })), "FORBIDDEN");
    expect(await snapshotTables()).toEqual(before);

    const moved = await db.$transaction((tx) => moveSessionChair(tx, { actor: c.actors.nurse, sessionId: session.id, input: MoveChairSchema.parse({ chairId: to!.id, reason: "Patient asked for the window" }) }));
    expect(moved.session).toEqual({ id: session.id, chair: { id: to!.id, name: "Move 2" }, previousChair: { id: from!.id, name: "Move 1" } });
    expect((await db.infusionSession.findUniqueOrThrow({ where: { id: session.id } })).chairId).toBe(to!.id);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "session.chair.move", entityId: session.id } });
    expect(audit.before).toEqual({ chair: { id: from!.id, name: "Move 1" } });
    expect(audit.after).toEqual({ chair: { id: to!.id, name: "Move 2" }, previousChair: { id: from!.id, name: "Move 1" }, reason: "Patient asked for the window" });
  });
});

describe("chair administration", () => {
  it("adds, renames, refuses a duplicate name, cannot deactivate a chair holding a running session, reactivates; each change audited", async () => {
    const admin = c.actors.admin;
    const created = await addChair({ actor: admin, input: CreateChairSchema.parse({ name: "Window bay" }) });
    expect((await expectAppError(addChair({ actor: admin, input: CreateChairSchema.parse({ name: "Window bay" }) }), "CONFLICT")).fields?.name).toBe("already used by another chair");
    // the same name in another clinic is fine
    await addChair({ actor: other.actors.admin, input: CreateChairSchema.parse({ name: "Window bay" }) });
    const renamed = await changeChair({ actor: admin, chairId: created.id, input: UpdateChairSchema.parse({ name: "Window bay 1" }) });
    expect(renamed.name).toBe("Window bay 1");
    await expectAppError(changeChair({ actor: other.actors.admin, chairId: created.id, input: UpdateChairSchema.parse({ active: false }) }), "NOT_FOUND");
    await expectAppError(addChair({ actor: c.actors.nurse, input: CreateChairSchema.parse({ name: "Nurse chair" }) }), "FORBIDDEN");

    const { session } = await startIn(c, (await patientWithSeries(c, NEURO)).series.id, created.id);
    const before = await snapshotTables();
    await expectAppError(changeChair({ actor: admin, chairId: created.id, input: UpdateChairSchema.parse({ active: false }) }), "CONFLICT");
    expect(await snapshotTables()).toEqual(before);

    await db.infusionSession.update({ where: { id: session.id }, data: { status: "COMPLETED", completedAt: NOW } });
    expect((await changeChair({ actor: admin, chairId: created.id, input: UpdateChairSchema.parse({ active: false }) })).active).toBe(false);
    expect((await changeChair({ actor: admin, chairId: created.id, input: UpdateChairSchema.parse({ active: true }) })).active).toBe(true);
    const actions = (await db.auditEvent.findMany({ where: { entityType: "Chair", entityId: created.id }, orderBy: { id: "asc" } })).map((a) => a.action);
    expect(actions).toEqual(["chair.create", "chair.rename", "chair.deactivate", "chair.reactivate"]);
  });
});

describe("chair order", () => {
  it("an admin places a chair in the order of active chairs (1..n renumbered, a retry changes nothing), audited; the board's by-chair sort follows it; refusals change nothing", async () => {
    const x = await freshClinic();
    const [c1, c2, c3] = await createChairs(db, { clinicId: x.clinic.id, count: 3, prefix: "Order" });
    const admin = x.actors.admin;
    const names = async () => (await db.chair.findMany({ where: { clinicId: x.clinic.id, active: true }, orderBy: [{ sortOrder: "asc" }, { name: "asc" }] })).map((ch) => ch.name);
    // Order 3 to the top (the "up" button twice), then the same request again: no change, no second audit row
    expect((await changeChair({ actor: admin, chairId: c3!.id, input: UpdateChairSchema.parse({ position: 1 }) })).sortOrder).toBe(1);
    expect(await names()).toEqual(["Order 3", "Order 1", "Order 2"]);
    await changeChair({ actor: admin, chairId: c3!.id, input: UpdateChairSchema.parse({ position: 1 }) });
    expect(await names()).toEqual(["Order 3", "Order 1", "Order 2"]);
    // Order 1 down one place (from 2 to 3)
    await changeChair({ actor: admin, chairId: c1!.id, input: UpdateChairSchema.parse({ position: 3 }) });
    expect(await names()).toEqual(["Order 3", "Order 2", "Order 1"]);
    const audits = await db.auditEvent.findMany({ where: { action: "chair.reorder", clinicId: x.clinic.id }, orderBy: { id: "asc" } });
    expect(audits.map((a) => [a.entityId, a.before, a.after])).toEqual([
      [c3!.id, { position: 3, order: ["Order 1", "Order 2", "Order 3"] }, { position: 1, order: ["Order 3", "Order 1", "Order 2"] }],
      [c1!.id, { position: 2, order: ["Order 3", "Order 1", "Order 2"] }, { position: 3, order: ["Order 3", "Order 2", "Order 1"] }],
    ]);

    const before = await snapshotTables();
    // beyond the number of active chairs: a 400 naming the field
    expect((await expectAppError(changeChair({ actor: admin, chairId: c2!.id, input: UpdateChairSchema.parse({ position: 4 }) }), "BAD_INPUT")).fields?.position).toBe("must be between 1 and 3");
    // a nurse may not; another clinic's admin does not see the chair
    await expectAppError(changeChair({ actor: x.actors.nurse, chairId: c2!.id, input: UpdateChairSchema.parse({ position: 1 }) }), "FORBIDDEN");
    await expectAppError(changeChair({ actor: other.actors.admin, chairId: c2!.id, input: UpdateChairSchema.parse({ position: 1 }) }), "NOT_FOUND");
    expect(await snapshotTables()).toEqual(before);
    // a move goes alone, and position is a whole number from 1
    expect(UpdateChairSchema.safeParse({ position: 1, name: "X" }).success).toBe(false);
    expect(UpdateChairSchema.safeParse({ position: 0 }).success).toBe(false);
    expect(UpdateChairSchema.safeParse({ position: 1.5 }).success).toBe(false);

    // a deactivated chair is not placed (it is not in the order)
    await changeChair({ actor: admin, chairId: c2!.id, input: UpdateChairSchema.parse({ active: false }) });
    await expectAppError(changeChair({ actor: admin, chairId: c2!.id, input: UpdateChairSchema.parse({ position: 1 }) }), "CONFLICT");
    await changeChair({ actor: admin, chairId: c2!.id, input: UpdateChairSchema.parse({ active: true }) });

    const board = await getBoard({ actor: x.actors.physician, now: NOW });
    const { sortTiles } = await import("@/lib/domain/board");
    expect(sortTiles(board.tiles, "chair", NOW.getTime()).map((t) => t.chair?.name)).toEqual(["Order 3", "Order 2", "Order 1"]);
  });
});

describe("the board", () => {
  it("shows every active chair and every running session (one without a chair too), computed like the chart, in a bounded number of queries, with one audit row", async () => {
    const x = await freshClinic();
    const noChair = await patientWithSeries(x, NEURO);
    const { session: unassigned } = await startIn(x, noChair.series.id, undefined, at(0));
    const chairs = await createChairs(db, { clinicId: x.clinic.id, count: 3 });
    const p = await patientWithSeries(x, NEURO);
    const { session } = await startIn(x, p.series.id, chairs[1]!.id, at(0));
    // START 0.2 mg/kg/h at +1 min; vitals at +10 min (SBP 172: SBP high); now +30 min
    await dose(x.actors.nurse, session.id, at(1), { type: "START", rateMgPerKgPerH: 0.2 });
    await vitals(x.actors.nurse, session.id, at(10), { systolicMmHg: 172, diastolicMmHg: 90, heartRatePerMin: 80, spo2Pct: 97, respRatePerMin: 14 });

    const auditBefore = await db.auditEvent.count({ where: { clinicId: x.clinic.id } });
    const board = await getBoard({ actor: x.actors.physician, now: at(30) });
    expect(board.counts).toEqual({ chairs: 3, free: 2, running: 2, unassigned: 1 });
    // chair order: the one without a chair first, then Chair 1..3
    const tile = board.tiles.find((t) => t.session?.id === session.id)!;
    expect(tile.chair?.name).toBe("Chair 2");
    expect(tile.session?.patient.mrn).toBe(p.patient.mrn);
    // 0.2 mg/kg/h for 29 min = 0.0967 mg/kg -> 97 µg/kg; 70 kg -> 6 767 µg (half up of 6766.67)
    expect(tile.live).toMatchObject({ state: "RUNNING", rateUgPerKgPerH: 200, cumulativeUgPerKg: 97, cumulativeUg: 6767, elapsedMs: 29 * 60_000, pumpMlPerHText: "14.0" });
    // next vitals: one 15-min interval after the set at +10 -> +25; at +30 overdue by 5 min
    expect(tile.clinical?.nextVitalsDueAtMs).toBe(at(25).getTime());
    expect(tile.live?.isVitalsOverdue).toBe(true);
    expect(tile.clinical?.lastVitals?.flags.map((f) => f.code)).toContain("SBP_HIGH");
    expect(tile.clinical?.openFlags.some((f) => f.code === "SBP_HIGH")).toBe(true);
    // overdue: the most urgent tile comes first
    expect(board.tiles[0]!.session?.id).toBe(session.id);
    expect(board.tiles.find((t) => t.session?.id === unassigned.id)?.chair).toBeNull();
    expect(board.tiles.filter((t) => t.session === null).map((t) => t.chair?.name).sort()).toEqual(["Chair 1", "Chair 3"]);

    const audits = await db.auditEvent.findMany({ where: { clinicId: x.clinic.id }, orderBy: { id: "asc" }, skip: auditBefore });
    // one access row for the whole board, naming every patient shown (decision 0019)
    expect(audits.map((a) => [a.action, a.entityType, a.actorId])).toEqual([["access.read", "Board", x.actors.physician.userId]]);
    expect((audits[0]!.after as { patientIds: string[] }).patientIds.sort()).toEqual([p.patient.id, noChair.patient.id].sort());

    // another clinic sees none of it
    const theirs = await getBoard({ actor: other.actors.nurse, now: at(30) });
    expect(theirs.tiles.some((t) => t.session?.id === session.id || t.session?.id === unassigned.id)).toBe(false);
  });

  it("reads in the same number of queries for 1 and for 6 running sessions", async () => {
    const count = async (n: number) => {
      const x = await freshClinic();
      const chairs = await createChairs(db, { clinicId: x.clinic.id, count: n });
      for (let i = 0; i < n; i++) {
        const { session } = await startIn(x, (await patientWithSeries(x, NEURO)).series.id, chairs[i]!.id, at(0));
        await dose(x.actors.nurse, session.id, at(1), { type: "START", rateMgPerKgPerH: 0.2 });
        await vitals(x.actors.nurse, session.id, at(5));
      }
      // every SQL statement the services send goes through pg's Client#query (the Prisma adapter's pool)
      let queries = 0;
      const original = pg.Client.prototype.query;
      pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
        queries += 1;
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      } as typeof original;
      try {
        await getBoard({ actor: x.actors.nurse, now: at(20) });
      } finally {
        pg.Client.prototype.query = original;
      }
      return queries;
    };
    const one = await count(1);
    expect(one).toBeGreaterThan(0);
    expect(await count(6)).toBe(one);
  });

  it("is refused to nobody of the clinic's roles, and chairForStart is scoped", async () => {
    for (const actor of [c.actors.nurse, c.actors.physician, c.actors.admin]) await expect(getBoard({ actor })).resolves.toBeDefined();
    const [theirs] = await createChairs(db, { clinicId: other.clinic.id, count: 1, prefix: "Scope" });
    await expectAppError(db.$transaction((tx) => chairForStart(tx, { actor: c.actors.nurse, chairId: theirs!.id })), "NOT_FOUND");
  });
});
