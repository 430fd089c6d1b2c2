/**
 * The one role -> permission table. Pure: used by the server to decide and by the UI to
 * hide controls (hiding is cosmetic; every service calls requirePermission).
 */
export type Role = "NURSE" | "PHYSICIAN" | "ADMIN";

export const PERMISSIONS = {
  "patient:read": ["NURSE", "PHYSICIAN", "ADMIN"],
  "patient:register": ["NURSE", "PHYSICIAN"],
  "series:order": ["PHYSICIAN"],
  "session:start": ["NURSE", "PHYSICIAN"],
  "session:chart": ["NURSE", "PHYSICIAN"],
  "session:complete": ["NURSE", "PHYSICIAN"],
  "session:sign": ["NURSE", "PHYSICIAN"],
  "session:addendum": ["NURSE", "PHYSICIAN"],
  // Only physicians acknowledge flags and override hard limits (pump drug-library practice).
  "flag:acknowledge": ["PHYSICIAN"],
  "review:sign": ["PHYSICIAN"],
  "protocol:read": ["NURSE", "PHYSICIAN", "ADMIN"],
  "protocol:manage": ["ADMIN"],
  "staff:manage": ["ADMIN"],
  "chair:manage": ["ADMIN"],
  // Registering bedside monitors and seeing what they sent (docs/decisions/0021-monitor-vitals-over-hl7.md).
  "device:manage": ["ADMIN"],
  // The chair board shows every running infusion of the clinic: the nurses who chart them,
  // the supervising physician and the administrator (docs/decisions/0013-chairs-and-the-board.md).
  "board:read": ["NURSE", "PHYSICIAN", "ADMIN"],
  "session:move-chair": ["NURSE", "PHYSICIAN"],
  // The discharge sheet's check-in link: issued, emailed or revoked by the staff who discharge
  // the patient (docs/decisions/0020-patient-check-ins.md).
  "check-in:link": ["NURSE", "PHYSICIAN"],
  "clinic:settings": ["ADMIN"],
  "audit:read": ["ADMIN"],
  "export:sessions": ["PHYSICIAN", "ADMIN"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(actor: { role: Role } | null | undefined, permission: Permission): boolean {
  if (!actor) return false;
  return (PERMISSIONS[permission] as readonly Role[]).includes(actor.role);
}

export const ROLE_LABELS: Record<Role, string> = {
  NURSE: "Nurse",
  PHYSICIAN: "Physician",
  ADMIN: "Clinic administrator",
};
