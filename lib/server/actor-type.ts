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
