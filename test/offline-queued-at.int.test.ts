// The server side of an entry that waited in a bedside device's offline queue
// (docs/decisions/0017-offline-charting.md): `queuedAt` is validated, stored, audited, judged
// for lateness at the press, and a resend with the same key after a lost answer stores once.
import { beforeAll, describe, expect, it } from "vitest";
import { runIdempotent } from "@/lib/server/http";
import { chartDoseEvent, chartVitals, getSessionChart, recordPain, recordSideEffect, retractEntry } from "@/lib/server/sessions";
import type { Actor } from "@/lib/server/actor";
import { DoseEventSchema, PainSchema, SideEffectSchema, VitalsSchema } from "@/lib/validation/session";
import { db, freshClinic, snapshotTables } from "@/test/helpers";
import { at, dose, expectAppError, iso, normalVitals, openSession, type Clinic } from "@/test/charting";

const IV = "IV infusion (routes table)";

let c: Clinic;
beforeAll(async () => {
  c = await freshClinic();
});

let keyCounter = 0;
const newKey = () => `offline-${process.pid}-${Date.now()}-${++keyCounter}`;

/** What the vitals route does, with the server's clock at `now`. */
function postVitals(actor: Actor, sessionId: string, key: string, body: Record<string, unknown>, now: Date) {
  const req = new Request(`http://x/api/sessions/${sessionId}/vitals`, { method: "POST", headers: { "idempotency-key": key } });
  return runIdempotent(req, actor, body, async (tx) => ({ status: 201, body: await chartVitals(tx, { actor, sessionId, input: VitalsSchema.parse(body), now }) }));
}

describe("queuedAt: an entry charted offline", () => {
  it("is stored on all four kinds, in the answer, the chart and the audit row", async () => {
    const { session } = await openSession(c, IV);
    const nurse = c.actors.nurse;
    await dose(nurse, session.id, at(1), { type: "START", rateMgPerKgPerH: 0.2 });
    // pressed at +10 min, synced at +50 min: 40 min late at the server, on time at the press
    const queuedAt = iso(10);
    const now = at(50);
    const v = await db.$transaction((tx) => chartVitals(tx, { actor: nurse, sessionId: session.id, now, input: VitalsSchema.parse({ at: iso(10), queuedAt, ...normalVitals }) }));
    const d = await db.$transaction((tx) => chartDoseEvent(tx, { actor: nurse, sessionId: session.id, now, input: DoseEventSchema.parse({ at: iso(10), queuedAt, type: "RATE_CHANGE", rateMgPerKgPerH: 0.25 }) }));
    const p = await db.$transaction((tx) => recordPain(tx, { actor: nurse, sessionId: session.id, now, input: PainSchema.parse({ at: iso(10), queuedAt, score: 4, scale: "NRS", phase: "INTRA" }) }));
    const s = await db.$transaction((tx) => recordSideEffect(tx, { actor: nurse, sessionId: session.id, now, input: SideEffectSchema.parse({ at: iso(10), queuedAt, kind: "NAUSEA_VOMITING", severity: 1 }) }));
    expect([v.vitals.queuedAt, d.doseEvent.queuedAt, p.painScore.queuedAt, s.sideEffect.queuedAt]).toEqual([queuedAt, queuedAt, queuedAt, queuedAt]);
    expect(v.vitals.enteredAt).toBe(now.toISOString());
    const rows = await Promise.all([
      db.vitalSigns.findUniqueOrThrow({ where: { id: v.vitals.id } }), db.doseEvent.findUniqueOrThrow({ where: { id: d.doseEvent.id } }),
      db.painScore.findUniqueOrThrow({ where: { id: p.painScore.id } }), db.sideEffect.findUniqueOrThrow({ where: { id: s.sideEffect.id } }),
    ]);
    expect(rows.map((r) => r.queuedAt?.toISOString())).toEqual([queuedAt, queuedAt, queuedAt, queuedAt]);
    const audits = await db.auditEvent.findMany({ where: { entityId: { in: rows.map((r) => r.id) } } });
    expect(audits).toHaveLength(4);
    for (const a of audits) expect((a.after as { queuedAt: string }).queuedAt).toBe(queuedAt);
    const chart = await getSessionChart({ actor: nurse, sessionId: session.id, now });
    expect(chart.vitals.find((r) => r.id === v.vitals.id)?.queuedAt).toBe(queuedAt);
    expect(chart.doseEvents.find((r) => r.type === "START")?.queuedAt).toBeNull();
  });

  it("lateness is judged at the press: on time at the press needs no reason; late at the press does", async () => {
    const { session } = await openSession(c, IV);
    const nurse = c.actors.nurse;
    const chart = (raw: Record<string, unknown>, now: Date) =>
      db.$transaction((tx) => chartVitals(tx, { actor: nurse, sessionId: session.id, now, input: VitalsSchema.parse({ ...normalVitals, ...raw }) }));
    // without queuedAt the same entry, 40 min after its time, needs a reason (the rule is not dodged by default)
    const refused = await expectAppError(chart({ at: iso(5) }, at(45)), "BAD_INPUT");
    expect(refused.fields).toHaveProperty("backTimeReason");
    await chart({ at: iso(5), queuedAt: iso(5) }, at(45));
    // pressed 10 min + 1 s after its time: late at the press, so a reason is needed
    const late = await expectAppError(chart({ at: iso(20), queuedAt: new Date(at(30).getTime() + 1_000).toISOString() }, at(60)), "BAD_INPUT");
    expect(late.fields).toHaveProperty("backTimeReason");
    await chart({ at: iso(20), queuedAt: new Date(at(30).getTime() + 1_000).toISOString(), backTimeReason: "monitor was down" }, at(60));
  });

  it("a press in the future, before the session opened, or before the entry's own time is refused and stores nothing", async () => {
    const { session } = await openSession(c, IV);
    const nurse = c.actors.nurse;
    const before = await snapshotTables();
    const chart = (raw: Record<string, unknown>, now: Date) =>
      db.$transaction((tx) => chartVitals(tx, { actor: nurse, sessionId: session.id, now, input: VitalsSchema.parse({ ...normalVitals, ...raw }) }));
    expect((await expectAppError(chart({ at: iso(5), queuedAt: iso(8) }, at(5)), "BAD_INPUT")).fields).toHaveProperty("queuedAt");
    expect((await expectAppError(chart({ at: iso(0), queuedAt: iso(-1) }, at(5)), "BAD_INPUT")).fields).toHaveProperty("queuedAt");
    expect((await expectAppError(chart({ at: iso(20), queuedAt: iso(10) }, at(25)), "BAD_INPUT")).fields).toHaveProperty("at");
    expect(await snapshotTables()).toEqual(before);
  });

  it("the schema refuses a queuedAt that is not an instant", () => {
    const r = VitalsSchema.safeParse({ at: iso(1), queuedAt: "yesterday", ...normalVitals });
    expect(r.success).toBe(false);
  });

  it("a resend from the queue after a lost answer (the first attempt landed without queuedAt) replays: stored once", async () => {
    const { session } = await openSession(c, IV);
    const key = newKey();
    const body = { at: iso(3), ...normalVitals };
    const first = await postVitals(c.actors.nurse, session.id, key, body, at(3));
    expect(first.status).toBe(201);
    const before = await snapshotTables();
    // the answer was lost; the device queued the entry with its press time and resent it later
    const resend = await postVitals(c.actors.nurse, session.id, key, { ...body, queuedAt: iso(3) }, at(40));
    expect(resend.status).toBe(201);
    expect(resend.headers.get("Idempotent-Replay")).toBe("true");
    expect(await resend.json()).toEqual(await first.json());
    expect(await snapshotTables()).toEqual(before);
    expect(await db.vitalSigns.count({ where: { sessionId: session.id } })).toBe(1);
  });

  it("a queued entry resent twice (same key, same body) stores once", async () => {
    const { session } = await openSession(c, IV);
    const key = newKey();
    const body = { at: iso(3), queuedAt: iso(3), ...normalVitals };
    expect((await postVitals(c.actors.nurse, session.id, key, body, at(30))).status).toBe(201);
    const again = await postVitals(c.actors.nurse, session.id, key, body, at(31));
    expect(again.headers.get("Idempotent-Replay")).toBe("true");
    expect(await db.vitalSigns.count({ where: { sessionId: session.id } })).toBe(1);
  });

  it("a retraction of an entry charted offline is not itself marked offline", async () => {
    const { session } = await openSession(c, IV);
    const v = await db.$transaction((tx) => chartVitals(tx, { actor: c.actors.nurse, sessionId: session.id, now: at(30), input: VitalsSchema.parse({ at: iso(3), queuedAt: iso(3), ...normalVitals }) }));
    const r = await db.$transaction((tx) => retractEntry(tx, { actor: c.actors.nurse, sessionId: session.id, kind: "vitals", entryId: v.vitals.id, correctionReason: "wrong patient", now: at(31) }));
    expect((await db.vitalSigns.findUniqueOrThrow({ where: { id: r.retraction.id } })).queuedAt).toBeNull();
  });
});
