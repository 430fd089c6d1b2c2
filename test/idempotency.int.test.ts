// runIdempotent (lib/server/http.ts) outside Next: a plain Request, an actor from the
// factories, and chartVitals as the work (decision 0004 "Idempotency").
import { beforeAll, describe, expect, it } from "vitest";
import { runIdempotent } from "@/lib/server/http";
import { writeAudit } from "@/lib/server/audit";
import { verifyAuditChain } from "@/lib/server/audit-verify";
import { sealCommitted } from "@/lib/server/audit-seal/seal";
import { chartDoseEvent, chartVitals } from "@/lib/server/sessions";
import type { Actor } from "@/lib/server/actor";
import { DoseEventSchema, VitalsSchema } from "@/lib/validation/session";
import { db, freshClinic, snapshotTables } from "@/test/helpers";
import { at, dose, expectAppError, iso, normalVitals, openSession, type Clinic } from "@/test/charting";

const IV = "IV infusion (routes table)";

let c: Clinic;
beforeAll(async () => {
  c = await freshClinic();
});

let keyCounter = 0;
const newKey = () => `key-${process.pid}-${Date.now()}-${++keyCounter}`;

function request(sessionId: string, key: string | null, path = `/api/sessions/${sessionId}/vitals`) {
  return new Request(`http://x${path}`, { method: "POST", headers: key === null ? {} : { "idempotency-key": key } });
}

/** What the vitals route does: parse the body, chart, answer 201 with the result. */
function postVitals(actor: Actor, sessionId: string, key: string | null, body: Record<string, unknown>, path?: string) {
  return runIdempotent(request(sessionId, key, path), actor, body, async (tx) => {
    const result = await chartVitals(tx, { actor, sessionId, input: VitalsSchema.parse(body), now: at(2) });
    return { status: 201, body: result };
  });
}
const body = (raw: Record<string, unknown> = {}) => ({ at: iso(1), ...normalVitals, ...raw });
const vitalsRows = (sessionId: string) => db.vitalSigns.count({ where: { sessionId } });

describe("runIdempotent", () => {
  it("the same key twice stores one row and replays the first answer with Idempotent-Replay", async () => {
    const { session } = await openSession(c, IV);
    const key = newKey();
    const first = await postVitals(c.actors.nurse, session.id, key, body());
    expect(first.status).toBe(201);
    expect(first.headers.get("Idempotent-Replay")).toBeNull();
    const firstBody = await first.json();
    expect(firstBody.vitals).toMatchObject({ at: iso(1), systolicMmHg: 120 });

    const before = await snapshotTables();
    const second = await postVitals(c.actors.nurse, session.id, key, body());
    expect(second.status).toBe(201);
    expect(second.headers.get("Idempotent-Replay")).toBe("true");
    expect(await second.json()).toEqual(firstBody);
    expect(await snapshotTables()).toEqual(before); // nothing new: no vitals, no audit row
    expect(await vitalsRows(session.id)).toBe(1);
    expect(await db.idempotencyRecord.count({ where: { userId: c.actors.nurse.userId, key } })).toBe(1);
  });

  it("the same key with a different body (or a different path) is CONFLICT and stores nothing", async () => {
    const { session } = await openSession(c, IV);
    const key = newKey();
    await postVitals(c.actors.nurse, session.id, key, body());
    const before = await snapshotTables();
    await expectAppError(postVitals(c.actors.nurse, session.id, key, body({ systolicMmHg: 121 })), "CONFLICT");
    await expectAppError(postVitals(c.actors.nurse, session.id, key, body(), `/api/sessions/${session.id}/pain`), "CONFLICT");
    expect(await snapshotTables()).toEqual(before);
    expect(await vitalsRows(session.id)).toBe(1);
  });

  it("two concurrent calls with the same key store exactly one row and answer the same body", async () => {
    const { session } = await openSession(c, IV);
    const key = newKey();
    // A gate holds each call inside its transaction until both have passed the replay
    // check, so the race (both write, the unique key decides) is exercised every run.
    let arrived = 0;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const racing = () => runIdempotent(request(session.id, key), c.actors.nurse, body(), async (tx) => {
      arrived += 1;
      if (arrived === 2) open();
      await Promise.race([gate, new Promise((r) => setTimeout(r, 3000))]);
      return { status: 201, body: await chartVitals(tx, { actor: c.actors.nurse, sessionId: session.id, input: VitalsSchema.parse(body()), now: at(2) }) };
    });
    const settled = await Promise.allSettled([racing(), racing()]);
    expect(arrived).toBe(2);
    const errors = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected").map((s) => String(s.reason?.message).slice(0, 200));
    expect(errors).toEqual([]);
    const [a, b] = settled.map((s) => (s as PromiseFulfilledResult<Response>).value);
    expect([a!.status, b!.status]).toEqual([201, 201]);
    expect([a!.headers.get("Idempotent-Replay"), b!.headers.get("Idempotent-Replay")].sort()).toEqual(["true", null].sort());
    expect(await a!.json()).toEqual(await b!.json());
    expect(await vitalsRows(session.id)).toBe(1);
    expect(await db.auditEvent.count({ where: { clinicId: c.clinic.id, action: "vitals.chart", entityId: { in: (await db.vitalSigns.findMany({ where: { sessionId: session.id } })).map((v) => v.id) } } })).toBe(1);
  });

  it("keys are per user; without a key every call runs; a malformed key is BAD_INPUT", async () => {
    const { session } = await openSession(c, IV);
    const key = newKey();
    await postVitals(c.actors.nurse, session.id, key, body());
    const other = await postVitals(c.actors.physician, session.id, key, body());
    expect(other.headers.get("Idempotent-Replay")).toBeNull(); // another user's key space
    expect(await vitalsRows(session.id)).toBe(2);
    await postVitals(c.actors.nurse, session.id, null, body());
    await postVitals(c.actors.nurse, session.id, null, body());
    expect(await vitalsRows(session.id)).toBe(4);
    const before = await snapshotTables();
    await expectAppError(postVitals(c.actors.nurse, session.id, "short", body()), "BAD_INPUT"); // < 8 characters
    await expectAppError(postVitals(c.actors.nurse, session.id, "has spaces in it", body()), "BAD_INPUT");
    expect(await snapshotTables()).toEqual(before);
  });

  it("a refused write stores no answer: a retry with the same key runs again", async () => {
    const { session } = await openSession(c, IV);
    await dose(c.actors.nurse, session.id, at(1), { type: "START", rateMgPerKgPerH: 0.3 });
    const key = newKey();
    const raw = { type: "RATE_CHANGE", at: iso(2), rateMgPerKgPerH: 1 };
    const post = () => runIdempotent(request(session.id, key, `/api/sessions/${session.id}/dose-events`), c.actors.nurse, raw, async (tx) => ({
      status: 201, body: await chartDoseEvent(tx, { actor: c.actors.nurse, sessionId: session.id, input: DoseEventSchema.parse(raw), now: at(2) }),
    }));
    await expectAppError(post(), "HARD_LIMIT");
    await expectAppError(post(), "HARD_LIMIT"); // not a replay of a stored answer
    expect(await db.idempotencyRecord.count({ where: { userId: c.actors.nurse.userId, key } })).toBe(0);
  });

  it("audit rows are written at the end of the transaction, in order, chained, with the write", async () => {
    const { session } = await openSession(c, IV);
    const since = new Date();
    // Diastolic 105 (>= 100) raises DBP_HIGH: a vitals audit row, then a flag with its own.
    const res = await postVitals(c.actors.nurse, session.id, newKey(), body({ diastolicMmHg: 105, reason: "patient anxious, repeat in 5 min" }));
    expect(res.status).toBe(201);
    const { vitals, flags } = await res.json();
    expect(flags.map((f: { code: string }) => f.code)).toContain("DBP_HIGH");
    await sealCommitted(db); // no sealer runs in the tests: seal what this write committed (decision 0018)
    const rows = await db.auditEvent.findMany({
      where: { clinicId: c.clinic.id, at: { gte: new Date(since.getTime() - 1000) }, entityId: { in: [vitals.id, ...flags.map((f: { id: string }) => f.id)] } },
      orderBy: { seq: "asc" },
    });
    // the vitals row first, then one per flag, consecutive in the clinic's chain
    expect(rows.map((r) => r.action)).toEqual(["vitals.chart", ...flags.map(() => "flag.raise")]);
    expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, i) => Number(rows[0]!.seq) + i));
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
    expect((await verifyAuditChain(db, c.clinic.id)).broken).toEqual([]);
  });

  it("a write that fails after queuing its audit row leaves neither the write nor the audit row", async () => {
    const { session } = await openSession(c, IV);
    const before = await snapshotTables();
    await expect(
      runIdempotent(request(session.id, newKey()), c.actors.nurse, body(), async (tx) => {
        await chartVitals(tx, { actor: c.actors.nurse, sessionId: session.id, input: VitalsSchema.parse(body()), now: at(2) });
        throw new Error("fails after the audit row was queued");
      }),
    ).rejects.toThrow("fails after");
    expect(await snapshotTables()).toEqual(before);
  });

  it("if the audit INSERT itself fails, the clinical write is rolled back with it", async () => {
    const { session } = await openSession(c, IV);
    const before = await snapshotTables();
    // an audit row naming a clinic that does not exist breaks the foreign key at the very
    // end (the queued rows are inserted last), after the vitals row was inserted
    const ghost = { ...c.actors.nurse, clinicId: "no-such-clinic" };
    await expect(
      runIdempotent(request(session.id, newKey()), ghost, body(), async (tx) => {
        await chartVitals(tx, { actor: c.actors.nurse, sessionId: session.id, input: VitalsSchema.parse(body()), now: at(2) });
        await writeAudit(tx, { clinicId: "no-such-clinic", actorId: ghost.userId, action: "test.ghost", entityType: "Test", entityId: "x" });
        return { status: 201, body: {} };
      }),
    ).rejects.toThrow();
    expect(await snapshotTables()).toEqual(before);
  });
});
