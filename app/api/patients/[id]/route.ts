import { apiRoute, json } from "@/lib/server/http";
import { getPatient } from "@/lib/server/patients";

export const GET = apiRoute<{ id: string }>(async ({ actor, params }) => json({ patient: await getPatient({ actor, patientId: params.id, route: "GET /api/patients/[id]" }) }), { permission: "patient:read" });
