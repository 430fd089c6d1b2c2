// The per-instance user cache against real PostgreSQL, with two event hubs standing for two
// app instances on one database (docs/decisions/0019-access-audit-and-user-cache.md): an
// admin's deactivation, role change and password reset reach the other instance's cache
// within one second; a lost listener empties the cache and turns it off until it is back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, freshClinic, type FreshClinic } from "@/test/helpers";
import { changeStaffRole, deactivateStaff, reactivateStaff, resetStaffPassword } from "./staff";
import { loadSignInFacts } from "./actor";
import { EventHub } from "./events/hub";
import { UserCache } from "./user-cache";

const URL = process.env.DATABASE_URL!;

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Counts the database reads behind a cache. */
function countingLoader() {
  const loader = async (userId: string) => { loader.reads += 1; return loadSignInFacts(userId); };
  loader.reads = 0;
  return loader;
}

let c: FreshClinic;
let hubA: EventHub;
let hubB: EventHub;

beforeAll(async () => {
  c = await freshClinic();
  hubA = new EventHub({ databaseUrl: URL, embedded: false, log: () => {} });
  hubB = new EventHub({ databaseUrl: URL, embedded: false, log: () => {} });
  await Promise.all([hubA.ready(), hubB.ready()]);
});
afterAll(async () => { await Promise.all([hubA.stop(), hubB.stop()]); });

describe("the user cache on two instances", () => {
  it("answers repeated requests from memory: one database read", async () => {
    const load = countingLoader();
    const cache = new UserCache(hubB, load);
    const nurse = c.actors.nurse.userId;
    for (let i = 0; i < 5; i++) expect((await cache.get(nurse))?.role).toBe("NURSE");
    expect(load.reads).toBe(1);
  });

  it("a deactivation committed through one instance bites on the other within one second", async () => {
    const cache = new UserCache(hubB, countingLoader());
    const user = c.actors.physician.userId;
    expect((await cache.get(user))?.active).toBe(true);
    await db.$transaction((tx) => deactivateStaff(tx, { actor: c.actors.admin, userId: user }));
    const ms = await waitFor("the deactivation on instance B", async () => (await cache.get(user))?.active === false, 1_000);
    expect(ms).toBeLessThan(1_000);
    await db.$transaction((tx) => reactivateStaff(tx, { actor: c.actors.admin, userId: user }));
    await waitFor("the reactivation on instance B", async () => (await cache.get(user))?.active === true, 1_000);
  });

  it("a role change and a password reset bite on the other instance within one second", async () => {
    const cache = new UserCache(hubB, countingLoader());
    const user = c.actors.nurse.userId;
    expect((await cache.get(user))?.role).toBe("NURSE");
    await db.$transaction((tx) => changeStaffRole(tx, { actor: c.actors.admin, userId: user, input: { role: "PHYSICIAN" } }));
    await waitFor("the role change on instance B", async () => (await cache.get(user))?.role === "PHYSICIAN", 1_000);
    expect((await cache.get(user))?.mustChangePassword).toBe(false);
    await db.$transaction((tx) => resetStaffPassword(tx, { actor: c.actors.admin, userId: user }));
    await waitFor("the password reset on instance B", async () => (await cache.get(user))?.mustChangePassword === true, 1_000);
  });

  it("a change of the clinic's idle sign-out drops that clinic's entries", async () => {
    const cache = new UserCache(hubB, countingLoader());
    const user = c.actors.admin.userId;
    const before = (await cache.get(user))!.idleSignOutMin;
    await db.clinic.update({ where: { id: c.clinic.id }, data: { idleSignOutMin: before + 1 } });
    await waitFor("the clinic change on instance B", async () => (await cache.get(user))?.idleSignOutMin === before + 1, 1_000);
  });

  it("sign-in bookkeeping (a failed attempt) does not empty the cache", async () => {
    const load = countingLoader();
    const cache = new UserCache(hubB, load);
    const user = c.actors.admin.userId;
    await cache.get(user);
    await db.user.update({ where: { id: user }, data: { failedLoginCount: { increment: 1 } } });
    // a change that does notify, committed after it, has arrived: the earlier one would have too
    const other = c.actors.nurse.userId;
    await cache.get(other);
    await db.user.update({ where: { id: other }, data: { name: "Renamed Nurse" } });
    await waitFor("the rename", async () => (await cache.get(other))?.name === "Renamed Nurse", 1_000);
    const reads = load.reads;
    await cache.get(user);
    expect(load.reads).toBe(reads);
  });

  it("a lost listener empties the cache and reads the database until it listens again", async () => {
    const hub = new EventHub({ databaseUrl: URL, embedded: false, log: () => {} });
    const load = countingLoader();
    const cache = new UserCache(hub, load);
    const user = c.actors.nurse.userId;
    try {
      await hub.ready();
      await cache.get(user);
      expect(cache.size).toBe(1);
      await db.$executeRawUnsafe(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'titrate-live-events' AND datname = current_database() AND backend_start = (SELECT max(backend_start) FROM pg_stat_activity WHERE application_name = 'titrate-live-events' AND datname = current_database())`,
      );
      await waitFor("the lost listener", async () => !hub.isConnected(), 5_000);
      expect(cache.size).toBe(0);
      const reads = load.reads;
      await cache.get(user);
      await cache.get(user);
      expect(load.reads).toBe(reads + 2);
      expect(cache.size).toBe(0);
      await hub.ready();
      await cache.get(user);
      await cache.get(user);
      expect(load.reads).toBe(reads + 3);
    } finally {
      await hub.stop();
    }
  });

  it("a read that raced an invalidation is returned but not kept", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const user = c.actors.physician.userId;
    const cache = new UserCache(hubB, async (id) => { const f = await loadSignInFacts(id); await gate; return f; });
    const pending = cache.get(user);
    cache.invalidate({ kind: "user", userId: user });
    release();
    expect((await pending)?.id).toBe(user);
    expect(cache.size).toBe(0);
  });
});
