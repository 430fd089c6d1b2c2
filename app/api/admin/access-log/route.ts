import { findAccessLog } from "@/lib/server/access-log";
import { apiRoute, json, parseWith } from "@/lib/server/http";
import { AccessLogQuerySchema } from "@/lib/validation/access-log";

/** The access report: ?patientId=&userId=&from=&to=&cursor=&limit= (admins; docs/decisions/0019). */
export const GET = apiRoute(async ({ req, actor }) => {
  const params = Object.fromEntries([...new URL(req.url).searchParams].filter(([, v]) => v.trim() !== ""));
  const query = parseWith(AccessLogQuerySchema, params);
  return json(await findAccessLog({ actor, query, route: "GET /api/admin/access-log" }));
}, { permission: "audit:read" });
