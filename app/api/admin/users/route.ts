import { apiRoute, json, parseWith, readJson } from "@/lib/server/http";
import { addStaffMember, findClinicStaff } from "@/lib/server/staff";
import { CreateStaffSchema } from "@/lib/validation/staff";

export const GET = apiRoute(async ({ actor }) => json({ users: await findClinicStaff({ actor }) }), { permission: "staff:manage" });

/**
 * Not run through runIdempotent: its stored request hash would be an unsalted hash of the
 * initial password. A retried create answers 409 (the email is taken) and stores nothing.
 */
export const POST = apiRoute(async ({ req, actor }) => {
  const input = parseWith(CreateStaffSchema, await readJson(req));
  return json({ user: await addStaffMember({ actor, input }) }, 201);
}, { permission: "staff:manage" });
