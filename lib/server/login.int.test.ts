// authenticate(): credentials, deactivation and lockout against the real users table.
// Timing is not measured here (benchmarks live in bench/, not in timed tests).
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { createUser } from "@/prisma/seed/factories";
import { authenticate, LOCK_MINUTES, MAX_FAILED_LOGINS } from "@/lib/server/login";
import { db, freshClinic } from "@/test/helpers";
import type { Clinic } from "@/test/charting";

const PASSWORD = "correct horse battery staple";
const NOW = new Date("2026-03-02T14:00:00.000Z");
const plus = (ms: number, base = NOW) => new Date(base.getTime() + ms);

let c: Clinic;
beforeAll(async () => {
  c = await freshClinic();
});

/** A user of the test clinic with a known password; emails are unique across clinics. */
async function user(opts: { active?: boolean } = {}) {
  const tag = randomBytes(4).toString("hex");
  const u = await createUser(db, { clinicId: c.clinic.id, email: `Login.${tag}@Test.Clinic`, name: `Login ${tag}`, role: "NURSE", password: PASSWORD, active: opts.active });
  return u;
}
const state = (id: string) => db.user.findUniqueOrThrow({ where: { id }, select: { failedLoginCount: true, lockedUntil: true } });

describe("authenticate", () => {
  it("accepts the right password; the email is matched case-insensitively with spaces trimmed", async () => {
    const u = await user();
    expect(u.email).toBe(u.email.toLowerCase());
    const r = await authenticate(`   ${u.email.toUpperCase()}  `, PASSWORD, NOW);
    expect(r).toEqual({
      ok: true,
      user: { id: u.id, email: u.email, name: u.name, role: "NURSE", clinicId: c.clinic.id, mustChangePassword: false },
    });
  });

  it("a wrong password and an unknown email fail with the same result shape", async () => {
    const u = await user();
    const wrong = await authenticate(u.email, `${PASSWORD}!`, NOW);
    const unknown = await authenticate(`nobody.${randomBytes(4).toString("hex")}@test.clinic`, PASSWORD, NOW);
    expect(wrong).toEqual({ ok: false });
    expect(unknown).toEqual({ ok: false });
    expect(Object.keys(wrong)).toEqual(Object.keys(unknown));
    expect(await state(u.id)).toEqual({ failedLoginCount: 1, lockedUntil: null });
    // empty inputs fail the same way
    expect(await authenticate("", PASSWORD, NOW)).toEqual({ ok: false });
    expect(await authenticate(u.email, "", NOW)).toEqual({ ok: false });
  });

  it("a deactivated user fails even with the right password", async () => {
    const u = await user({ active: false });
    expect(await authenticate(u.email, PASSWORD, NOW)).toEqual({ ok: false });
  });

  it("a success resets the failure counter", async () => {
    const u = await user();
    for (let i = 0; i < MAX_FAILED_LOGINS - 1; i++) expect(await authenticate(u.email, "wrong-password", NOW)).toEqual({ ok: false });
    expect(await state(u.id)).toEqual({ failedLoginCount: 4, lockedUntil: null });
    expect((await authenticate(u.email, PASSWORD, NOW)).ok).toBe(true);
    expect(await state(u.id)).toEqual({ failedLoginCount: 0, lockedUntil: null });
    // 4 more failures (8 in all, but not consecutive): still not locked
    for (let i = 0; i < MAX_FAILED_LOGINS - 1; i++) await authenticate(u.email, "wrong-password", NOW);
    expect((await authenticate(u.email, PASSWORD, NOW)).ok).toBe(true);
  });

  it("5 consecutive failures lock the account for 15 min and write user.locked; after lockedUntil the right password works and resets", async () => {
    expect([MAX_FAILED_LOGINS, LOCK_MINUTES]).toEqual([5, 15]);
    const u = await user();
    const auditBefore = await db.auditEvent.count({ where: { entityId: u.id } });
    for (let i = 1; i <= 5; i++) expect(await authenticate(u.email, `wrong-${i}`, plus(i * 1000))).toEqual({ ok: false });
    // the 5th failure at NOW + 5 s locks until NOW + 5 s + 15 min
    const lockedUntil = plus(5000 + 15 * 60_000);
    expect(await state(u.id)).toEqual({ failedLoginCount: 0, lockedUntil });
    const audit = await db.auditEvent.findMany({ where: { entityId: u.id }, orderBy: { id: "asc" } });
    expect(audit.length - auditBefore).toBe(1);
    expect(audit.at(-1)).toMatchObject({
      clinicId: c.clinic.id, actorId: null, action: "user.locked", entityType: "User", entityId: u.id,
      after: { lockedMinutes: 15, reason: "repeated failed sign-ins" },
    });

    // locked: the right password fails, up to and including the lock instant's last ms
    expect(await authenticate(u.email, PASSWORD, plus(60_000))).toEqual({ ok: false });
    expect(await authenticate(u.email, PASSWORD, plus(-1, lockedUntil))).toEqual({ ok: false });
    // failures while locked neither extend the lock nor count
    await authenticate(u.email, "wrong-again", plus(120_000));
    expect(await state(u.id)).toEqual({ failedLoginCount: 0, lockedUntil });

    // lockedUntil is exclusive: at that instant the lock is over
    const r = await authenticate(u.email, PASSWORD, lockedUntil);
    expect(r.ok).toBe(true);
    expect(await state(u.id)).toEqual({ failedLoginCount: 0, lockedUntil: null });
    expect(await db.auditEvent.count({ where: { entityId: u.id, action: "user.locked" } })).toBe(1);
  });

  it("5 failures sent at once still lock the account (no lost counter updates)", async () => {
    const u = await user();
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => authenticate(u.email, `parallel-wrong-${i}`, NOW)));
    expect(results).toEqual(Array.from({ length: 5 }, () => ({ ok: false })));
    const s = await state(u.id);
    // a brute-force client must not get more than 5 guesses by sending them concurrently
    expect({ failedLoginCount: s.failedLoginCount, locked: s.lockedUntil !== null }).toEqual({ failedLoginCount: 0, locked: true });
    expect(await authenticate(u.email, PASSWORD, plus(1000))).toEqual({ ok: false });
  });
});
