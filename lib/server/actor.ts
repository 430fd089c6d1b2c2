import "server-only";
import { cache } from "react";
import { ABSOLUTE_SESSION_HOURS } from "@/lib/session-policy";
import { AppError } from "@/lib/errors";
import { can, type Permission } from "@/lib/permissions";
import type { Actor } from "./actor-type";
import { db } from "./db";
import { getEventHub } from "./events";
import { readSessionClaims } from "./session-claims";
import { UserCache, type SignInFacts } from "./user-cache";

export type { Actor };

/**
 * The signed-in user, or null when there is no valid session: no cookie, the account was
 * deactivated since sign-in, the shift-long absolute lifetime passed, or the clinic's idle
 * sign-out time passed since the last activity.
 */
export async function currentActor(now = Date.now()): Promise<Actor | null> {
  const claims = await readSessionClaims();
  const userId = claims?.userId;
  if (!userId || !claims?.authTime) return null;
  const nowS = Math.floor(now / 1000);
  if (nowS - claims.authTime > ABSOLUTE_SESSION_HOURS * 3600) return null;
  // Cached per instance, dropped the moment the database announces a change to the user or
  // the clinic (lib/server/user-cache.ts): deactivation and role changes still take effect at once.
  const user = await getUserCache().get(userId);
  if (!user || !user.active) return null;
  if (claims.lastSeenAt && nowS - claims.lastSeenAt > user.idleSignOutMin * 60) return null;
  return {
    userId: user.id,
    clinicId: user.clinicId,
    role: user.role,
    name: user.name,
    email: user.email,
    clinicTimezone: user.timezone,
    mustChangePassword: user.mustChangePassword,
  };
}

/** The database read behind the cache: one indexed round trip. */
export async function loadSignInFacts(userId: string): Promise<SignInFacts | null> {
  const rows = await db.$queryRaw<SignInFacts[]>`
    SELECT u.id, u."clinicId", u.role::text AS role, u.name, u.email, u.active, u."mustChangePassword", c.timezone, c."idleSignOutMin"
      FROM "User" u JOIN "Clinic" c ON c.id = u."clinicId"
     WHERE u.id = ${userId}`;
  return rows[0] ?? null;
}

const globalForCache = globalThis as unknown as { titrateUserCache?: UserCache };

/** This process's user cache, fed by this process's event hub (one per instance, shared by every route bundle). */
export function getUserCache(): UserCache {
  return (globalForCache.titrateUserCache ??= new UserCache(getEventHub(), loadSignInFacts));
}

/**
 * The layout and the page of one render both ask who is signed in: React's per-request
 * cache answers the second from the first (one cookie decryption and one query per page, not
 * two). Only pages use it; route handlers run outside a render and call currentActor.
 */
const currentPageActor = cache(() => currentActor());

/** The page where a user with mustChangePassword is sent, and the only one they may use. */
export const PASSWORD_CHANGE_PATH = "/account/password";

/**
 * For route handlers and services: throws 401 when signed out, and 403
 * PASSWORD_CHANGE_REQUIRED while the user must replace an administrator-set password
 * (unless the route is the password change itself).
 */
export async function requireApiActor(opts: { allowPasswordChange?: boolean } = {}): Promise<Actor> {
  const actor = await currentActor();
  if (!actor) throw new AppError("UNAUTHENTICATED", { userMessage: "Sign in to continue." });
  if (actor.mustChangePassword && !opts.allowPasswordChange)
    throw new AppError("PASSWORD_CHANGE_REQUIRED", { userMessage: "Set a new password before continuing." });
  return actor;
}

export function requirePermission(actor: Actor, permission: Permission): void {
  if (!can(actor, permission))
    throw new AppError("FORBIDDEN", {
      message: `${actor.role} ${actor.userId} lacks ${permission}`,
      userMessage: "Your role does not allow this action.",
    });
}

/**
 * For pages and layouts: redirects to /login when signed out, and to the password change
 * while the user must set a new password (nothing else is shown until they do).
 */
export async function requirePageActor(): Promise<Actor> {
  const actor = await currentPageActor();
  if (!actor || actor.mustChangePassword) {
    const { redirect } = await import("next/navigation");
    redirect(actor ? PASSWORD_CHANGE_PATH : "/login");
  }
  return actor as Actor;
}
