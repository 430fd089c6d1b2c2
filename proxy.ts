import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";

/**
 * Runs before every page (not /api, not static files):
 * 1. sends signed-out visitors to /login. Authorization happens on the server in every page,
 *    handler and service (lib/server/actor.ts); this is only the front door.
 * 2. sets a strict Content-Security-Policy with a fresh nonce per request: scripts run only
 *    if Next marked them with the nonce ('strict-dynamic' lets those load their chunks), so
 *    an injected <script> never runs. Next reads the nonce from the request's CSP header.
 *    Inline style attributes stay allowed (recharts and React set them); they cannot run code.
 */
export async function proxy(req: NextRequest) {
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const dev = process.env.NODE_ENV !== "production";
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${dev ? " ws:" : ""}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
    // the offline service worker (public/sw.js, decision 0017): 'strict-dynamic' ignores 'self' for scripts
    "worker-src 'self'",
  ].join("; ");

  const { pathname, search } = req.nextUrl;
  // the patient's check-in page has no sign-in: its token is the credential (decision 0020)
  const isPublic = pathname === "/login" || /^\/check-in\/[^/]+$/.test(pathname);
  if (!isPublic) {
    const token = await getToken({ req, secret: process.env.NEXTAUTH_SECRET });
    if (!token) {
      const url = req.nextUrl.clone();
      url.pathname = "/login";
      url.search = `?callbackUrl=${encodeURIComponent(pathname + search)}`;
      return NextResponse.redirect(url);
    }
  }
  const requestHeaders = new Headers(req.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", csp);
  const res = NextResponse.next({ request: { headers: requestHeaders } });
  res.headers.set("Content-Security-Policy", csp);
  return res;
}

export const config = {
  matcher: [
    {
      source: "/((?!api|_next/static|_next/image|favicon.ico|sw.js).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
