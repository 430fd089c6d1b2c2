import { apiRoute, parseWith, readJson, runIdempotent } from "@/lib/server/http";
import { orderSeries } from "@/lib/server/series";
import { OrderSeriesSchema } from "@/lib/validation/series";

export const POST = apiRoute<{ id: string }>(async ({ req, actor, params }) => {
  const body = await readJson(req);
  const input = parseWith(OrderSeriesSchema, body);
  return runIdempotent(req, actor, body, async (tx) => ({ status: 201, body: await orderSeries(tx, { actor, patientId: params.id, input }) }));
}, { permission: "series:order" });
