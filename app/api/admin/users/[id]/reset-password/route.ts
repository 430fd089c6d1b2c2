import { apiRoute, json } from "@/lib/server/http";
import { db } from "@/lib/server/db";
import { resetStaffPassword } from "@/lib/server/staff";

/** Answers the temporary password once; it is not stored anywhere but as a hash. */
export const POST = apiRoute<{ id: string }>(async ({ actor, params }) =>
  json(await db.$transaction((tx) => resetStaffPassword(tx, { actor, userId: params.id }))), { permission: "staff:manage" });
