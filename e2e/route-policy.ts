/**
 * Who may call what: one entry per API route method and per page, checked by
 * e2e/authz-matrix.spec.ts against the routes found in app/ (a route without an entry fails
 * the test). Roles come from lib/permissions.ts, the same table the server decides with.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { PERMISSIONS, type Permission, type Role } from "../lib/permissions";

/** Real ids of Demo Pain Clinic records, filled into path parameters. */
export type Ids = {
  patientId: string;
  seriesId: string;
  /** an IN_PROGRESS session of the Demo clinic (charting routes answer 400/409, never store) */
  sessionId: string;
  vitalsId: string;
  flagId: string;
  protocolId: string;
  protocolVersionId: string;
  /** a throwaway Demo clinic user made for this run (deactivated, reset... by the matrix) */
  userId: string;
  /** a throwaway Demo clinic protocol made for this run (retired by the matrix) */
  spareProtocolId: string;
  /** an active chair of the Demo clinic */
  chairId: string;
  /** a monitor of the Demo clinic */
  deviceId: string;
  /** an already validated monitor reading of `sessionId`: accept/reject answer 409, never store */
  deviceReadingId: string;
};

export type ApiPolicy = {
  /** who passes the role check; "signed-in" = every role; "public" = no sign-in needed */
  permission: Permission | "signed-in" | "public";
  /** the path names a Demo clinic record: a user of another clinic gets 404 */
  scoped: boolean;
  /** a VALID body, so that a refusal is the permission's decision, not validation's */
  body?: (ids: Ids) => unknown;
  /**
   * What an allowed role sends so that the call passes authorization without storing
   * anything of value: "invalid" sends {} (expect 400), "as-is" sends `body` (or nothing).
   */
  allowedProbe: "invalid" | "as-is";
  /**
   * A public route's exact answer to the matrix's probe (its path's unknown token), and the
   * tables that answer may change (the rate-limit counters); any other change fails the cell.
   */
  publicAnswer?: { status: number; mayChange: string[] };
  /** a POST that only reads (search): no audit row expected */
  readOnly?: true;
  /** a Server-Sent Events stream: the matrix reads its status and headers, then hangs up */
  stream?: true;
  /**
   * Shows the chart of the path's record (the Demo patient of Ids): an allowed call must leave
   * an access row naming that patient, with this route (docs/decisions/0019). Beyond these,
   * every allowed answer that shows any patient's MRN must leave an access row naming them.
   */
  readsPatientRecord?: true;
};

const now = () => new Date().toISOString();
const vitalsBody = () => ({ at: now(), systolicMmHg: 120, diastolicMmHg: 80, heartRatePerMin: 70, spo2Pct: 98, respRatePerMin: 14 });

/** key: "METHOD /api/path/[param]" as derived from app/api/** /route.ts */
export const API_POLICY: Record<string, ApiPolicy> = {
  "POST /api/account/password": { permission: "signed-in", scoped: false, allowedProbe: "invalid",
    body: () => ({ currentPassword: "titrate-demo", newPassword: "a-new-long-passphrase-9", confirmPassword: "a-new-long-passphrase-9" }) },
  "GET /api/admin/access-log": { permission: "audit:read", scoped: false, allowedProbe: "as-is" },
  "GET /api/admin/clinic": { permission: "clinic:settings", scoped: false, allowedProbe: "as-is" },
  "GET /api/admin/chairs": { permission: "chair:manage", scoped: false, allowedProbe: "as-is" },
  "POST /api/admin/chairs": { permission: "chair:manage", scoped: false, allowedProbe: "invalid", body: () => ({ name: `Matrix chair ${Date.now()}` }) },
  "POST /api/admin/chairs/[id]": { permission: "chair:manage", scoped: true, allowedProbe: "invalid", body: () => ({ active: false }) },
  "GET /api/admin/devices": { permission: "device:manage", scoped: false, allowedProbe: "as-is" },
  "POST /api/admin/devices": { permission: "device:manage", scoped: false, allowedProbe: "invalid", body: () => ({ identifier: `MATRIX-${Date.now()}`, name: "Matrix monitor" }) },
  "POST /api/admin/devices/[id]": { permission: "device:manage", scoped: true, allowedProbe: "invalid", body: () => ({ name: "Matrix monitor renamed" }) },
  "POST /api/admin/clinic": { permission: "clinic:settings", scoped: false, allowedProbe: "invalid", body: () => ({ idleSignOutMin: 30 }) },
  "POST /api/admin/users/[id]/deactivate": { permission: "staff:manage", scoped: true, allowedProbe: "as-is" },
  "POST /api/admin/users/[id]/reactivate": { permission: "staff:manage", scoped: true, allowedProbe: "as-is" },
  "POST /api/admin/users/[id]/reset-password": { permission: "staff:manage", scoped: true, allowedProbe: "as-is" },
  "POST /api/admin/users/[id]/role": { permission: "staff:manage", scoped: true, allowedProbe: "invalid", body: () => ({ role: "ADMIN" }) },
  "GET /api/admin/users": { permission: "staff:manage", scoped: false, allowedProbe: "as-is" },
  "POST /api/admin/users": { permission: "staff:manage", scoped: false, allowedProbe: "invalid",
    body: () => ({ name: "Matrix Intruder", email: `intruder-${Date.now()}@demo.clinic`, role: "ADMIN", password: "a-long-enough-passphrase-7" }) },
  "GET /api/board": { permission: "board:read", scoped: false, allowedProbe: "as-is" },
  "GET /api/auth/[...nextauth]": { permission: "public", scoped: false, allowedProbe: "as-is" },
  "POST /api/auth/[...nextauth]": { permission: "public", scoped: false, allowedProbe: "as-is", readOnly: true },
  "GET /api/events": { permission: "signed-in", scoped: false, allowedProbe: "as-is", stream: true },
  "GET /api/exports/sessions/count": { permission: "export:sessions", scoped: false, allowedProbe: "as-is" },
  "GET /api/exports/sessions": { permission: "export:sessions", scoped: false, allowedProbe: "as-is" },
  "POST /api/flags/[id]/acknowledge": { permission: "flag:acknowledge", scoped: true, allowedProbe: "invalid", body: () => ({ reason: "matrix check" }) },
  "POST /api/flags/acknowledge": { permission: "flag:acknowledge", scoped: false, allowedProbe: "invalid",
    body: (ids) => ({ flagIds: [ids.flagId], reason: "matrix check" }) },
  "GET /api/patients/[id]": { permission: "patient:read", scoped: true, allowedProbe: "as-is", readsPatientRecord: true },
  "POST /api/patients/[id]/series": { permission: "series:order", scoped: true, allowedProbe: "invalid",
    body: (ids) => ({ protocolVersionId: ids.protocolVersionId, plannedSessions: 3, startDate: now().slice(0, 10), screeningOverrideReason: "matrix check" }) },
  "GET /api/patients": { permission: "patient:read", scoped: false, allowedProbe: "as-is" },
  "POST /api/patients": { permission: "patient:register", scoped: false, allowedProbe: "invalid",
    body: () => ({ mrn: `MX-${Date.now()}`, givenName: "Matrix", familyName: "Intruder", birthDate: "1970-01-01", sex: "UNKNOWN" }) },
  "POST /api/patients/search": { permission: "patient:read", scoped: false, allowedProbe: "as-is", readOnly: true, body: () => ({ q: "a" }) },
  "POST /api/protocols/[id]/retire": { permission: "protocol:manage", scoped: true, allowedProbe: "as-is" },
  "POST /api/protocols/[id]/versions": { permission: "protocol:manage", scoped: true, allowedProbe: "invalid",
    body: () => ({ doseBasis: "RATE_PER_KG", hardMaxRateMgPerKgPerH: 1, hardMaxBolusMgPerKg: 1, sourceDocument: "matrix", sourceWording: "matrix check" }) },
  "GET /api/protocols": { permission: "protocol:read", scoped: false, allowedProbe: "as-is" },
  "POST /api/protocols": { permission: "protocol:manage", scoped: false, allowedProbe: "invalid",
    body: () => ({ name: `Matrix ${Date.now()}`, indication: "test", route: "IV", doseBasis: "RATE_PER_KG", hardMaxRateMgPerKgPerH: 1, hardMaxBolusMgPerKg: 1, sourceDocument: "matrix", sourceWording: "matrix check" }) },
  "POST /api/series/[id]/close": { permission: "series:order", scoped: true, allowedProbe: "invalid", body: () => ({ outcome: "CANCELLED", reason: "Matrix: must never land" }) },
  "GET /api/series/[id]/reviews": { permission: "patient:read", scoped: true, allowedProbe: "as-is", readsPatientRecord: true },
  "POST /api/series/[id]/reviews": { permission: "review:sign", scoped: true, allowedProbe: "invalid", body: () => ({ note: "Matrix review note" }) },
  "POST /api/series/[id]/sessions": { permission: "session:start", scoped: true, allowedProbe: "invalid",
    body: () => ({ weightKg: 70, concentrationMgPerMl: 1, consentConfirmed: true, screeningReviewed: true }) },
  "GET /api/series/[id]/summary": { permission: "patient:read", scoped: true, allowedProbe: "as-is", readsPatientRecord: true },
  // {} is a valid body (no email): an allowed caller issues a link for the Demo series, audited
  "POST /api/series/[id]/check-in-link": { permission: "check-in:link", scoped: true, allowedProbe: "as-is", body: () => ({}) },
  "POST /api/series/[id]/check-in-link/revoke": { permission: "check-in:link", scoped: true, allowedProbe: "as-is", body: () => ({}) },
  // a well-formed token that is no link: an allowed caller gets 409 (nothing sent, nothing stored)
  "POST /api/series/[id]/check-in-link/email": { permission: "check-in:link", scoped: true, allowedProbe: "invalid",
    body: () => ({ token: "M".repeat(22), email: "matrix@example.test" }) },
  // public: the token is the credential; an unknown token answers the neutral 404 to everyone
  "POST /api/check-in/[token]": { permission: "public", scoped: false, allowedProbe: "as-is",
    body: () => ({ painNrs: 4, enjoymentNrs: 5, activityNrs: 5, sideEffects: [] }), publicAnswer: { status: 404, mayChange: ["CheckInRateLimit"] } },
  "POST /api/sessions/[id]/[kind]/[entryId]/retract": { permission: "session:chart", scoped: true, allowedProbe: "invalid",
    body: () => ({ correctionReason: "matrix check" }) },
  "POST /api/sessions/[id]/addenda": { permission: "session:addendum", scoped: true, allowedProbe: "invalid", body: () => ({ text: "matrix addendum" }) },
  "POST /api/sessions/[id]/chair": { permission: "session:move-chair", scoped: true, allowedProbe: "invalid", body: (ids) => ({ chairId: ids.chairId, reason: "matrix check" }) },
  "POST /api/sessions/[id]/complete": { permission: "session:complete", scoped: true, allowedProbe: "invalid", body: () => ({ dischargeReady: true }) },
  "POST /api/sessions/[id]/dose-events": { permission: "session:chart", scoped: true, allowedProbe: "invalid",
    body: () => ({ type: "RATE_CHANGE", at: now(), rateMgPerKgPerH: 0.2, reason: "matrix" }) },
  // the reading is already validated: an allowed caller gets 409 (or 400 for the empty reject), nothing stored
  "POST /api/sessions/[id]/device-vitals/[readingId]/accept": { permission: "session:chart", scoped: true, allowedProbe: "as-is", body: () => ({}) },
  "POST /api/sessions/[id]/device-vitals/[readingId]/reject": { permission: "session:chart", scoped: true, allowedProbe: "invalid", body: () => ({ reason: "Matrix check: probe off" }) },
  "POST /api/sessions/[id]/opened-at": { permission: "session:chart", scoped: true, allowedProbe: "invalid",
    body: () => ({ openedAt: new Date(Date.now() - 60 * 60_000).toISOString(), lateEntryReason: "matrix check" }) },
  "POST /api/sessions/[id]/pain": { permission: "session:chart", scoped: true, allowedProbe: "invalid", body: () => ({ at: now(), score: 4, scale: "NRS", phase: "INTRA" }) },
  "GET /api/sessions/[id]": { permission: "patient:read", scoped: true, allowedProbe: "as-is", readsPatientRecord: true },
  "POST /api/sessions/[id]/side-effects": { permission: "session:chart", scoped: true, allowedProbe: "invalid", body: () => ({ at: now(), kind: "DISSOCIATION", severity: 1 }) },
  "POST /api/sessions/[id]/sign": { permission: "session:sign", scoped: true, allowedProbe: "invalid", body: () => ({}) },
  "POST /api/sessions/[id]/vitals": { permission: "session:chart", scoped: true, allowedProbe: "invalid", body: vitalsBody },
};

export type PagePolicy = {
  /** "signed-in": every role; a permission: other roles see a "not available" notice (or 403/404) */
  permission: Permission | "signed-in" | "public";
  scoped: boolean;
  /**
   * Another clinic's id shows this notice (200) instead of a 404. Only where the page looks
   * the id up in the actor's own clinic's worklist and shows nothing of the record.
   */
  otherClinicNotice?: RegExp;
  /** an allowed caller may be redirected here instead of getting a 200 (the nurse's home opens the board while sessions run) */
  allowedRedirect?: RegExp;
  /** as ApiPolicy.readsPatientRecord; the access row's route is "page <pattern>" */
  readsPatientRecord?: true;
  /** a public page's answer to the matrix's probe (an unknown token): this text, and no form */
  publicText?: string;
};

/** key: the URL pattern derived from app/** /page.tsx (route groups removed) */
export const PAGE_POLICY: Record<string, PagePolicy> = {
  "/account/password": { permission: "signed-in", scoped: false },
  "/login": { permission: "public", scoped: false },
  "/admin/audit": { permission: "audit:read", scoped: false },
  "/admin/settings": { permission: "clinic:settings", scoped: false },
  "/admin/staff": { permission: "staff:manage", scoped: false },
  "/admin/chairs": { permission: "chair:manage", scoped: false },
  "/admin/devices": { permission: "device:manage", scoped: false },
  "/board": { permission: "board:read", scoped: false },
  "/exports": { permission: "export:sessions", scoped: false },
  "/": { permission: "signed-in", scoped: false, allowedRedirect: /^(https?:\/\/[^/]+)?\/board$/ },
  "/patients/[id]": { permission: "patient:read", scoped: true, readsPatientRecord: true },
  "/patients/new": { permission: "patient:register", scoped: false },
  "/patients": { permission: "patient:read", scoped: false },
  "/protocols/[id]": { permission: "protocol:read", scoped: true },
  "/protocols/[id]/versions/new": { permission: "protocol:manage", scoped: true },
  "/protocols/new": { permission: "protocol:manage", scoped: false },
  "/protocols": { permission: "protocol:read", scoped: false },
  "/series/[id]": { permission: "patient:read", scoped: true, readsPatientRecord: true },
  "/series/[id]/start": { permission: "session:start", scoped: true, otherClinicNotice: /No session to start/ },
  "/sessions/[id]": { permission: "patient:read", scoped: true, readsPatientRecord: true },
  "/sessions/[id]/discharge": { permission: "patient:read", scoped: true, readsPatientRecord: true },
  "/check-in/[token]": { permission: "public", scoped: false, publicText: "This check-in link is not valid any more. Please contact your clinic for a new one." },
};

export function rolesFor(permission: ApiPolicy["permission"]): readonly Role[] {
  if (permission === "public" || permission === "signed-in") return ["NURSE", "PHYSICIAN", "ADMIN"];
  return PERMISSIONS[permission];
}

function walk(dir: string, file: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, file, out);
    else if (name === file) out.push(p);
  }
  return out;
}

const toPattern = (rel: string) =>
  "/" + rel.split(path.sep).filter((seg) => !/^\(.*\)$/.test(seg)).join("/");

/** Every "METHOD /api/..." exported by a route.ts under app/api, read from the source. */
export function discoverApiRoutes(root: string): string[] {
  const appDir = path.join(root, "app");
  const keys: string[] = [];
  for (const file of walk(path.join(appDir, "api"), "route.ts")) {
    const src = readFileSync(file, "utf8");
    const pattern = toPattern(path.relative(appDir, path.dirname(file)));
    const methods = new Set<string>();
    for (const m of src.matchAll(/export\s+(?:const|async\s+function|function)\s+(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/g)) methods.add(m[1]!);
    for (const m of src.matchAll(/export\s*\{([^}]*)\}/g))
      for (const name of m[1]!.split(",").map((s) => s.trim().split(/\s+as\s+/).pop()!))
        if (/^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/.test(name)) methods.add(name);
    for (const method of methods) keys.push(`${method} ${pattern}`);
  }
  return keys.sort();
}

/** Every page URL pattern under app/, route groups removed. */
export function discoverPages(root: string): string[] {
  const appDir = path.join(root, "app");
  return walk(appDir, "page.tsx").map((f) => {
    const p = toPattern(path.relative(appDir, path.dirname(f)));
    return p === "/" ? "/" : p.replace(/\/$/, "");
  }).sort();
}

/** Fills [id], [kind], [entryId] with Demo clinic ids. */
export function fillPath(pattern: string, ids: Ids): string {
  const id = pattern.startsWith("/api/patients/") || pattern.startsWith("/patients/") ? ids.patientId
    : pattern.startsWith("/api/series/") || pattern.startsWith("/series/") ? ids.seriesId
    : pattern.startsWith("/api/sessions/") || pattern.startsWith("/sessions/") ? ids.sessionId
    : pattern.startsWith("/api/flags/") ? ids.flagId
    : pattern.startsWith("/api/admin/users/") ? ids.userId
    : pattern.startsWith("/api/admin/chairs/") ? ids.chairId
    : pattern.startsWith("/api/admin/devices/") ? ids.deviceId
    : pattern.startsWith("/api/protocols/") && pattern.endsWith("/retire") ? ids.spareProtocolId
    : pattern.startsWith("/api/protocols/") || pattern.startsWith("/protocols/") ? ids.protocolId
    : "";
  return pattern
    .replace("[...nextauth]", "session")
    .replace("[kind]", "vitals")
    .replace("[entryId]", ids.vitalsId)
    .replace("[readingId]", ids.deviceReadingId)
    // a well-formed token no link has: the public check-in routes answer their neutral 404
    .replace("[token]", "AAAAAAAAAAAAAAAAAAAAAA")
    .replace("[id]", id);
}
