import "server-only";
import { getToken } from "next-auth/jwt";
import { cookies } from "next/headers";

/** What the signed session cookie says: who signed in, when, and when last active. */
export interface SessionClaims {
  userId?: string;
  /** sign-in time, seconds since the epoch */
  authTime?: number;
  /** last activity the browser reported, seconds since the epoch */
  lastSeenAt?: number;
}

/**
 * Decodes the session cookie (JWE, NEXTAUTH_SECRET) of the current request. Cheaper than
 * next-auth's getServerSession, which also runs the callbacks and re-encrypts a new token on
 * every call: this runs on every API request and page, so it only reads.
 */
export async function readSessionClaims(): Promise<SessionClaims | null> {
  const jar = await cookies();
  if (jar.size === 0) return null;
  // getToken reads the (possibly chunked) session cookie from a request's `cookies`.
  const token = await getToken({
    req: { cookies: jar, headers: {} } as unknown as Parameters<typeof getToken>[0]["req"],
    secret: process.env.NEXTAUTH_SECRET,
  });
  if (!token) return null;
  return {
    userId: typeof token.userId === "string" ? token.userId : undefined,
    authTime: typeof token.authTime === "number" ? token.authTime : undefined,
    lastSeenAt: typeof token.lastSeenAt === "number" ? token.lastSeenAt : undefined,
  };
}
