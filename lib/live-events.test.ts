import { describe, expect, it } from "vitest";
import { coalesce, parseClinicLiveEvent, parseLiveEvent, sseFrame, toBrowserEvent } from "./live-events";

const ok = { kind: "vitals", clinicId: "c1", sessionId: "s1", seriesId: "r1", patientId: "p1" };

describe("parseClinicLiveEvent", () => {
  it("reads the trigger's payload", () => {
    expect(parseClinicLiveEvent(JSON.stringify(ok))).toEqual(ok);
    expect(parseClinicLiveEvent(JSON.stringify({ ...ok, sessionId: null }))).toEqual({ ...ok, sessionId: null });
  });
  it.each([
    ["not JSON", "{"],
    ["an array", "[]"],
    ["no clinic", JSON.stringify({ ...ok, clinicId: null })],
    ["an unknown kind", JSON.stringify({ ...ok, kind: "sentinel" })],
    ["an id that is not an id", JSON.stringify({ ...ok, patientId: "Ada Lovelace" })],
    ["a number for an id", JSON.stringify({ ...ok, seriesId: 7 })],
  ])("refuses %s", (_what, text) => {
    expect(parseClinicLiveEvent(text)).toBeNull();
  });
  it("the browser's copy has no clinic id", () => {
    expect(toBrowserEvent(parseClinicLiveEvent(JSON.stringify(ok))!)).toEqual({ kind: "vitals", sessionId: "s1", seriesId: "r1", patientId: "p1" });
    expect(parseLiveEvent(JSON.stringify({ kind: "flag", sessionId: null, seriesId: "r1", patientId: "p1" }))).toEqual({ kind: "flag", sessionId: null, seriesId: "r1", patientId: "p1" });
  });
});

describe("sseFrame", () => {
  it("writes the fields of one event, ended by a blank line", () => {
    expect(sseFrame({ event: "change", id: "a-1", data: '{"k":1}' })).toBe('event: change\nid: a-1\ndata: {"k":1}\n\n');
    expect(sseFrame({ comment: "heartbeat" })).toBe(": heartbeat\n\n");
    expect(sseFrame({ retryMs: 2000, comment: "x" })).toBe(": x\nretry: 2000\n\n");
  });
  it("splits multi-line data into data lines, so a newline cannot end the event early", () => {
    expect(sseFrame({ data: "a\nb" })).toBe("data: a\ndata: b\n\n");
    expect(sseFrame({ comment: "a\nevent: x" })).toBe(": a event: x\n\n");
  });
});

describe("coalesce", () => {
  it("runs once at a time and keeps one trailing run for any number of calls meanwhile", async () => {
    let runs = 0;
    let release: () => void = () => {};
    const run = coalesce(() => { runs += 1; return new Promise<void>((r) => { release = r; }); });
    void run();
    await Promise.resolve(); await Promise.resolve();
    expect(runs).toBe(1);
    void run(); void run(); void run();
    expect(runs).toBe(1);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toBe(2);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toBe(2);
  });

  it("settles each call's promise only after a run that started after the call", async () => {
    const order: string[] = [];
    const releases: (() => void)[] = [];
    const run = coalesce(() => { order.push(`start ${releases.length + 1}`); return new Promise<void>((r) => { releases.push(r); }); });
    const first = run().then(() => order.push("first settled"));
    await new Promise((r) => setTimeout(r, 0));
    const second = run().then(() => order.push("second settled"));
    const third = run().then(() => order.push("third settled"));
    releases[0]!();
    await first;
    await new Promise((r) => setTimeout(r, 0));
    // the second and third calls came while run 1 ran: they wait for run 2, not run 1
    expect(order).toEqual(["start 1", "first settled", "start 2"]);
    releases[1]!();
    await Promise.all([second, third]);
    expect(order).toEqual(["start 1", "first settled", "start 2", "second settled", "third settled"]);
    expect(releases).toHaveLength(2);
  });

  it("a failing run still settles its callers and lets the next call run", async () => {
    let runs = 0;
    const run = coalesce(() => { runs += 1; if (runs === 1) throw new Error("network down"); });
    await expect(run()).resolves.toBeUndefined();
    await expect(run()).resolves.toBeUndefined();
    expect(runs).toBe(2);
  });
});
