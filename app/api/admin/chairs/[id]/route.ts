import { apiRoute, json, parseWith, readJson } from "@/lib/server/http";
import { changeChair } from "@/lib/server/chairs";
import { UpdateChairSchema } from "@/lib/validation/chairs";

/** Rename, deactivate ({ active: false }) or reactivate ({ active: true }) a chair. */
export const POST = apiRoute<{ id: string }>(async ({ req, actor, params }) => {
  const input = parseWith(UpdateChairSchema, await readJson(req));
  return json({ chair: await changeChair({ actor, chairId: params.id, input }) });
}, { permission: "chair:manage" });
