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
    run();
    await Promise.resolve(); await Promise.resolve();
    expect(runs).toBe(1);
    run(); run(); run();
    expect(runs).toBe(1);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toBe(2);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toBe(2);
  });
});
