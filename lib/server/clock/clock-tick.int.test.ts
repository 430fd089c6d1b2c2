// One tick of the vitals clock at chosen instants (runClockTick(now)), against PostgreSQL:
// the due times of the clinical brief ("What is monitored") through the due-sessions query
// and the reconciliation, at the boundary (exactly at the due time nothing is raised: overdue
// is strictly after) and one millisecond after. Times are hand-computed from START; the IV
// protocol's interval is 15 min and vitalsAfterIncreaseMin 5 min [default].
import { beforeAll, describe, expect, it } from "vitest";
import { runClockTick } from "@/lib/server/clock/scheduler";
import { selectSessionsWithVitalsPossiblyDue } from "@/lib/server/clock/due-sessions";
import { db, freshClinic } from "@/test/helpers";
import { at, dose, openSession, vitals, type Clinic } from "@/test/charting";

const IV = "IV infusion (routes table)";
const MIN = 60_000;
let c: Clinic;

beforeAll(async () => {
  c = await freshClinic();
  const v = c.protocolByName(IV).version;
  expect([v.vitalsIntervalMin, v.vitalsAfterIncreaseMin]).toEqual([15, 5]);
});

const overdue = (sessionId: string) => db.flag.findMany({ where: { sessionId, code: "VITALS_OVERDUE" }, orderBy: { raisedAt: "asc" } });
const silent = () => undefined;
const isCandidate = async (sessionId: string, nowMs: number) =>
  (await selectSessionsWithVitalsPossiblyDue(db, nowMs)).some((r) => r.id === sessionId);

describe("a clock tick", () => {
  it("after a rate increase the next set is due 5 min later: nothing at +5 min exactly, one flag 1 ms after, then no longer a candidate", async () => {
    const T = new Date("2026-05-04T08:00:00.000Z");
    const { session } = await openSession(c, IV, T);
    await dose(c.actors.nurse, session.id, T, { type: "START", rateMgPerKgPerH: 0.2 });
    await dose(c.actors.nurse, session.id, at(2, T), { type: "RATE_CHANGE", rateMgPerKgPerH: 0.3 });
    // due = min(START + 15, increase + 5) = 08:07
    const dueMs = T.getTime() + 7 * MIN;
    await runClockTick(new Date(dueMs), silent);
    expect(await overdue(session.id)).toHaveLength(0);
    const tick = await runClockTick(new Date(dueMs + 1), silent);
    expect(tick.failed).toBe(0);
    const flags = await overdue(session.id);
    expect(flags.map((f) => f.conditionKey)).toEqual([`VITALS_OVERDUE:${T.getTime() + 2 * MIN}`]);
    expect(flags[0]!.raisedAt.getTime()).toBe(dueMs + 1);
    // flagged: the query leaves it out until someone charts; more ticks raise nothing
    expect(await isCandidate(session.id, dueMs + 10 * MIN)).toBe(false);
    await runClockTick(new Date(dueMs + 10 * MIN), silent);
    expect(await overdue(session.id)).toHaveLength(1);

    // a late set at 08:09 keeps the first gap (closed late, same key) and opens the next, due 08:24
    await vitals(c.actors.nurse, session.id, at(9, T));
    expect(await isCandidate(session.id, T.getTime() + 14 * MIN)).toBe(false); // 08:09 + 5 min exactly: not yet
    expect(await isCandidate(session.id, T.getTime() + 14 * MIN + 1)).toBe(true); // 1 ms after: possibly due
    await runClockTick(new Date(T.getTime() + 24 * MIN), silent);
    expect(await overdue(session.id)).toHaveLength(1);
    await runClockTick(new Date(T.getTime() + 24 * MIN + 1), silent);
    expect((await overdue(session.id)).map((f) => f.conditionKey)).toEqual([
      `VITALS_OVERDUE:${T.getTime() + 2 * MIN}`, `VITALS_OVERDUE:${T.getTime() + 9 * MIN}`,
    ]);
  });

  it("each gap after a set is due one interval after it; a session before its due time is not even a candidate", async () => {
    const T = new Date("2026-05-05T08:00:00.000Z");
    const { session } = await openSession(c, IV, T);
    await dose(c.actors.nurse, session.id, T, { type: "START", rateMgPerKgPerH: 0.2 });
    await vitals(c.actors.nurse, session.id, at(10, T));
    // lower bound: last set + min(15, 5) = 08:15; due: 08:25
    expect(await isCandidate(session.id, T.getTime() + 15 * MIN)).toBe(false);
    expect(await isCandidate(session.id, T.getTime() + 15 * MIN + 1)).toBe(true);
    await runClockTick(new Date(T.getTime() + 25 * MIN), silent);
    expect(await overdue(session.id)).toHaveLength(0);
    await runClockTick(new Date(T.getTime() + 25 * MIN + 1), silent);
    expect((await overdue(session.id)).map((f) => f.conditionKey)).toEqual([`VITALS_OVERDUE:${T.getTime() + 10 * MIN}`]);
  });

  it("the gap before STOP is flagged by the STOP's own write, once; a stopped session is no longer the clock's", async () => {
    const T = new Date("2026-05-06T08:00:00.000Z");
    const { session } = await openSession(c, IV, T);
    await dose(c.actors.nurse, session.id, T, { type: "START", rateMgPerKgPerH: 0.2 });
    // STOP at 08:20: the first set was due 08:15
    await dose(c.actors.nurse, session.id, at(20, T), { type: "STOP" });
    const flags = await overdue(session.id);
    expect(flags.map((f) => f.conditionKey)).toEqual([`VITALS_OVERDUE:${T.getTime()}`]);
    expect(flags[0]!.raisedById).toBe(c.actors.nurse.userId);
    expect(await isCandidate(session.id, T.getTime() + 120 * MIN)).toBe(false);
    await runClockTick(new Date(T.getTime() + 120 * MIN), silent);
    expect(await overdue(session.id)).toHaveLength(1);
  });

  it("an open gap the clock flagged keeps that one flag when the STOP is charted late", async () => {
    const T = new Date("2026-05-07T08:00:00.000Z");
    const { session } = await openSession(c, IV, T);
    await dose(c.actors.nurse, session.id, T, { type: "START", rateMgPerKgPerH: 0.2 });
    await runClockTick(new Date(T.getTime() + 15 * MIN + 1), silent);
    expect(await overdue(session.id)).toHaveLength(1);
    await dose(c.actors.nurse, session.id, at(30, T), { type: "STOP" });
    const flags = await overdue(session.id);
    expect(flags).toHaveLength(1);
    expect(flags[0]!.resolvedAt).toBeNull();
  });
});
