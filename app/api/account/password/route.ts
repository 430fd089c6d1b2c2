import { apiRoute, json, parseWith, readJson } from "@/lib/server/http";
import { db } from "@/lib/server/db";
import { changeOwnPassword } from "@/lib/server/staff";
import { ChangeOwnPasswordSchema } from "@/lib/validation/staff";

/** The one route a user who must change their password may call. */
export const POST = apiRoute(async ({ req, actor }) => {
  const input = parseWith(ChangeOwnPasswordSchema, await readJson(req));
  return json(await db.$transaction((tx) => changeOwnPassword(tx, { actor, input })));
}, { allowPasswordChange: true });
