import type { Role } from "@/lib/permissions";

/**
 * Who is acting: resolved from the session on every request (actor.ts), then re-checked in
 * the database. Its own module so that the audit writer, which every service uses, does not
 * import the session machinery in actor.ts.
 */
export interface Actor {
  userId: string;
  clinicId: string;
  role: Role;
  name: string;
  email: string;
  clinicTimezone: string;
  /** set after an administrator created the account or reset its password: only the
   *  password change is allowed until the user chooses their own */
  mustChangePassword?: boolean;
}

/**
 * The id the clock writes where a user id goes (AuditEvent.actorId, Flag.raisedById,
 * Flag.resolvedById). Neither column references User, and the audit hash covers actorId, so
 * the chain records that the clock acted, not a blank (a null actorId already means a
 * sign-in event with no user). It can never collide with a user id: ids are cuids, with no
 * colon. docs/decisions/0011-clock-driven-flags.md "The system actor in the audit chain".
 */
export const SYSTEM_CLOCK_ACTOR_ID = "system:titrate-clock";

/**
 * The server's clock acting on a clinic's sessions (raising VITALS_OVERDUE when a gap passes
 * its due time). Not a user: it holds no role and passes no permission check, so it can only
 * reach the services written for it (the flag reconciliation), never a route.
 */
export interface SystemActor {
  kind: "system";
  userId: typeof SYSTEM_CLOCK_ACTOR_ID;
  clinicId: string;
  name: "Titrate clock";
}

/** Whoever may write flags and audit rows: a signed-in user, or the clock. */
export type WriteActor = Actor | SystemActor;

export function systemClockActor(clinicId: string): SystemActor {
  return { kind: "system", userId: SYSTEM_CLOCK_ACTOR_ID, clinicId, name: "Titrate clock" };
}

export function isSystemActor(actor: WriteActor): actor is SystemActor {
  return "kind" in actor && actor.kind === "system";
}
