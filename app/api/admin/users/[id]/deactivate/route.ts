import { apiRoute, json } from "@/lib/server/http";
import { deactivateStaffMember } from "@/lib/server/staff";

export const POST = apiRoute<{ id: string }>(async ({ actor, params }) =>
  json({ user: await deactivateStaffMember({ actor, userId: params.id }) }), { permission: "staff:manage" });
