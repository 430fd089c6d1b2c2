import { apiRoute, parseWith, readJson, runIdempotent } from "@/lib/server/http";
import { acceptDeviceVitals } from "@/lib/server/devices";
import { AcceptDeviceVitalsSchema } from "@/lib/validation/devices";

/** The nurse accepts a monitor reading as measured: a charted vitals set with the monitor as source. */
export const POST = apiRoute<{ id: string; readingId: string }>(async ({ req, actor, params }) => {
  const body = await readJson(req);
  const input = parseWith(AcceptDeviceVitalsSchema, body);
  return runIdempotent(req, actor, body, async (tx) => ({
    status: 201, body: await acceptDeviceVitals(tx, { actor, sessionId: params.id, readingId: params.readingId, input }),
  }));
}, { permission: "session:chart" });
