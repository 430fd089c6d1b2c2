import { limitCheckInRequest, submitCheckIn } from "@/lib/server/check-ins";
import { clientAddress, errorResponse, json, parseWith, readJson } from "@/lib/server/http";
import { CheckInSchema } from "@/lib/validation/check-in";

/**
 * POST /api/check-in/{token} (public, no sign-in; the token is the credential): a patient's
 * check-in. Rate-limited per address and per token before anything else is read; an unknown,
 * expired or revoked token answers the same 404 as every other (decision 0020).
 */
export async function POST(req: Request, ctx: { params: Promise<{ token: string }> }): Promise<Response> {
  try {
    const { token } = await ctx.params;
    const now = new Date();
    await limitCheckInRequest({ token, address: clientAddress(req), now, countToken: true });
    const input = parseWith(CheckInSchema, await readJson(req));
    const result = await submitCheckIn({ token, input, now });
    return json(result, 201);
  } catch (err) {
    return errorResponse(err);
  }
}
