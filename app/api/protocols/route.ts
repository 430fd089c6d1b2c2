import { apiRoute, json } from "@/lib/server/http";
import { findProtocols } from "@/lib/server/protocols";

export const GET = apiRoute(async ({ actor }) => json({ protocols: await findProtocols({ actor }) }));
