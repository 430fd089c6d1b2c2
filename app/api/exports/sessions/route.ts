import { openSessionExport } from "@/lib/server/exports";
import { apiRoute, parseWith } from "@/lib/server/http";
import { ExportQuerySchema, queryObject } from "@/lib/validation/export";

// Streams: never cached, never pre-rendered.
export const dynamic = "force-dynamic";

/**
 * GET /api/exports/sessions?format=csv|fhir|pdf&from=&to=&protocolId=&patientId=&status=
 * A bad filter answers 400 before anything streams; X-Total-Count lets a client show progress.
 */
export const GET = apiRoute(async ({ req, actor }) => {
  const query = parseWith(ExportQuerySchema, queryObject(new URL(req.url).searchParams));
  const exp = await openSessionExport({ actor, query, route: "GET /api/exports/sessions" });
  return new Response(exp.stream, {
    status: 200,
    headers: {
      "Content-Type": exp.contentType,
      "Content-Disposition": `attachment; filename="${exp.fileName}"`,
      "X-Total-Count": String(exp.total),
      "X-Export-Id": exp.exportId,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}, { permission: "export:sessions" });
