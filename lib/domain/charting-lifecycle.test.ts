import { describe, expect, it } from "vitest";
import { completionBlockers, sessionAllows, signBlocker, SESSION_ACTION_PERMISSION, type SessionAction, type SessionStatus } from "./charting";

const SIGNED = "This session is signed: only addenda can be added.";

// Every status × every action, with the exact words the API answers with in a 409.
const TABLE: [SessionStatus, SessionAction, string | null][] = [
  ["IN_PROGRESS", "chart-dose", null],
  ["IN_PROGRESS", "chart-observation", null],
  ["IN_PROGRESS", "chart-follow-up", null],
  ["IN_PROGRESS", "move-opened-at", null],
  ["IN_PROGRESS", "complete", null],
  ["IN_PROGRESS", "sign", "Complete the session before signing it."],
  ["IN_PROGRESS", "addendum", "Addenda are for signed sessions; chart or correct entries directly."],
  ["COMPLETED", "chart-dose", "This session is completed: dose events can no longer be charted."],
  ["COMPLETED", "chart-observation", null],
  ["COMPLETED", "chart-follow-up", null],
  ["COMPLETED", "move-opened-at", "Only a session in progress can have its opening time moved."],
  ["COMPLETED", "complete", "This session is already completed."],
  ["COMPLETED", "sign", null],
  ["COMPLETED", "addendum", "Addenda are for signed sessions; chart or correct entries directly."],
  ["SIGNED", "chart-dose", SIGNED],
  ["SIGNED", "chart-observation", SIGNED],
  ["SIGNED", "chart-follow-up", null],
  ["SIGNED", "move-opened-at", "Only a session in progress can have its opening time moved."],
  ["SIGNED", "complete", "This session is already signed."],
  ["SIGNED", "sign", "This session is already signed."],
  ["SIGNED", "addendum", null],
];

describe("sessionAllows", () => {
  it("covers every status and action exactly once", () => {
    expect(TABLE).toHaveLength(3 * Object.keys(SESSION_ACTION_PERMISSION).length);
    expect(new Set(TABLE.map(([s, a]) => `${s}/${a}`)).size).toBe(TABLE.length);
  });
  it.each(TABLE)("%s / %s", (status, action, reason) => {
    expect(sessionAllows(status, action)).toEqual(reason === null ? { allowed: true } : { allowed: false, reason });
  });
});

describe("SESSION_ACTION_PERMISSION", () => {
  it("charting of every kind, and moving the opening time, needs the charting permission", () => {
    for (const action of ["chart-dose", "chart-observation", "chart-follow-up", "move-opened-at"] as const)
      expect(SESSION_ACTION_PERMISSION[action]).toBe("session:chart");
  });
  it("completing, signing and adding an addendum each need their own permission, never the charting one", () => {
    const stateChanges = [SESSION_ACTION_PERMISSION.complete, SESSION_ACTION_PERMISSION.sign, SESSION_ACTION_PERMISSION.addendum];
    expect(stateChanges).toEqual(["session:complete", "session:sign", "session:addendum"]);
    expect(stateChanges).not.toContain("session:chart");
  });
});

describe("completionBlockers", () => {
  it("a stopped infusion with a POST pain score can be completed", () => {
    expect(completionBlockers({ infusionState: "STOPPED", hasPostPainScore: true, pendingDeviceReadings: 0 })).toEqual([]);
  });
  it("an infusion never started does not block (nothing to stop)", () => {
    expect(completionBlockers({ infusionState: "NOT_STARTED", hasPostPainScore: true, pendingDeviceReadings: 0 })).toEqual([]);
  });
  it.each([
    ["RUNNING", "The infusion is still running: chart STOP first."],
    ["PAUSED", "The infusion is still paused: chart STOP first."],
  ] as const)("a %s infusion blocks, in the server's and the bedside's words", (infusionState, bedsideText) => {
    expect(completionBlockers({ infusionState, hasPostPainScore: true, pendingDeviceReadings: 0 })).toEqual([
      { code: "INFUSION_NOT_STOPPED", infusionState, reason: "The infusion is still running or paused: chart its STOP before completing.", bedsideText },
    ]);
  });
  it("a missing POST pain score blocks", () => {
    expect(completionBlockers({ infusionState: "STOPPED", hasPostPainScore: false, pendingDeviceReadings: 0 })).toEqual([
      { code: "NO_POST_PAIN_SCORE", reason: "Record the post-infusion pain score before completing.", bedsideText: "No post-infusion (POST) pain score yet: record it first." },
    ]);
  });
  it("a monitor reading not yet validated blocks, counted in words; none does not", () => {
    expect(completionBlockers({ infusionState: "STOPPED", hasPostPainScore: true, pendingDeviceReadings: 1 })).toEqual([
      { code: "DEVICE_READINGS_PENDING", pendingDeviceReadings: 1, reason: "1 monitor reading is not validated: accept or reject it before completing.", bedsideText: "1 monitor reading is not validated yet: accept or reject it first." },
    ]);
    expect(completionBlockers({ infusionState: "STOPPED", hasPostPainScore: true, pendingDeviceReadings: 3 })[0]?.reason).toBe("3 monitor readings are not validated: accept or reject each before completing.");
    expect(completionBlockers({ infusionState: "STOPPED", hasPostPainScore: true, pendingDeviceReadings: 0 })).toEqual([]);
  });
  it("every blocker, the running infusion first (the order the server checks them)", () => {
    expect(completionBlockers({ infusionState: "RUNNING", hasPostPainScore: false, pendingDeviceReadings: 2 }).map((b) => b.code)).toEqual(["INFUSION_NOT_STOPPED", "NO_POST_PAIN_SCORE", "DEVICE_READINGS_PENDING"]);
  });
});

describe("signBlocker", () => {
  it("no open hard flag: nothing blocks", () => expect(signBlocker(0)).toBeNull());
  it("one open hard flag: singular", () =>
    expect(signBlocker(1)).toBe("1 hard-limit flag must be acknowledged by a physician before signing."));
  it("two open hard flags: plural", () =>
    expect(signBlocker(2)).toBe("2 hard-limit flags must be acknowledged by a physician before signing."));
});
