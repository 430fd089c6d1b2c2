import { apiRoute, json, parseWith, readJson } from "@/lib/server/http";
import { setOwnPassword } from "@/lib/server/staff";
import { ChangeOwnPasswordSchema } from "@/lib/validation/staff";

/** The one route a user who must change their password may call. */
export const POST = apiRoute(async ({ req, actor }) => {
  const input = parseWith(ChangeOwnPasswordSchema, await readJson(req));
  return json(await setOwnPassword({ actor, input }));
}, { allowPasswordChange: true });
