import { checkInUrl } from "@/lib/server/check-in-mail";
import { issueCheckInLinkForRoute } from "@/lib/server/check-ins";
import { apiRoute, json, parseWith, readJson } from "@/lib/server/http";
import { IssueCheckInLinkSchema } from "@/lib/validation/check-in";

/**
 * POST /api/series/{id}/check-in-link `{ email? }` (nurse, physician): issues the series'
 * check-in link, revoking the previous one, and answers `{ url, expiresAt, emailed }`. With an
 * email and SMTP_URL set, the link is also emailed. Not idempotent by key on purpose: the
 * answer carries the token, which must never be stored (an idempotency record would keep it);
 * a retry simply issues a fresh link.
 */
export const POST = apiRoute<{ id: string }>(async ({ req, actor, params }) => {
  const input = parseWith(IssueCheckInLinkSchema, await readJson(req));
  return json(await issueCheckInLinkForRoute({ actor, seriesId: params.id, email: input.email, urlOf: (token) => checkInUrl(req, token) }));
}, { permission: "check-in:link" });
