import { apiRoute, parseWith, readJson, runIdempotent } from "@/lib/server/http";
import { rejectDeviceVitals } from "@/lib/server/devices";
import { RejectDeviceVitalsSchema } from "@/lib/validation/devices";

/** The nurse rejects a monitor reading with a reason (probe off, patient moving): nothing is charted. */
export const POST = apiRoute<{ id: string; readingId: string }>(async ({ req, actor, params }) => {
  const body = await readJson(req);
  const input = parseWith(RejectDeviceVitalsSchema, body);
  return runIdempotent(req, actor, body, async (tx) => ({
    status: 200, body: await rejectDeviceVitals(tx, { actor, sessionId: params.id, readingId: params.readingId, input }),
  }));
}, { permission: "session:chart" });
