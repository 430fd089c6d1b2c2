// Session lifetimes, shared by the next-auth configuration (auth.ts) and the server's
// per-request check (lib/server/actor.ts). A module of its own so that neither imports the
// other: auth.ts reaches lib/server through sign-in, and lib/server must not import auth.ts.

/** Absolute session lifetime: a shift. After it, sign in again whatever the activity. */
export const ABSOLUTE_SESSION_HOURS = 12;

/**
 * The JWT's own expiry. Idle sign-out (clinic setting, 15 min by default) is enforced by
 * requireActor from `lastSeenAt`, which the browser refreshes on user activity.
 */
export const JWT_MAX_AGE_S = 60 * 60;
