import { apiRoute, json, parseWith, readJson } from "@/lib/server/http";
import { assignStaffRole } from "@/lib/server/staff";
import { ChangeRoleSchema } from "@/lib/validation/staff";

export const POST = apiRoute<{ id: string }>(async ({ req, actor, params }) => {
  const input = parseWith(ChangeRoleSchema, await readJson(req));
  return json({ user: await assignStaffRole({ actor, userId: params.id, input }) });
}, { permission: "staff:manage" });
