import { apiRoute, json } from "@/lib/server/http";
import { reactivateStaffMember } from "@/lib/server/staff";

export const POST = apiRoute<{ id: string }>(async ({ actor, params }) =>
  json({ user: await reactivateStaffMember({ actor, userId: params.id }) }), { permission: "staff:manage" });
