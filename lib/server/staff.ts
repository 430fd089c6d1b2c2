import "server-only";
import { randomInt } from "node:crypto";
import { AppError, conflict, notFound } from "@/lib/errors";
import type { Role } from "@/lib/permissions";
import type { ChangeOwnPasswordInput, ChangeRoleInput, CreateStaffInput } from "@/lib/validation/staff";
import { checkPassword, PASSWORD_PROBLEM_MESSAGES } from "@/lib/domain/password-policy";
import { requirePermission, type Actor } from "./actor";
import { auditAs } from "./audit";
import { db, type Tx } from "./db";
import { isUniqueViolation } from "./http";
import { hashPassword, verifyPassword } from "./passwords";

const STAFF_SELECT = {
  id: true, name: true, email: true, role: true, active: true, mustChangePassword: true, lockedUntil: true, createdAt: true,
} as const;

type StaffRow = { id: string; name: string; email: string; role: Role; active: boolean; mustChangePassword: boolean; lockedUntil: Date | null; createdAt: Date };

export function staffDto(u: StaffRow) {
  return {
    id: u.id, name: u.name, email: u.email, role: u.role, active: u.active, mustChangePassword: u.mustChangePassword,
    lockedUntil: u.lockedUntil?.toISOString() ?? null, createdAt: u.createdAt.toISOString(),
  };
}
export type StaffDto = ReturnType<typeof staffDto>;

/** What an audit row keeps of a user: never the password hash. */
const auditView = (u: StaffRow) => ({ name: u.name, email: u.email, role: u.role, active: u.active, mustChangePassword: u.mustChangePassword });

export async function findClinicStaff({ actor }: { actor: Actor }) {
  requirePermission(actor, "staff:manage");
  const users = await db.user.findMany({ where: { clinicId: actor.clinicId }, orderBy: [{ active: "desc" }, { name: "asc" }], select: STAFF_SELECT });
  return users.map(staffDto);
}

async function loadStaff(tx: Tx, actor: Actor, userId: string) {
  const u = await tx.user.findFirst({ where: { id: userId, clinicId: actor.clinicId }, select: STAFF_SELECT });
  if (!u) throw notFound("Staff member");
  return u;
}

/**
 * Locks the clinic's active administrators for the rest of the transaction and refuses a
 * change that would leave none: two administrators demoting each other at the same moment
 * must not both succeed (the second waits for the lock and then sees one admin left).
 */
async function assertAnotherActiveAdmin(tx: Tx, clinicId: string, leavingUserId: string) {
  const admins = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "User" WHERE "clinicId" = ${clinicId} AND "role" = 'ADMIN' AND "active" = true FOR UPDATE`;
  if (!admins.some((a) => a.id !== leavingUserId))
    throw conflict("This is the clinic's last active administrator. Make another staff member an administrator first.");
}

export async function createStaff(tx: Tx, { actor, input }: { actor: Actor; input: CreateStaffInput }) {
  requirePermission(actor, "staff:manage");
  const passwordHash = await hashPassword(input.password);
  try {
    const u = await tx.user.create({
      // An administrator chose this password, so the person replaces it at first sign-in.
      data: { clinicId: actor.clinicId, email: input.email, name: input.name, role: input.role, passwordHash, mustChangePassword: true },
      select: STAFF_SELECT,
    });
    await auditAs(tx, actor)("user.create", "User", u.id, { after: auditView(u) });
    return staffDto(u);
  } catch (err) {
    // Emails are unique across clinics (they are the sign-in name); say only that it is taken.
    if (isUniqueViolation(err))
      throw new AppError("CONFLICT", { userMessage: "This email is already in use.", fields: { email: "already in use" } });
    throw err;
  }
}

export async function changeStaffRole(tx: Tx, { actor, userId, input }: { actor: Actor; userId: string; input: ChangeRoleInput }) {
  requirePermission(actor, "staff:manage");
  const before = await loadStaff(tx, actor, userId);
  if (before.role === input.role) return staffDto(before);
  if (before.role === "ADMIN" && before.active) await assertAnotherActiveAdmin(tx, actor.clinicId, userId);
  const after = await tx.user.update({ where: { id: userId }, data: { role: input.role }, select: STAFF_SELECT });
  await auditAs(tx, actor)("user.role.change", "User", userId, { before: auditView(before), after: auditView(after) });
  return staffDto(after);
}

/**
 * A deactivated user cannot sign in (login.ts) and any open session ends at its next request
 * (actor.ts re-checks `active`). Nothing they charted or signed changes.
 */
export async function deactivateStaff(tx: Tx, { actor, userId }: { actor: Actor; userId: string }) {
  requirePermission(actor, "staff:manage");
  const before = await loadStaff(tx, actor, userId);
  if (!before.active) return staffDto(before);
  if (before.role === "ADMIN") await assertAnotherActiveAdmin(tx, actor.clinicId, userId);
  const after = await tx.user.update({ where: { id: userId }, data: { active: false }, select: STAFF_SELECT });
  await auditAs(tx, actor)("user.deactivate", "User", userId, { before: auditView(before), after: auditView(after) });
  return staffDto(after);
}

export async function reactivateStaff(tx: Tx, { actor, userId }: { actor: Actor; userId: string }) {
  requirePermission(actor, "staff:manage");
  const before = await loadStaff(tx, actor, userId);
  if (before.active) return staffDto(before);
  const after = await tx.user.update({ where: { id: userId }, data: { active: true, failedLoginCount: 0, lockedUntil: null }, select: STAFF_SELECT });
  await auditAs(tx, actor)("user.reactivate", "User", userId, { before: auditView(before), after: auditView(after) });
  return staffDto(after);
}

/** Letters and digits without look-alikes (0/O, 1/l/I), grouped for reading aloud. */
const TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
export function generateTemporaryPassword(): string {
  const groups = Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => TEMP_ALPHABET[randomInt(TEMP_ALPHABET.length)]).join(""));
  return groups.join("-");
}

/**
 * Sets a random temporary password (returned once, for the administrator to hand over; only
 * its hash is stored) and makes the user choose a new one at next sign-in. Also lifts a lock.
 */
export async function resetStaffPassword(tx: Tx, { actor, userId }: { actor: Actor; userId: string }) {
  requirePermission(actor, "staff:manage");
  const before = await loadStaff(tx, actor, userId);
  const temporaryPassword = generateTemporaryPassword();
  const after = await tx.user.update({
    where: { id: userId },
    data: { passwordHash: await hashPassword(temporaryPassword), mustChangePassword: true, failedLoginCount: 0, lockedUntil: null },
    select: STAFF_SELECT,
  });
  await auditAs(tx, actor)("user.password.reset", "User", userId, { before: auditView(before), after: auditView(after) });
  return { user: staffDto(after), temporaryPassword };
}

/** The signed-in user's own password change (any role; also the only thing allowed while one is required). */
export async function changeOwnPassword(tx: Tx, { actor, input }: { actor: Actor; input: ChangeOwnPasswordInput }) {
  const user = await tx.user.findFirst({ where: { id: actor.userId, clinicId: actor.clinicId, active: true } });
  if (!user) throw notFound("User");
  if (!(await verifyPassword(user.passwordHash, input.currentPassword)))
    throw new AppError("BAD_INPUT", { userMessage: "The current password is not correct.", fields: { currentPassword: "is not correct" } });
  const problem = checkPassword(input.newPassword, user.email);
  if (problem) throw new AppError("BAD_INPUT", { userMessage: `New password ${PASSWORD_PROBLEM_MESSAGES[problem]}.`, fields: { newPassword: PASSWORD_PROBLEM_MESSAGES[problem] } });
  await tx.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(input.newPassword), mustChangePassword: false } });
  await auditAs(tx, actor)("user.password.change", "User", user.id, { before: { mustChangePassword: user.mustChangePassword }, after: { mustChangePassword: false } });
  return { ok: true as const };
}

/*
 * Entry points for route handlers: each checks the permission before it opens a transaction,
 * then runs the step above in a transaction of its own, so the change and its audit row
 * commit together. The steps keep their `tx` parameter so a caller that already holds a
 * transaction can compose them.
 */

export async function addStaffMember(opts: { actor: Actor; input: CreateStaffInput }) {
  requirePermission(opts.actor, "staff:manage");
  return db.$transaction((tx) => createStaff(tx, opts));
}

export async function assignStaffRole(opts: { actor: Actor; userId: string; input: ChangeRoleInput }) {
  requirePermission(opts.actor, "staff:manage");
  return db.$transaction((tx) => changeStaffRole(tx, opts));
}

export async function deactivateStaffMember(opts: { actor: Actor; userId: string }) {
  requirePermission(opts.actor, "staff:manage");
  return db.$transaction((tx) => deactivateStaff(tx, opts));
}

export async function reactivateStaffMember(opts: { actor: Actor; userId: string }) {
  requirePermission(opts.actor, "staff:manage");
  return db.$transaction((tx) => reactivateStaff(tx, opts));
}

export async function issueTemporaryPassword(opts: { actor: Actor; userId: string }) {
  requirePermission(opts.actor, "staff:manage");
  return db.$transaction((tx) => resetStaffPassword(tx, opts));
}

/** No permission to check: every signed-in user may change their own password. */
export async function setOwnPassword(opts: { actor: Actor; input: ChangeOwnPasswordInput }) {
  return db.$transaction((tx) => changeOwnPassword(tx, opts));
}
