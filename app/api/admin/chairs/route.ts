import { apiRoute, json, parseWith, readJson } from "@/lib/server/http";
import { addChair, findClinicChairs } from "@/lib/server/chairs";
import { CreateChairSchema } from "@/lib/validation/chairs";

export const GET = apiRoute(async ({ actor }) => json({ chairs: await findClinicChairs({ actor }) }), { permission: "chair:manage" });

/** A retried create answers 409 (the name is taken) and stores nothing. */
export const POST = apiRoute(async ({ req, actor }) => {
  const input = parseWith(CreateChairSchema, await readJson(req));
  return json({ chair: await addChair({ actor, input }) }, 201);
}, { permission: "chair:manage" });
