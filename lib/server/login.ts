import "server-only";
import { db } from "./db";
import { burnVerifyTime, verifyPassword } from "./passwords";
import { writeAudit } from "./audit";

/** After this many consecutive failures the account is locked for LOCK_MINUTES. */
export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;

export type LoginResult =
  | { ok: true; user: { id: string; email: string; name: string; role: "NURSE" | "PHYSICIAN" | "ADMIN"; clinicId: string; mustChangePassword: boolean } }
  | { ok: false };

/**
 * Checks credentials. Every failure looks the same to the caller (no user enumeration):
 * unknown email, wrong password, deactivated or locked account all return { ok: false }
 * after a full argon2 verification.
 */
export async function authenticate(emailInput: string, password: string, now = new Date()): Promise<LoginResult> {
  const email = emailInput.trim().toLowerCase();
  if (!email || !password || email.length > 320 || password.length > 1024) {
    await burnVerifyTime(password.slice(0, 1024));
    return { ok: false };
  }
  const user = await db.user.findUnique({ where: { email } });
  if (!user) {
    await burnVerifyTime(password);
    return { ok: false };
  }
  const passwordOk = await verifyPassword(user.passwordHash, password);
  const locked = user.lockedUntil !== null && user.lockedUntil > now;
  if (!passwordOk || locked || !user.active) {
    if (!passwordOk && !locked) {
      // Counted in the database, not from the row read above: parallel guesses must each count.
      await db.$transaction(async (tx) => {
        const counted = await tx.user.update({
          where: { id: user.id },
          data: { failedLoginCount: { increment: 1 } },
          select: { failedLoginCount: true },
        });
        if (counted.failedLoginCount >= MAX_FAILED_LOGINS) {
          const { count } = await tx.user.updateMany({
            where: { id: user.id, failedLoginCount: { gte: MAX_FAILED_LOGINS } },
            data: { failedLoginCount: 0, lockedUntil: new Date(now.getTime() + LOCK_MINUTES * 60_000) },
          });
          if (count === 1)
            await writeAudit(tx, {
              clinicId: user.clinicId,
              actorId: null,
              action: "user.locked",
              entityType: "User",
              entityId: user.id,
              after: { lockedMinutes: LOCK_MINUTES, reason: "repeated failed sign-ins" },
            });
        }
      });
    }
    return { ok: false };
  }
  if (user.failedLoginCount > 0 || user.lockedUntil)
    await db.user.update({ where: { id: user.id }, data: { failedLoginCount: 0, lockedUntil: null } });
  return {
    ok: true,
    user: {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      clinicId: user.clinicId,
      mustChangePassword: user.mustChangePassword,
    },
  };
}
