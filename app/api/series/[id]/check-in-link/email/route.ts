import { checkInUrl } from "@/lib/server/check-in-mail";
import { emailCheckInLink } from "@/lib/server/check-ins";
import { apiRoute, json, parseWith, readJson } from "@/lib/server/http";
import { EmailCheckInLinkSchema } from "@/lib/validation/check-in";

/**
 * POST /api/series/{id}/check-in-link/email `{ token, email }` (nurse, physician): emails the
 * link the discharge sheet shows, without issuing a new one (the printed QR keeps working).
 * Answers `{ emailed, expiresAt }`; 409 when email is not set up, the server refuses, or the
 * token is not this series' usable link.
 */
export const POST = apiRoute<{ id: string }>(async ({ req, actor, params }) => {
  const input = parseWith(EmailCheckInLinkSchema, await readJson(req));
  return json(await emailCheckInLink({ actor, seriesId: params.id, token: input.token, email: input.email, urlOf: (token) => checkInUrl(req, token) }));
}, { permission: "check-in:link" });
