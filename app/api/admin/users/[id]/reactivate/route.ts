import { apiRoute, json } from "@/lib/server/http";
import { db } from "@/lib/server/db";
import { reactivateStaff } from "@/lib/server/staff";

export const POST = apiRoute<{ id: string }>(async ({ actor, params }) =>
  json({ user: await db.$transaction((tx) => reactivateStaff(tx, { actor, userId: params.id })) }), { permission: "staff:manage" });
