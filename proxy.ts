import { withAuth } from "next-auth/middleware";

/**
 * Only sends signed-out visitors of pages to /login. Authorization happens on the server in
 * every page, handler and service (lib/server/actor.ts); API routes answer 401 JSON
 * themselves, so /api is outside this matcher (withAuth would answer them with a redirect).
 */
export default withAuth({ pages: { signIn: "/login" } });

export const config = {
  matcher: ["/((?!api|login|_next/static|_next/image|favicon.ico|fonts).*)"],
};
