import { describe, expect, it } from "vitest";
import type { DoseEventPoint } from "./dose";
import { vitalsSchedule } from "./vitals-schedule";

const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 2, 9); // START
const limits = { vitalsIntervalMin: 15, vitalsAfterIncreaseMin: 5 }; // [default] 15 and 5 min

type Dose = DoseEventPoint & { id: string; enteredAtMs: number };
const start = (rate = 200, atMs = T0): Dose => ({ id: "start", type: "START", atMs, enteredAtMs: atMs, rateUgPerKgPerH: rate });
const change = (id: string, rate: number, atMs: number): Dose => ({ id, type: "RATE_CHANGE", atMs, enteredAtMs: atMs, rateUgPerKgPerH: rate });
const stop = (atMs: number): Dose => ({ id: "stop", type: "STOP", atMs, enteredAtMs: atMs });
const set = (id: string, atMs: number) => ({ id, atMs, enteredAtMs: atMs });

const schedule = (doseEvents: Dose[], vitals: ReturnType<typeof set>[], nowMs: number, completedAtMs: number | null = null) =>
  vitalsSchedule({ limits, doseEvents, vitals, completedAtMs, nowMs });

describe("vitalsSchedule: the first set", () => {
  it("is due one interval after START, not after the chart opened or a pre-start set", () => {
    // a baseline at -20 min closes nothing; the first set is due at START + 15 min
    const s = schedule([start()], [set("baseline", T0 - 20 * MIN)], T0 + 10 * MIN);
    expect(s).toEqual({ nextDueAtMs: T0 + 15 * MIN, isOverdue: false, overdueGaps: [] });
  });
  it.each<[number, boolean]>([
    [15 * MIN - 1, false],
    [15 * MIN, false], // exactly at the due time: on time
    [15 * MIN + 1, true], // strictly after: overdue
  ])("at START + %d ms with no set: overdue %s", (offset, overdue) => {
    const s = schedule([start()], [], T0 + offset);
    expect(s.isOverdue).toBe(overdue);
    expect(s.overdueGaps).toEqual(overdue ? [{ fromMs: T0, dueAtMs: T0 + 15 * MIN, openedBy: "START", sourceId: "start", closedAtMs: null, closedBy: null }] : []);
  });
  it("owes nothing before START", () => {
    expect(schedule([], [set("v", T0)], T0 + 60 * MIN)).toEqual({ nextDueAtMs: null, isOverdue: false, overdueGaps: [] });
  });
});

describe("vitalsSchedule: each gap", () => {
  it.each<[number, number]>([
    [15 * MIN, 0], // on time
    [15 * MIN + 1, 1], // one ms late: the gap stays overdue after the set is charted
  ])("a set at START + %d ms leaves %d overdue gap(s)", (offset, count) => {
    const s = schedule([start()], [set("v1", T0 + offset)], T0 + offset + MIN);
    expect(s.overdueGaps).toHaveLength(count);
    expect(s.nextDueAtMs).toBe(T0 + offset + 15 * MIN);
    if (count) expect(s.overdueGaps[0]).toMatchObject({ fromMs: T0, closedAtMs: T0 + offset, closedBy: "VITALS" });
  });
  it("keys every late gap by its start, in time order whatever the input order", () => {
    // sets at 10, 30 (20 min gap: late), 40, 60 (20 min gap: late)
    const vitals = [set("v60", T0 + 60 * MIN), set("v10", T0 + 10 * MIN), set("v40", T0 + 40 * MIN), set("v30", T0 + 30 * MIN)];
    const s = schedule([start()], vitals, T0 + 61 * MIN);
    expect(s.overdueGaps.map((g) => [g.fromMs - T0, g.sourceId])).toEqual([[10 * MIN, "v10"], [40 * MIN, "v40"]]);
  });
});

describe("vitalsSchedule: after a rate increase", () => {
  it.each<[string, Dose, number]>([
    ["an increase brings the next set forward to 5 min after it", change("up", 300, T0 + 8 * MIN), T0 + 13 * MIN],
    ["an increase whose 5 min end at the regular due time changes nothing", change("up", 300, T0 + 10 * MIN), T0 + 15 * MIN],
    ["a decrease keeps the regular interval", change("down", 100, T0 + 8 * MIN), T0 + 15 * MIN],
  ])("%s", (_label, event, due) => {
    expect(schedule([start(), event], [], T0 + 9 * MIN).nextDueAtMs).toBe(due);
  });
  it.each<[number, number]>([
    [13 * MIN, 0], // exactly 5 min after the increase at 8 min
    [13 * MIN + 1, 1],
  ])("a set at START + %d ms after an increase at 8 min: %d overdue gap(s)", (offset, count) => {
    const s = schedule([start(), change("up", 300, T0 + 8 * MIN)], [set("v", T0 + offset)], T0 + 14 * MIN);
    expect(s.overdueGaps).toHaveLength(count);
    if (count) expect(s.overdueGaps[0]).toMatchObject({ fromMs: T0 + 8 * MIN, openedBy: "RATE_INCREASE", sourceId: "up" });
  });
});

describe("vitalsSchedule: the gap before STOP", () => {
  it.each<[number, number]>([
    [15 * MIN, 0],
    [15 * MIN + 1, 1],
  ])("STOP at START + %d ms with no set: %d overdue gap(s); nothing due afterwards", (offset, count) => {
    const s = schedule([start(), stop(T0 + offset)], [], T0 + 5 * 60 * MIN);
    expect(s.nextDueAtMs).toBeNull();
    expect(s.isOverdue).toBe(false);
    expect(s.overdueGaps).toHaveLength(count);
    if (count) expect(s.overdueGaps[0]).toMatchObject({ closedBy: "STOP", closedAtMs: T0 + offset });
  });
  it("a set at the STOP's own time closes the gap as a set (taken before the pump is stopped)", () => {
    // gap 0..20 min is late either way; it is closed by the set, and the set's own gap ends at the STOP on time
    const s = schedule([start(), stop(T0 + 20 * MIN)], [set("v", T0 + 20 * MIN)], T0 + 60 * MIN);
    expect(s.overdueGaps).toMatchObject([{ fromMs: T0, closedBy: "VITALS", closedAtMs: T0 + 20 * MIN }]);
  });
  it("completion closes the gap when nothing was stopped", () => {
    const s = schedule([start()], [], T0 + 5 * 60 * MIN, T0 + 20 * MIN);
    expect(s.overdueGaps).toMatchObject([{ closedBy: "COMPLETION", closedAtMs: T0 + 20 * MIN }]);
    expect(s.nextDueAtMs).toBeNull();
  });
});
