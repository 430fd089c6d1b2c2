import { AppError } from "@/lib/errors";
import { apiRoute, json, parseWith, readJson, runIdempotent } from "@/lib/server/http";
import { findPatients, registerPatient } from "@/lib/server/patients";
import { RegisterPatientSchema } from "@/lib/validation/patient";

/**
 * Lists the clinic's patients. A search query is refused here: a name or MRN in a URL lands
 * in access logs, proxies and Referer headers. Search with POST /api/patients/search.
 */
export const GET = apiRoute(async ({ req, actor }) => {
  if (new URL(req.url).searchParams.has("q"))
    throw new AppError("BAD_INPUT", {
      userMessage: "Patient data does not go in URLs: search with POST /api/patients/search and { q } in the body.",
      fields: { q: "send in the body of POST /api/patients/search" },
    });
  return json({ patients: await findPatients({ actor, route: "GET /api/patients" }) });
}, { permission: "patient:read" });

export const POST = apiRoute(async ({ req, actor }) => {
  const body = await readJson(req);
  const input = parseWith(RegisterPatientSchema, body);
  return runIdempotent(req, actor, body, async (tx) => ({ status: 201, body: { patient: await registerPatient(tx, { actor, input }) } }));
}, { permission: "patient:register" });
