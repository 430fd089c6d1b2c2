import { auditLinkEmailed, issueCheckInLink } from "@/lib/server/check-ins";
import { db } from "@/lib/server/db";
import { apiRoute, json, parseWith, readJson } from "@/lib/server/http";
import { AppError } from "@/lib/errors";
import { checkInUrl, isEmailConfigured, sendCheckInEmail } from "@/lib/server/check-in-mail";
import { withDeferredAudit } from "@/lib/server/audit";
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
  // refused before anything is issued: an email the clinic cannot send must not revoke the printed link
  if (input.email && !isEmailConfigured())
    throw new AppError("CONFLICT", { userMessage: "Email is not set up for this clinic (SMTP_URL). Print the sheet instead." });
  const issued = await db.$transaction((tx) => withDeferredAudit(tx, () => issueCheckInLink(tx, { actor, seriesId: params.id })));
  const url = checkInUrl(req, issued.token);
  let emailed = false;
  if (input.email) {
    emailed = await sendCheckInEmail({ actor, to: input.email, url, expiresAt: issued.expiresAt });
    if (emailed) await db.$transaction((tx) => withDeferredAudit(tx, () => auditLinkEmailed(tx, { actor, linkId: issued.linkId })));
  }
  return json({ url, expiresAt: issued.expiresAt, emailed });
}, { permission: "check-in:link" });
