import { apiRoute, json } from "@/lib/server/http";
import { issueTemporaryPassword } from "@/lib/server/staff";

/** Answers the temporary password once; it is not stored anywhere but as a hash. */
export const POST = apiRoute<{ id: string }>(async ({ actor, params }) =>
  json(await issueTemporaryPassword({ actor, userId: params.id })), { permission: "staff:manage" });
