import { apiRoute, json, parseWith, readJson } from "@/lib/server/http";
import { db } from "@/lib/server/db";
import { changeStaffRole } from "@/lib/server/staff";
import { ChangeRoleSchema } from "@/lib/validation/staff";

export const POST = apiRoute<{ id: string }>(async ({ req, actor, params }) => {
  const input = parseWith(ChangeRoleSchema, await readJson(req));
  return json({ user: await db.$transaction((tx) => changeStaffRole(tx, { actor, userId: params.id, input })) });
}, { permission: "staff:manage" });
