import { countExportSessions } from "@/lib/server/exports";
import { apiRoute, json, parseWith } from "@/lib/server/http";
import { ExportFilterSchema, queryObject } from "@/lib/validation/export";

export const dynamic = "force-dynamic";

/** GET /api/exports/sessions/count?from=&to=&protocolId=&patientId=&status= -> { count } */
export const GET = apiRoute(async ({ req, actor }) => {
  const filter = parseWith(ExportFilterSchema, queryObject(new URL(req.url).searchParams));
  return json({ count: await countExportSessions({ actor, filter }) });
}, { permission: "export:sessions" });
