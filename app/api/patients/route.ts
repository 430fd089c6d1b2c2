import { apiRoute, json, parseWith, readJson, runIdempotent } from "@/lib/server/http";
import { findPatients, registerPatient } from "@/lib/server/patients";
import { RegisterPatientSchema } from "@/lib/validation/patient";

export const GET = apiRoute(async ({ req, actor }) => {
  const q = new URL(req.url).searchParams.get("q") ?? undefined;
  return json({ patients: await findPatients({ actor, query: q?.slice(0, 100) }) });
}, { permission: "patient:read" });

export const POST = apiRoute(async ({ req, actor }) => {
  const body = await readJson(req);
  const input = parseWith(RegisterPatientSchema, body);
  return runIdempotent(req, actor, body, async (tx) => ({ status: 201, body: { patient: await registerPatient(tx, { actor, input }) } }));
}, { permission: "patient:register" });
