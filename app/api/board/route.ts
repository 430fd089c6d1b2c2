import { apiRoute, json } from "@/lib/server/http";
import { getBoard } from "@/lib/server/board";

export const GET = apiRoute(async ({ actor }) => json(await getBoard({ actor, route: "GET /api/board" })), { permission: "board:read" });
