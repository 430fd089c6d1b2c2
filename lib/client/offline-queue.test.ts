import { describe, expect, it } from "vitest";
import {
  afterAttempt, backoffMs, canChartAgainInForm, keepsRefusedValues, mustQueueBehind, nextToSend, outcomeOf, pendingStateOf, queuedEntryOf, queueTargetOf,
  replaceableEntry, waitingText, withQueuedRows, type ChartRowsLike, type QueuedEntry,
} from "./offline-queue";

const me = { userId: "u1", clinicId: "c1" };
const other = { userId: "u2", clinicId: "c1" };
let seq = 0;
function entry(over: Partial<QueuedEntry> & { sessionId?: string } = {}): QueuedEntry {
  seq += 1;
  const at = over.body?.at ?? "2026-11-30T10:00:00.000Z";
  return {
    ...me, key: `k${seq}`, seq, sessionId: "s1", kind: "vitals", url: "/api/sessions/s1/vitals",
    body: { at, queuedAt: at }, queuedAtMs: Date.parse(at), state: "waiting", attempts: 0, nextAttemptAtMs: 0, refusal: null, ...over,
  };
}

describe("queueTargetOf", () => {
  it("the four charting writes queue", () => {
    expect(queueTargetOf("POST", "/api/sessions/abc_1/vitals")).toEqual({ sessionId: "abc_1", kind: "vitals" });
    expect(queueTargetOf("POST", "/api/sessions/abc/dose-events")).toEqual({ sessionId: "abc", kind: "dose-events" });
    expect(queueTargetOf("POST", "/api/sessions/abc/pain")).toEqual({ sessionId: "abc", kind: "pain" });
    expect(queueTargetOf("POST", "/api/sessions/abc/side-effects")).toEqual({ sessionId: "abc", kind: "side-effects" });
  });
  it("nothing else does: reads, completing, signing, retractions", () => {
    expect(queueTargetOf("GET", "/api/sessions/abc/vitals")).toBeNull();
    expect(queueTargetOf("POST", "/api/sessions/abc/complete")).toBeNull();
    expect(queueTargetOf("POST", "/api/sessions/abc/sign")).toBeNull();
    expect(queueTargetOf("POST", "/api/sessions/abc/vitals/xyz")).toBeNull();
    expect(queueTargetOf("POST", "/api/sessions/abc/vitals?x=1")).toBeNull();
  });
});

describe("nextToSend: press order, never overtaking within a session", () => {
  it("the earliest press goes first", () => {
    const a = entry(), b = entry(), c = entry();
    expect(nextToSend([c, b, a], me, 0)).toBe(a);
  });
  it("only the signed-in user's entries are sent", () => {
    const theirs = entry({ ...other }), mine = entry();
    expect(nextToSend([theirs, mine], me, 0)).toBe(mine);
    expect(nextToSend([theirs], me, 0)).toBeNull();
    expect(nextToSend([mine], null, 0)).toBeNull();
  });
  it("another clinic's entry of the same user id is not sent", () =>
    expect(nextToSend([entry({ clinicId: "c2" })], me, 0)).toBeNull());
  it("a refused head holds its session's later entries, not other sessions", () => {
    const refused = entry({ state: "needs-attention" }), later = entry(), elsewhere = entry({ sessionId: "s2" });
    expect(nextToSend([refused, later], me, 0)).toBeNull();
    expect(nextToSend([refused, later, elsewhere], me, 0)).toBe(elsewhere);
  });
  it("a head waiting out its backoff holds its session until due (exact boundary)", () => {
    const head = entry({ nextAttemptAtMs: 5_000 }), later = entry();
    expect(nextToSend([head, later], me, 4_999)).toBeNull();
    expect(nextToSend([head, later], me, 5_000)).toBe(head);
  });
  it("mustQueueBehind: a new write of a session with queued entries of mine joins the queue", () => {
    const q = [entry(), entry({ ...other, sessionId: "s3" })];
    expect(mustQueueBehind(q, me, "s1")).toBe(true);
    expect(mustQueueBehind(q, me, "s2")).toBe(false);
    expect(mustQueueBehind(q, me, "s3")).toBe(false); // another user's entries do not hold mine
    expect(mustQueueBehind([entry({ state: "needs-attention" })], me, "s1")).toBe(true);
  });
});

describe("outcomeOf", () => {
  it.each([
    [200, "stored"], [201, "stored"], [299, "stored"],
    ["network", "retry"], [500, "retry"], [503, "retry"], [408, "retry"], [429, "retry"],
    [401, "signed-out"],
    [400, "needs-attention"], [403, "needs-attention"], [404, "needs-attention"], [409, "needs-attention"], [422, "needs-attention"], [413, "needs-attention"],
  ] as const)("%s -> %s", (status, outcome) => expect(outcomeOf(status)).toBe(outcome));
});

describe("backoff and attempts", () => {
  it("2 s, 4 s, 8 s ... capped at 60 s", () => {
    expect([1, 2, 3, 4, 5, 6, 10].map(backoffMs)).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
  });
  it("a retry counts the attempt and waits", () =>
    expect(afterAttempt(entry({ attempts: 1 }), "retry", 1_000, null)).toMatchObject({ attempts: 2, nextAttemptAtMs: 5_000, state: "waiting" }));
  it("a refusal keeps the entry with the server's words", () => {
    const refusal = { status: 409, message: "This session is completed.", fields: {} };
    expect(afterAttempt(entry(), "needs-attention", 0, refusal)).toMatchObject({ state: "needs-attention", refusal });
  });
  it("signed out: kept as it was, waiting", () => expect(afterAttempt(entry({ attempts: 3 }), "signed-out", 7, null)).toMatchObject({ attempts: 3, state: "waiting" }));
  it("waitingText", () => {
    expect(waitingText(1)).toBe("1 entry waiting to sync");
    expect(waitingText(3)).toBe("3 entries waiting to sync");
  });
});

describe("withQueuedRows: the chart view the screen computes from", () => {
  const base = { id: "s1", enteredById: "u1", enteredBy: "N", queuedAt: null, correctsId: null, correctionReason: null, isRetraction: false };
  const chart: ChartRowsLike & { weightG: number } = {
    id: "s1", weightG: 70_000,
    doseEvents: [{ ...base, id: "d1", type: "START", at: "2026-11-30T09:00:00.000Z", enteredAt: "2026-11-30T09:00:05.000Z" }],
    vitals: [], painScores: [], sideEffects: [],
  };
  it("no entries: the same chart object", () => expect(withQueuedRows(chart, [], me, "N")).toBe(chart));
  it("queued rows join in clinical order with server units, marked waiting", () => {
    const rate = entry({ kind: "dose-events", body: { at: "2026-11-30T10:00:00.000Z", queuedAt: "2026-11-30T10:00:00.000Z", type: "RATE_CHANGE", rateMgPerKgPerH: 0.25 } });
    const early = entry({ kind: "dose-events", body: { at: "2026-11-30T09:30:00.000Z", queuedAt: "2026-11-30T10:01:00.000Z", type: "BOLUS", bolusMg: 5, backTimeReason: "forgot" } });
    const vit = entry({ body: { at: "2026-11-30T10:02:00.000Z", queuedAt: "2026-11-30T10:02:00.000Z", systolicMmHg: 120, diastolicMmHg: 80, heartRatePerMin: 70, spo2Pct: 98, respRatePerMin: 14, temperatureC: 36.8 } });
    const v = withQueuedRows(chart, [rate, early, vit, entry({ ...other, kind: "pain" }), entry({ sessionId: "s2" })], me, "N");
    expect(v.doseEvents.map((r) => r.id)).toEqual(["d1", `queued:${early.key}`, `queued:${rate.key}`]);
    expect(v.doseEvents[2]).toMatchObject({ type: "RATE_CHANGE", rateUgPerKgPerH: 250, bolusUg: null, pendingSync: "waiting", queuedAt: "2026-11-30T10:00:00.000Z" });
    expect(v.doseEvents[1]).toMatchObject({ type: "BOLUS", bolusUg: 5_000, rateUgPerKgPerH: null, reason: "forgot" });
    expect(v.vitals).toEqual([expect.objectContaining({ id: `queued:${vit.key}`, temperatureDeciC: 368, isBaseline: true, systolicMmHg: 120 })]);
    expect(v.painScores).toEqual([]); // another user's entry is not this user's chart view
    expect(pendingStateOf(v.doseEvents[1]!)).toBe("waiting");
    expect(pendingStateOf(v.doseEvents[0]!)).toBeNull();
  });
  it("a refused entry is not merged (it was not accepted)", () =>
    expect(withQueuedRows(chart, [entry({ state: "needs-attention" })], me, "N").vitals).toEqual([]));
  it("the second queued vitals set is not a second baseline", () => {
    const v = withQueuedRows(chart, [entry(), entry({ body: { at: "2026-11-30T10:05:00.000Z", queuedAt: "2026-11-30T10:05:00.000Z" } })], me, "N");
    expect(v.vitals.map((r) => r.isBaseline)).toEqual([true, false]);
  });
  it("equal clinical times keep press order", () => {
    const a = entry({ kind: "pain" }), b = entry({ kind: "pain" });
    expect(withQueuedRows(chart, [b, a], me, "N").painScores.map((r) => r.id)).toEqual([`queued:${a.key}`, `queued:${b.key}`]);
  });
});

describe("a refused entry charted again from its form", () => {
  const refused = () => entry({ state: "needs-attention", refusal: { status: 422, message: "A physician's override is needed.", fields: { overrideReason: "required" } } });

  it("mustQueueBehind: the replacement takes the refused entry's place, not behind what waited behind it", () => {
    const head = refused();
    const behind = entry();
    const q = [head, behind];
    expect(mustQueueBehind(q, me, "s1")).toBe(true); // a new entry waits behind both
    expect(mustQueueBehind(q, me, "s1", head.key)).toBe(false); // the replacement goes first, as the refused one would have
  });
  it("mustQueueBehind: an entry pressed before the refused one still holds the replacement", () => {
    const earlier = entry();
    const head = refused();
    expect(mustQueueBehind([earlier, head], me, "s1", head.key)).toBe(true);
  });
  it("mustQueueBehind: a replaced key not on this device is no exception (a new entry's rule)", () =>
    expect(mustQueueBehind([entry()], me, "s1", "gone")).toBe(true));
  it("mustQueueBehind: the refused entry alone holds nothing", () => {
    const head = refused();
    expect(mustQueueBehind([head], me, "s1", head.key)).toBe(false);
  });

  it("replaceableEntry: only my refused entry of this session", () => {
    const head = refused();
    expect(replaceableEntry([head], me, "s1", head.key)).toBe(head);
    expect(replaceableEntry([head], me, "s2", head.key)).toBeNull(); // another session's
    expect(replaceableEntry([head], other, "s1", head.key)).toBeNull(); // another user's
    expect(replaceableEntry([head], null, "s1", head.key)).toBeNull(); // nobody signed in
    expect(replaceableEntry([head], me, "s1", "gone")).toBeNull(); // discarded or stored meanwhile
    const waitingAgain = { ...head, state: "waiting" as const }; // sent again as it is, perhaps from another tab
    expect(replaceableEntry([waitingAgain], me, "s1", head.key)).toBeNull();
  });

  it("queuedEntryOf: a new entry's press is the save press", () => {
    const e = queuedEntryOf({
      key: "n1", seq: 7, owner: me, sessionId: "s1", kind: "pain", url: "/api/sessions/s1/pain",
      body: { at: "2026-11-30T10:41:00.000Z", score: 4 }, pressedAtMs: Date.parse("2026-11-30T10:41:05.000Z"),
    });
    expect(e).toMatchObject({ key: "n1", seq: 7, state: "waiting", attempts: 0, nextAttemptAtMs: 0, refusal: null, userId: "u1", clinicId: "c1" });
    expect(e.queuedAtMs).toBe(Date.parse("2026-11-30T10:41:05.000Z"));
    expect(e.body).toEqual({ at: "2026-11-30T10:41:00.000Z", score: 4, queuedAt: "2026-11-30T10:41:05.000Z" });
  });
  it("queuedEntryOf: an entry charted again with its time kept carries its original press", () => {
    const e = queuedEntryOf({
      key: "n2", seq: 3, owner: me, sessionId: "s1", kind: "pain", url: "/api/sessions/s1/pain",
      body: { at: "2026-11-30T10:02:00.000Z", score: 4, queuedAt: "2026-11-30T10:02:00.250Z" }, pressedAtMs: Date.parse("2026-11-30T11:30:00.000Z"),
    });
    expect(e.queuedAtMs).toBe(Date.parse("2026-11-30T10:02:00.250Z"));
    expect(e.body.queuedAt).toBe("2026-11-30T10:02:00.250Z");
  });
  it("queuedEntryOf: an unreadable carried press is replaced by the save press", () => {
    const e = queuedEntryOf({
      key: "n3", seq: 1, owner: me, sessionId: "s1", kind: "pain", url: "/api/sessions/s1/pain",
      body: { at: "2026-11-30T10:02:00.000Z", queuedAt: "not a time" }, pressedAtMs: 5_000,
    });
    expect(e.queuedAtMs).toBe(5_000);
    expect(e.body.queuedAt).toBe(new Date(5_000).toISOString());
  });

  it("keepsRefusedValues: the refusal speaks for the same values at the same instant, not for changed ones", () => {
    const bolus = { ...refused(), body: { type: "BOLUS", at: "2026-11-30T10:02:00.250Z", queuedAt: "2026-11-30T10:02:00.250Z", bolusMg: 35 } };
    const fields = ["type", "at", "rateMgPerKgPerH", "bolusMg"];
    expect(keepsRefusedValues(bolus, { type: "BOLUS", at: "2026-11-30T10:02:00.250Z", bolusMg: 35 }, fields)).toBe(true);
    expect(keepsRefusedValues(bolus, { type: "BOLUS", at: "2026-11-30T10:02:00.250Z", bolusMg: 35, overrideReason: "Dr. O" }, fields)).toBe(true);
    expect(keepsRefusedValues(bolus, { type: "BOLUS", at: "2026-11-30T10:02:00.250Z", bolusMg: 20 }, fields)).toBe(false);
    expect(keepsRefusedValues(bolus, { type: "BOLUS", at: "2026-11-30T10:02:00.251Z", bolusMg: 35 }, fields)).toBe(false); // 1 ms later
    expect(keepsRefusedValues(bolus, { type: "BOLUS", at: "2026-11-30T10:02:00.250Z" }, fields)).toBe(false); // the amount removed
    expect(keepsRefusedValues(bolus, { type: "RATE_CHANGE", at: "2026-11-30T10:02:00.250Z", rateMgPerKgPerH: 35 }, fields)).toBe(false);
  });

  it("canChartAgainInForm: a refused entry, not a refused correction, not a waiting one", () => {
    expect(canChartAgainInForm(refused())).toBe(true);
    expect(canChartAgainInForm({ ...refused(), body: { at: "2026-11-30T10:00:00.000Z", queuedAt: "2026-11-30T10:00:00.000Z", correctsId: "row1", correctionReason: "typo" } })).toBe(false);
    expect(canChartAgainInForm(entry())).toBe(false);
  });
});
