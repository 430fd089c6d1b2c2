import { apiRoute, json, parseWith, readJson } from "@/lib/server/http";
import { findPatients } from "@/lib/server/patients";
import { PatientSearchSchema } from "@/lib/validation/patient-search";

/** POST, not GET ?q=: the query is patient data and must not appear in a URL. Reads only. */
export const POST = apiRoute(async ({ req, actor }) => {
  const input = parseWith(PatientSearchSchema, await readJson(req));
  return json({ patients: await findPatients({ actor, query: input.q, route: "POST /api/patients/search" }) });
}, { permission: "patient:read" });
