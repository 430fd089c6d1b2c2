// Ending a series (POST /api/series/{id}/close) through the real service against PostgreSQL:
// who may, when it is refused (status and unchanged database), what it records.
import { beforeAll, describe, expect, it } from "vitest";
import { closeSeries } from "@/lib/server/series";
import { completeSession } from "@/lib/server/sessions";
import type { Actor } from "@/lib/server/actor";
import { CloseSeriesSchema } from "@/lib/validation/series";
import { CompleteSessionSchema } from "@/lib/validation/session";
import { db, freshClinic, snapshotTables } from "@/test/helpers";
import { at, expectAppError, openSession, pain, patientWithSeries, start, type Clinic } from "@/test/charting";

const IV = "IV infusion (routes table)";

let c: Clinic;
let other: Clinic;
beforeAll(async () => {
  c = await freshClinic();
  other = await freshClinic();
});

function close(actor: Actor, seriesId: string, raw: Record<string, unknown>, now = at(600)) {
  return db.$transaction((tx) => closeSeries(tx, { actor, seriesId, input: CloseSeriesSchema.parse(raw), now }));
}

describe("closeSeries", () => {
  it("a physician completes an active series: status, time, who and why are kept and audited", async () => {
    const { series } = await patientWithSeries(c, IV);
    const r = await close(c.actors.physician, series.id, { outcome: "COMPLETED", reason: "Course of 5 finished" });
    expect(r.series).toEqual({
      id: series.id, status: "COMPLETED", closedAt: at(600).toISOString(), closedById: c.actors.physician.userId, closeReason: "Course of 5 finished",
    });
    const row = await db.series.findUniqueOrThrow({ where: { id: series.id } });
    expect(row).toMatchObject({ status: "COMPLETED", closedAt: at(600), closedById: c.actors.physician.userId, closeReason: "Course of 5 finished" });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { entityId: series.id, action: "series.close" } });
    expect(audit).toMatchObject({ clinicId: c.clinic.id, actorId: c.actors.physician.userId, before: { status: "ACTIVE" } });
    expect(audit.after).toMatchObject({ status: "COMPLETED", closeReason: "Course of 5 finished" });
  });

  it("an ended series takes no new session, and cannot be ended twice (409, nothing changes)", async () => {
    const { series } = await patientWithSeries(c, IV);
    await close(c.actors.physician, series.id, { outcome: "CANCELLED", reason: "Patient moved away" });
    const before = await snapshotTables();
    await expectAppError(start(c.actors.nurse, series.id, at(700)), "CONFLICT");
    const again = await expectAppError(close(c.actors.physician, series.id, { outcome: "COMPLETED" }), "CONFLICT");
    expect(again.userMessage).toMatch(/already cancelled/);
    expect(await snapshotTables()).toEqual(before);
  });

  it("refused while a session is in progress; allowed once it is completed", async () => {
    const { series, session } = await openSession(c, IV);
    const before = await snapshotTables();
    const refused = await expectAppError(close(c.actors.physician, series.id, { outcome: "COMPLETED" }), "CONFLICT");
    expect(refused.userMessage).toMatch(/in progress/);
    expect(await snapshotTables()).toEqual(before);
    await pain(c.actors.nurse, session.id, at(55), { score: 3, phase: "POST" });
    await db.$transaction((tx) => completeSession(tx, { actor: c.actors.nurse, sessionId: session.id, now: at(60), input: CompleteSessionSchema.parse({ dischargeReady: true }) }));
    expect((await close(c.actors.physician, series.id, { outcome: "COMPLETED" })).series.status).toBe("COMPLETED");
  });

  it("nurses and administrators may not (403); another clinic's series is not found (404); nothing changes", async () => {
    const { series } = await patientWithSeries(c, IV);
    const before = await snapshotTables();
    await expectAppError(close(c.actors.nurse, series.id, { outcome: "COMPLETED" }), "FORBIDDEN");
    await expectAppError(close(c.actors.admin, series.id, { outcome: "COMPLETED" }), "FORBIDDEN");
    await expectAppError(close(other.actors.physician, series.id, { outcome: "COMPLETED" }), "NOT_FOUND");
    expect(await snapshotTables()).toEqual(before);
    expect((await db.series.findUniqueOrThrow({ where: { id: series.id } })).status).toBe("ACTIVE");
  });

  it("cancelling needs a reason; the outcome must be one of the two", () => {
    const cancel = CloseSeriesSchema.safeParse({ outcome: "CANCELLED" });
    expect(cancel.success).toBe(false);
    expect(cancel.error?.issues[0]).toMatchObject({ path: ["reason"] });
    expect(CloseSeriesSchema.safeParse({ outcome: "ACTIVE" }).success).toBe(false);
    expect(CloseSeriesSchema.safeParse({ outcome: "COMPLETED", extra: 1 }).success).toBe(false);
    expect(CloseSeriesSchema.safeParse({ outcome: "COMPLETED" }).success).toBe(true);
  });

  it("the database refuses an ended series without a close time, and an active one with one", async () => {
    const { series } = await patientWithSeries(c, IV);
    await expect(db.series.update({ where: { id: series.id }, data: { status: "COMPLETED" } })).rejects.toThrow(/Series_closed_iff_ended|check constraint/i);
    await expect(db.series.update({ where: { id: series.id }, data: { closedAt: at(5) } })).rejects.toThrow(/Series_closed_iff_ended|check constraint/i);
  });
});
