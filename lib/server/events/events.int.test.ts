// Live events against real PostgreSQL (docs/decisions/0014-live-events.md): the triggers send
// exactly one ids-only notification per kind for a committed charting write and none for a
// rolled-back one; the hub hands each clinic's events to that clinic's subscribers only, and
// tells every subscriber to resync when its listener connection is lost and comes back.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chartVitals } from "@/lib/server/sessions";
import { VitalsSchema } from "@/lib/validation/session";
import { db, freshClinic } from "@/test/helpers";
import { at, normalVitals, openSession, pain, vitals, type Clinic } from "@/test/charting";
import { EventHub, EVENTS_CHANNEL, type HubMessage } from "./hub";

const URL = process.env.DATABASE_URL!;
const PAYLOAD_KEYS = ["clinicId", "kind", "patientId", "seriesId", "sessionId"];

async function waitFor<T>(what: string, probe: () => T | null | undefined | false, timeoutMs = 5_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A plain LISTEN connection that records every payload, with a sentinel to know all earlier commits arrived. */
class Listener {
  readonly payloads: string[] = [];
  private readonly client = new pg.Client({ connectionString: URL });
  async start() {
    this.client.on("notification", (n) => { if (n.channel === EVENTS_CHANNEL && n.payload) this.payloads.push(n.payload); });
    await this.client.connect();
    await this.client.query(`LISTEN ${EVENTS_CHANNEL}`);
  }
  /** Notifications arrive in commit order: once this one is here, every earlier commit's are too. */
  async flush() {
    const marker = `{"kind":"sentinel","n":${Math.random()}}`;
    await db.$executeRawUnsafe(`SELECT pg_notify('${EVENTS_CHANNEL}', '${marker}')`);
    await waitFor("the sentinel notification", () => this.payloads.includes(marker));
  }
  forSession(sessionId: string) {
    return this.payloads.map((p) => JSON.parse(p) as Record<string, unknown>).filter((p) => p.sessionId === sessionId);
  }
  end() { return this.client.end(); }
}

let a: Clinic;
let b: Clinic;
const listener = new Listener();

beforeAll(async () => {
  a = await freshClinic();
  b = await freshClinic();
  await listener.start();
});
afterAll(async () => { await listener.end(); });

describe("the triggers", () => {
  it("a committed vitals set sends exactly one notification, with ids only", async () => {
    const { patient, series, session } = await openSession(a, "IV infusion (routes table)");
    await listener.flush();
    const before = listener.forSession(session.id).length;
    await vitals(a.actors.nurse, session.id, at(5));
    await listener.flush();
    const sent = listener.forSession(session.id).slice(before);
    expect(sent).toEqual([{ kind: "vitals", clinicId: a.clinic.id, sessionId: session.id, seriesId: series.id, patientId: patient.id }]);
    // Nothing but ids: no name, MRN, value or note can ride along.
    for (const p of listener.payloads.map((x) => JSON.parse(x) as Record<string, unknown>).filter((x) => x.kind !== "sentinel")) {
      expect(Object.keys(p).sort()).toEqual(PAYLOAD_KEYS);
      for (const k of ["clinicId", "sessionId", "seriesId", "patientId"]) expect(p[k] === null || /^[A-Za-z0-9_-]+$/.test(String(p[k]))).toBe(true);
    }
    const raw = listener.payloads.join("\n");
    for (const secret of [patient.mrn, patient.givenName, patient.familyName, String(normalVitals.systolicMmHg) + ","]) expect(raw).not.toContain(secret);
  });

  it("starting a session and a pain score each send their kind", async () => {
    await listener.flush();
    const before = listener.payloads.length;
    const { session } = await openSession(a, "IV infusion (routes table)");
    await pain(a.actors.nurse, session.id, at(1), { score: 6, phase: "PRE" });
    await listener.flush();
    const kinds = listener.payloads.slice(before).map((p) => JSON.parse(p) as { kind: string; sessionId: string | null })
      .filter((p) => p.sessionId === session.id).map((p) => p.kind);
    expect(kinds.filter((k) => k === "session")).toHaveLength(1);
    expect(kinds.filter((k) => k === "pain")).toHaveLength(1);
  });

  it("a rolled-back write sends nothing", async () => {
    const { session } = await openSession(a, "IV infusion (routes table)");
    await listener.flush();
    const before = listener.forSession(session.id).length;
    const input = VitalsSchema.parse({ at: at(5).toISOString(), ...normalVitals });
    await expect(db.$transaction(async (tx) => {
      await chartVitals(tx, { actor: a.actors.nurse, sessionId: session.id, input, now: at(5) });
      expect(await tx.vitalSigns.count({ where: { sessionId: session.id } })).toBe(1);
      throw new Error("roll back");
    })).rejects.toThrow("roll back");
    await listener.flush();
    expect(listener.forSession(session.id).slice(before)).toEqual([]);
    expect(await db.vitalSigns.count({ where: { sessionId: session.id } })).toBe(0);
  });
});

describe("the hub", () => {
  it("hands each clinic's events to that clinic's subscribers only, without the clinic id", async () => {
    const hub = new EventHub({ databaseUrl: URL, embedded: false, log: () => {} });
    const gotA: HubMessage[] = [];
    const gotB: HubMessage[] = [];
    hub.subscribe({ clinicId: a.clinic.id, userId: a.actors.nurse.userId, deliver: (m) => gotA.push(m) });
    hub.subscribe({ clinicId: b.clinic.id, userId: b.actors.physician.userId, deliver: (m) => gotB.push(m) });
    try {
      await hub.ready();
      const sa = await openSession(a, "IV infusion (routes table)");
      const sb = await openSession(b, "IV infusion (routes table)");
      await vitals(a.actors.nurse, sa.session.id, at(5));
      await vitals(b.actors.nurse, sb.session.id, at(5));
      const changeFor = (got: HubMessage[], sessionId: string) =>
        got.some((m) => m.type === "change" && m.event.kind === "vitals" && m.event.sessionId === sessionId);
      await waitFor("clinic A's vitals at A", () => changeFor(gotA, sa.session.id));
      await waitFor("clinic B's vitals at B", () => changeFor(gotB, sb.session.id));
      const sessionsOf = (got: HubMessage[]) => new Set(got.flatMap((m) => (m.type === "change" && m.event.sessionId ? [m.event.sessionId] : [])));
      expect(sessionsOf(gotA).has(sb.session.id)).toBe(false);
      expect(sessionsOf(gotB).has(sa.session.id)).toBe(false);
      for (const m of [...gotA, ...gotB]) if (m.type === "change") expect(Object.keys(m.event).sort()).toEqual(["kind", "patientId", "seriesId", "sessionId"]);
      // every event id is unique and carries this instance's boot id
      const ids = [...gotA, ...gotB].flatMap((m) => (m.type === "change" ? [m.id] : []));
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      await hub.stop();
    }
  });

  it("a malformed or clinic-less notification reaches no one", async () => {
    const hub = new EventHub({ databaseUrl: URL, embedded: false, log: () => {} });
    const got: HubMessage[] = [];
    hub.subscribe({ clinicId: a.clinic.id, userId: a.actors.nurse.userId, deliver: (m) => got.push(m) });
    try {
      hub.dispatch("not json");
      hub.dispatch(JSON.stringify({ kind: "vitals", clinicId: null, sessionId: "x", seriesId: null, patientId: null }));
      hub.dispatch(JSON.stringify({ kind: "telepathy", clinicId: a.clinic.id, sessionId: null, seriesId: null, patientId: null }));
      hub.dispatch(JSON.stringify({ kind: "vitals", clinicId: a.clinic.id, sessionId: "Ada Test", seriesId: null, patientId: null }));
      expect(got).toEqual([]);
      hub.dispatch(JSON.stringify({ kind: "vitals", clinicId: a.clinic.id, sessionId: "s1", seriesId: null, patientId: null }));
      expect(got).toHaveLength(1);
    } finally {
      await hub.stop();
    }
  });

  it("tells its subscribers to resync after the listener connection is lost, and listens again", async () => {
    const hub = new EventHub({ databaseUrl: URL, embedded: false, log: () => {} });
    const got: HubMessage[] = [];
    hub.subscribe({ clinicId: a.clinic.id, userId: a.actors.nurse.userId, deliver: (m) => got.push(m) });
    try {
      await hub.ready();
      await db.$executeRawUnsafe(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'titrate-live-events' AND datname = current_database()`);
      await waitFor("a resync", () => got.some((m) => m.type === "resync"), 10_000);
      expect(hub.status().reconnects).toBeGreaterThan(0);
      const { session } = await openSession(a, "IV infusion (routes table)");
      await vitals(a.actors.nurse, session.id, at(5));
      await waitFor("events after the reconnection", () => got.some((m) => m.type === "change" && m.event.sessionId === session.id));
    } finally {
      await hub.stop();
    }
  });

  it("ends the streams of a user deactivated while connected", async () => {
    const hub = new EventHub({ databaseUrl: URL, embedded: false, checkMs: 200, log: () => {} });
    const c = await freshClinic();
    const got: HubMessage[] = [];
    const kept: HubMessage[] = [];
    hub.subscribe({ clinicId: c.clinic.id, userId: c.actors.nurse.userId, deliver: (m) => got.push(m) });
    hub.subscribe({ clinicId: c.clinic.id, userId: c.actors.physician.userId, deliver: (m) => kept.push(m) });
    try {
      await hub.ready();
      await db.user.update({ where: { id: c.actors.nurse.userId }, data: { active: false } });
      await waitFor("the end of the deactivated user's stream", () => got.some((m) => m.type === "end"));
      expect(kept.some((m) => m.type === "end")).toBe(false);
      expect(hub.status().subscribers).toBe(1);
    } finally {
      await hub.stop();
    }
  });
});
