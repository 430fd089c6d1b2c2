import { apiRoute, json } from "@/lib/server/http";
import { getSessionChart } from "@/lib/server/sessions";

export const GET = apiRoute<{ id: string }>(async ({ actor, params }) => json({ session: await getSessionChart({ actor, sessionId: params.id, route: "GET /api/sessions/[id]" }) }), { permission: "patient:read" });
