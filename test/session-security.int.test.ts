// Sessions and login (docs/SECURITY.md): idle sign-out and the absolute lifetime decided by
// currentActor from the session's times (the session cookie's decoded claims are the only
// thing mocked), a lockout lifted by an administrator's reset, secure cookies over HTTPS, and
// `npm run audit:verify` as a process: exit 0 on an intact chain, 1 after an edited row.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

const { readSessionClaims } = vi.hoisted(() => ({ readSessionClaims: vi.fn() }));
vi.mock("@/lib/server/session-claims", () => ({ readSessionClaims }));

import { ABSOLUTE_SESSION_HOURS } from "@/auth";
import { currentActor } from "@/lib/server/actor";
import { authenticate, MAX_FAILED_LOGINS } from "@/lib/server/login";
import { resetStaffPassword } from "@/lib/server/staff";
import { checkPassword } from "@/lib/domain/password-policy";
import { createUser } from "@/prisma/seed/factories";
import { db, freshClinic } from "@/test/helpers";
import type { Clinic } from "@/test/charting";
import { sealCommitted } from "@/lib/server/audit-seal/seal";

const run = promisify(execFile);
let c: Clinic;
const NOW = Date.UTC(2026, 2, 2, 14, 0, 0);
const s = (ms: number) => Math.floor(ms / 1000);

beforeAll(async () => {
  c = await freshClinic();
  await db.clinic.update({ where: { id: c.clinic.id }, data: { idleSignOutMin: 5 } });
});
afterEach(() => readSessionClaims.mockReset());

function sessionOf(userId: string, { authAgoS, seenAgoS }: { authAgoS: number; seenAgoS: number }) {
  readSessionClaims.mockResolvedValue({ userId, authTime: s(NOW) - authAgoS, lastSeenAt: s(NOW) - seenAgoS });
}

describe("currentActor: idle sign-out and absolute lifetime", () => {
  it("a clinic idle time of 5 min: active 4 min 59 s ago is signed in, 5 min 1 s ago is signed out", async () => {
    const nurse = c.actors.nurse;
    sessionOf(nurse.userId, { authAgoS: 3600, seenAgoS: 5 * 60 - 1 });
    expect((await currentActor(NOW))?.userId).toBe(nurse.userId);
    sessionOf(nurse.userId, { authAgoS: 3600, seenAgoS: 5 * 60 + 1 });
    expect(await currentActor(NOW)).toBeNull();
  });

  it("the idle time is the clinic's: at 15 min the same gap is still signed in", async () => {
    await db.clinic.update({ where: { id: c.clinic.id }, data: { idleSignOutMin: 15 } });
    sessionOf(c.actors.nurse.userId, { authAgoS: 3600, seenAgoS: 6 * 60 });
    expect(await currentActor(NOW)).not.toBeNull();
    await db.clinic.update({ where: { id: c.clinic.id }, data: { idleSignOutMin: 5 } });
  });

  it(`a session older than ${ABSOLUTE_SESSION_HOURS} h ends whatever the activity`, async () => {
    expect(ABSOLUTE_SESSION_HOURS).toBe(12);
    sessionOf(c.actors.physician.userId, { authAgoS: 12 * 3600 - 1, seenAgoS: 0 });
    expect(await currentActor(NOW)).not.toBeNull();
    sessionOf(c.actors.physician.userId, { authAgoS: 12 * 3600 + 1, seenAgoS: 0 });
    expect(await currentActor(NOW)).toBeNull();
  });

  it("no session, a session without authTime, and a deactivated user are all signed out", async () => {
    readSessionClaims.mockResolvedValue(null);
    expect(await currentActor(NOW)).toBeNull();
    readSessionClaims.mockResolvedValue({ userId: c.actors.nurse.userId });
    expect(await currentActor(NOW)).toBeNull();
    const u = await createUser(db, { clinicId: c.clinic.id, email: `gone.${randomBytes(4).toString("hex")}@test.clinic`, name: "Gone", role: "NURSE" });
    sessionOf(u.id, { authAgoS: 60, seenAgoS: 0 });
    expect(await currentActor(NOW)).not.toBeNull();
    await db.user.update({ where: { id: u.id }, data: { active: false } });
    expect(await currentActor(NOW)).toBeNull();
  });
});

describe("lockout and its reset", () => {
  it("a locked account signs in again after an administrator's reset, with the temporary password only", async () => {
    const password = "correct horse battery staple";
    const u = await createUser(db, { clinicId: c.clinic.id, email: `locked.${randomBytes(4).toString("hex")}@test.clinic`, name: "Locked", role: "NURSE", password });
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) await authenticate(u.email, `wrong-${i}`);
    expect(await authenticate(u.email, password)).toEqual({ ok: false });
    const { temporaryPassword } = await db.$transaction((tx) => resetStaffPassword(tx, { actor: c.actors.admin, userId: u.id }));
    expect(await db.user.findUniqueOrThrow({ where: { id: u.id }, select: { lockedUntil: true } })).toEqual({ lockedUntil: null });
    expect(await authenticate(u.email, password)).toEqual({ ok: false });
    const ok = await authenticate(u.email, temporaryPassword);
    expect(ok.ok && ok.user.mustChangePassword).toBe(true);
  });

  it("the password policy refuses short, common and email-like passwords", () => {
    expect(checkPassword("short", "a@b.c")).not.toBeNull();
    expect(checkPassword("password1234", "a@b.c")).not.toBeNull();
    expect(checkPassword("nurse.jones@clinic.org", "nurse.jones@clinic.org")).not.toBeNull();
    expect(checkPassword("correct horse battery staple", "a@b.c")).toBeNull();
  });
});

describe("secure cookies over HTTPS", () => {
  it("NEXTAUTH_URL=https://... turns on __Secure- cookies; http:// does not", async () => {
    const before = process.env.NEXTAUTH_URL;
    try {
      for (const [url, secure] of [["https://titrate.example.org", true], ["http://127.0.0.1:3000", false]] as const) {
        process.env.NEXTAUTH_URL = url;
        vi.resetModules();
        const { authOptions } = await import("@/auth");
        expect(authOptions.useSecureCookies, url).toBe(secure);
      }
    } finally {
      process.env.NEXTAUTH_URL = before;
      vi.resetModules();
    }
  });
});

describe("npm run audit:verify", () => {
  const root = path.resolve(__dirname, "..");
  const verify = () =>
    run("npx", ["tsx", "--conditions=react-server", "scripts/verify-audit.ts"], { cwd: root, env: { ...process.env } })
      .then((r) => ({ code: 0, out: r.stdout + r.stderr }))
      .catch((e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }));

  it("exits 0 on an intact chain and 1 after a row was edited (with the trigger bypassed, as an attacker with the owner role would)", async () => {
    await db.$transaction((tx) => resetStaffPassword(tx, { actor: c.actors.admin, userId: c.actors.nurse.userId }));
    await sealCommitted(db); // no sealer runs in the tests (decision 0018)
    const clean = await verify();
    expect(clean.code, clean.out).toBe(0);
    expect(clean.out).toMatch(/Audit chain intact: \d+ sealed events checked/);

    const row = await db.auditEvent.findFirstOrThrow({ where: { clinicId: c.clinic.id }, orderBy: { seq: "desc" } });
    await db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`SET LOCAL session_replication_role = replica`);
      await tx.$executeRaw`UPDATE "AuditEvent" SET "action" = 'user.password.changed' WHERE id = ${row.id}`;
    });
    try {
      const broken = await verify();
      expect(broken.code, broken.out).toBe(1);
      expect(broken.out).toContain(`seq ${row.seq}`);
    } finally {
      await db.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`SET LOCAL session_replication_role = replica`);
        await tx.$executeRaw`UPDATE "AuditEvent" SET "action" = ${row.action} WHERE id = ${row.id}`;
      });
    }
    expect((await verify()).code).toBe(0);
  }, 120_000);
});
