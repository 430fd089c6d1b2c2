import "server-only";
import { hkdfSync } from "node:crypto";
import { jwtDecrypt } from "jose";
import { getToken, type JWT } from "next-auth/jwt";
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
    decode: decodeWithCachedKey,
  });
  if (!token) return null;
  return {
    userId: typeof token.userId === "string" ? token.userId : undefined,
    authTime: typeof token.authTime === "number" ? token.authTime : undefined,
    lastSeenAt: typeof token.lastSeenAt === "number" ? token.lastSeenAt : undefined,
  };
}

/**
 * next-auth's own decode derives the AES key from the secret with HKDF on every call (~1 ms
 * of CPU on these machines, on every request). The key depends only on the secret, so it
 * is derived once per secret; the parameters are next-auth 4's (jwt/index.js:
 * getDerivedEncryptionKey: SHA-256, empty salt, its fixed info string, 32 bytes) and
 * session-claims.int.test.ts checks a cookie next-auth encoded decodes to the same claims.
 */
const keys = new Map<string, Uint8Array>();
function encryptionKey(secret: string, salt: string): Uint8Array {
  const cacheKey = `${salt}\u0000${secret}`;
  let key = keys.get(cacheKey);
  if (!key) {
    const info = `NextAuth.js Generated Encryption Key${salt ? ` (${salt})` : ""}`;
    key = new Uint8Array(hkdfSync("sha256", secret, salt, info, 32));
    keys.set(cacheKey, key);
  }
  return key;
}

export async function decodeWithCachedKey(params: { token?: string; secret: string | Buffer; salt?: string }): Promise<JWT | null> {
  if (!params.token) return null;
  const { payload } = await jwtDecrypt(params.token, encryptionKey(String(params.secret), params.salt ?? ""), { clockTolerance: 15 });
  return payload as JWT;
}
