import { apiRoute } from "@/lib/server/http";
import { openEventStream } from "@/lib/server/events";

// A stream, never cached or prerendered.
export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ req, actor }) =>
  openEventStream({ actor, signal: req.signal, lastEventId: req.headers.get("last-event-id") }));
