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
 * The server's clock acting on a clinic's sessions (raising VITALS_OVERDUE when a gap passes
 * its due time). Not a user: it has no role and passes no permission check, so it can only
 * reach the services written for it (the flag reconciliation, which takes `Actor | SystemActor`),
 * never a route. The reconciliation stores its flags with raisedById "system" and audits them
 * with a null actorId and this name in the row's snapshot, which the hash chain covers
 * (docs/decisions/0011-clock-driven-flags.md "The system actor in the audit chain").
 */
export interface SystemActor {
  kind: "system";
  clinicId: string;
  name: "Titrate clock";
}

export function systemClockActor(clinicId: string): SystemActor {
  return { kind: "system", clinicId, name: "Titrate clock" };
}

/**
 * A patient answering a check-in through their link (docs/decisions/0020-patient-check-ins.md).
 * Not a user and never signed in: the link's token is the only credential, and it reaches only
 * the check-in services, never a route with a permission. Their rows carry enteredById
 * "patient" (PainScore.reportedBy PATIENT) and their audit rows a null actorId with this
 * name and the link id in the snapshot, which the hash chain covers.
 */
export interface PatientActor {
  kind: "patient";
  clinicId: string;
  linkId: string;
  name: "Patient (check-in link)";
}

export function patientLinkActor(clinicId: string, linkId: string): PatientActor {
  return { kind: "patient", clinicId, linkId, name: "Patient (check-in link)" };
}
