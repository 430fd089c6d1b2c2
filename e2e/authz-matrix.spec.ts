import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, request as playwrightRequest, test, type APIRequestContext, type APIResponse } from "@playwright/test";
import type { Role } from "../lib/permissions";
import { apiAs, baseURL, USERS } from "./fixtures";
import { changedTables, cloneUser, demoIds, e2eDb, snapshot } from "./db-probe";
import { openEventStream } from "./live-stream";
import {
  API_POLICY, PAGE_POLICY, discoverApiRoutes, discoverPages, fillPath, rolesFor, type ApiPolicy, type Ids,
} from "./route-policy";

/**
 * The authorization matrix (docs/SECURITY.md): every API route method and every page, found in the
 * code, called as anonymous, nurse, physician, admin and a user of another clinic. Expected:
 * anonymous 401 JSON (pages: redirect to /login), wrong role 403 (pages: a "not available"
 * notice, 403 or 404), another clinic's record 404, allowed role neither 401, 403 nor 404.
 * Every refused call is checked against a fingerprint of every table: nothing changed.
 * Every allowed call that shows patient data must leave an access row (docs/decisions/0019):
 * by the caller, with the route's name, naming the path's patient (routes marked
 * readsPatientRecord) and every patient whose MRN appears in the answer.
 */
test.describe.configure({ mode: "serial" });
test.setTimeout(240_000);

type Who = "anonymous" | "nurse" | "physician" | "admin" | "other";
const WHO: Who[] = ["anonymous", "nurse", "physician", "admin", "other"];
const ROLE_OF: Record<"nurse" | "physician" | "admin", Role> = { nurse: "NURSE", physician: "PHYSICIAN", admin: "ADMIN" };

const db = e2eDb();
let ids: Ids;
let anon: APIRequestContext;
const demo: Record<Role, APIRequestContext> = {} as never;
const other: Record<Role, APIRequestContext> = {} as never;

type Cell = { target: string; who: Who; as?: string; expected: string; status: number; ok: boolean; note?: string };
const cells: Cell[] = [];
const mutationsAudited: { route: string; who: string; status: number; auditDelta: number }[] = [];
const patientReads: { target: string; who: string; patientsShown: number; missing: string[] }[] = [];
/** the user behind each caller context, for its access rows */
const userOf = new Map<APIRequestContext, string>();
/** every patient's MRN (word-bounded in answers) and id */
let patients: { id: string; mrn: string; re: RegExp }[] = [];

test.beforeAll(async () => {
  ids = await demoIds(db);
  // Other Clinic has no administrator in the seed: a throwaway one proves cross-clinic admin calls 404.
  const otherAdmin = await cloneUser(db, USERS.otherPhysician, { role: "ADMIN" });
  anon = await playwrightRequest.newContext({ baseURL: baseURL() });
  [demo.NURSE, demo.PHYSICIAN, demo.ADMIN, other.NURSE, other.PHYSICIAN, other.ADMIN] = await Promise.all([
    apiAs(baseURL(), USERS.nurse), apiAs(baseURL(), USERS.physician), apiAs(baseURL(), USERS.admin),
    apiAs(baseURL(), USERS.otherNurse), apiAs(baseURL(), USERS.otherPhysician), apiAs(baseURL(), otherAdmin.email),
  ]);
  const idOf = async (email: string) => (await db.query<{ id: string }>(`SELECT id FROM "User" WHERE email = $1`, [email])).rows[0]!.id;
  userOf.set(demo.NURSE, await idOf(USERS.nurse)).set(demo.PHYSICIAN, await idOf(USERS.physician)).set(demo.ADMIN, await idOf(USERS.admin))
    .set(other.NURSE, await idOf(USERS.otherNurse)).set(other.PHYSICIAN, await idOf(USERS.otherPhysician)).set(other.ADMIN, otherAdmin.id);
  patients = (await db.query<{ id: string; mrn: string }>(`SELECT id, mrn FROM "Patient"`)).rows
    .filter((p) => /^[A-Za-z0-9-]{5,}$/.test(p.mrn))
    .map((p) => ({ ...p, re: new RegExp(`(^|[^A-Za-z0-9-])${p.mrn}($|[^A-Za-z0-9-])`) }));
});

const lastAuditId = async () => (await db.query<{ id: string }>(`SELECT coalesce(max(id), 0)::text AS id FROM "AuditEvent"`)).rows[0]!.id;

/**
 * The access check of one allowed answer: the patients it must name (the path's, for a
 * record read, and every one whose MRN the answer shows) against the access rows the call
 * left, by this caller and with this route. Returns the patients missing from them.
 */
async function missingAccess(ctx: APIRequestContext, route: string, since: string, body: string, recordPatient: string | null): Promise<{ shown: number; missing: string[] }> {
  const expected = new Set(patients.filter((p) => p.re.test(body)).map((p) => p.id));
  if (recordPatient) expected.add(recordPatient);
  if (expected.size === 0) return { shown: 0, missing: [] };
  const rows = (await db.query<{ ids: string[] }>(
    `SELECT after->'patientIds' AS ids FROM "AuditEvent" WHERE id > $1 AND "actorId" = $2 AND action = 'access.read' AND after->>'route' = $3`,
    [since, userOf.get(ctx), route],
  )).rows;
  const named = new Set(rows.flatMap((r) => r.ids));
  return { shown: expected.size, missing: [...expected].filter((id) => !named.has(id)) };
}

test.afterAll(async () => {
  await Promise.all([anon, ...Object.values(demo), ...Object.values(other)].map((c) => c?.dispose()));
  const api = cells.filter((c) => c.target.includes("/api/"));
  const leaks = cells.filter((c) => !c.ok && /^(401|403|404|redirect|denied)/.test(c.expected) && c.status < 400 && c.status !== 0);
  const summary = {
    generatedAt: new Date().toISOString(),
    apiRouteMethods: new Set(api.map((c) => c.target)).size,
    pages: new Set(cells.filter((c) => !c.target.includes("/api/")).map((c) => c.target)).size,
    cells: cells.length,
    mismatches: cells.filter((c) => !c.ok).length,
    leaks: leaks.length,
    successfulMutations: mutationsAudited.length,
    successfulMutationsWithoutAudit: mutationsAudited.filter((m) => m.auditDelta < 1).length,
    patientReads: patientReads.length,
    patientReadsWithoutAccessRow: patientReads.filter((r) => r.missing.length > 0).length,
    failures: cells.filter((c) => !c.ok),
    mutationsAudited,
    patientReadsChecked: patientReads,
    matrix: cells,
  };
  mkdirSync("test-results", { recursive: true });
  writeFileSync(path.join("test-results", "authz-matrix.json"), JSON.stringify(summary, null, 2));
  console.log(
    `[authz-matrix] ${summary.apiRouteMethods} API route methods + ${summary.pages} pages x ${WHO.length} callers = ${summary.cells} cells; ` +
    `mismatches ${summary.mismatches}; leaks ${summary.leaks}; successful mutations ${summary.successfulMutations}, ` +
    `without an audit row ${summary.successfulMutationsWithoutAudit}; patient reads ${summary.patientReads}, ` +
    `without their access row ${summary.patientReadsWithoutAccessRow}`,
  );
  await db.end();
});

test("every API route and page in app/ has a policy entry (and no entry is stale)", () => {
  const root = path.resolve(__dirname, "..");
  const routes = discoverApiRoutes(root);
  const pages = discoverPages(root);
  expect(routes.length).toBeGreaterThan(20);
  expect(routes.filter((r) => !(r in API_POLICY)), "API routes without an entry in e2e/route-policy.ts").toEqual([]);
  expect(Object.keys(API_POLICY).filter((r) => !routes.includes(r)), "stale API policy entries").toEqual([]);
  expect(pages.filter((p) => !(p in PAGE_POLICY)), "pages without an entry in e2e/route-policy.ts").toEqual([]);
  expect(Object.keys(PAGE_POLICY).filter((p) => !pages.includes(p)), "stale page policy entries").toEqual([]);
});

/** The other-clinic caller: a user whose role passes the role check, so only the clinic scope can refuse. */
function otherCaller(policy: { permission: ApiPolicy["permission"] }): Role {
  const allowed = rolesFor(policy.permission);
  return (["PHYSICIAN", "NURSE", "ADMIN"] as Role[]).find((r) => allowed.includes(r))!;
}

type Answer = Pick<APIResponse, "status" | "headers" | "json" | "text">;

/** A stream never ends: read its status and headers with fetch, then hang up. */
async function sendStream(ctx: APIRequestContext, url: string): Promise<Answer> {
  const s = await openEventStream(ctx, new URL(url, baseURL()).toString());
  s.close();
  const text = await s.text();
  return { status: () => s.status, headers: () => s.headers, text: async () => text, json: async () => JSON.parse(text) };
}

async function send(ctx: APIRequestContext, method: string, url: string, body?: unknown): Promise<APIResponse> {
  if (method === "GET") return ctx.get(url, { maxRedirects: 0 });
  return ctx.fetch(url, { method, maxRedirects: 0, ...(body === undefined ? {} : { data: body }) });
}

/**
 * Who calls as `who` (the caller's context, and the role it acts in) and what the policy
 * expects for them; `refusal` names how this kind of target refuses a signed-out caller and
 * a role without the permission (an API route: 401 / 403; a page: a redirect / the notice).
 */
function callerFor<Anonymous extends string, Denied extends string>(
  policy: { permission: ApiPolicy["permission"]; scoped?: boolean },
  who: Who,
  refusal: { anonymous: Anonymous; denied: Denied },
): { ctx: APIRequestContext; asRole?: Role; expected: Anonymous | Denied | "404" | "allowed" | "public" } {
  if (policy.permission === "public") return { ctx: who === "anonymous" ? anon : demo.NURSE, expected: "public" };
  if (who === "anonymous") return { ctx: anon, expected: refusal.anonymous };
  if (who === "other") {
    const asRole = otherCaller(policy);
    return { ctx: other[asRole], asRole, expected: policy.scoped ? "404" : "allowed" };
  }
  const asRole = ROLE_OF[who];
  return { ctx: demo[asRole], asRole, expected: rolesFor(policy.permission).includes(asRole) ? "allowed" : refusal.denied };
}

test("API: every route x anonymous, nurse, physician, admin, other clinic", async () => {
  for (const key of discoverApiRoutes(path.resolve(__dirname, ".."))) {
    const policy = API_POLICY[key]!;
    const [method, pattern] = key.split(" ") as [string, string];
    const url = fillPath(pattern, ids) + (pattern === "/api/exports/sessions" || pattern === "/api/exports/sessions/count" ? "?format=csv" : "");
    const mutating = method !== "GET" && !policy.readOnly;

    for (const who of WHO) {
      const { ctx, asRole, expected } = callerFor(policy, who, { anonymous: "401", denied: "403" });
      const refused = expected === "401" || expected === "403" || expected === "404";
      const body = method === "GET" ? undefined
        : refused ? policy.body?.(ids)
        : policy.allowedProbe === "invalid" ? {} : policy.body?.(ids);

      const before = mutating && (refused || expected === "allowed" || (expected === "public" && policy.publicAnswer)) ? await snapshot(db) : null;
      const auditSince = expected === "allowed" ? await lastAuditId() : "0";
      const res: Answer = policy.stream ? await sendStream(ctx, url) : await send(ctx, method, url, body);
      const status = res.status();
      let ok: boolean;
      let note: string | undefined;
      if (expected === "public") ok = policy.publicAnswer ? status === policy.publicAnswer.status : status < 500;
      else if (expected === "allowed") ok = status < 500 && ![401, 403, 404].includes(status);
      else {
        ok = status === Number(expected);
        if (ok && expected === "401") {
          ok = (res.headers()["content-type"] ?? "").includes("application/json") && (await res.json()).error?.code === "UNAUTHENTICATED";
          if (!ok) note = "401 without the JSON error body";
        }
      }
      if (before) {
        const after = await snapshot(db);
        if (expected === "public") {
          const changed = changedTables(before, after).filter((t) => !policy.publicAnswer!.mayChange.includes(t));
          if (changed.length) { ok = false; note = `database changed: ${changed.join(", ")}`; }
        } else if (refused) {
          const changed = changedTables(before, after);
          if (changed.length) { ok = false; note = `database changed: ${changed.join(", ")}`; }
        } else if (status >= 200 && status < 300) {
          mutationsAudited.push({ route: key, who, status, auditDelta: after.auditRows - before.auditRows });
        }
      }
      if (ok && expected === "allowed" && status >= 200 && status < 300 && !policy.stream) {
        const access = await missingAccess(ctx, key, auditSince, await res.text(), policy.readsPatientRecord ? ids.patientId : null);
        if (access.shown > 0) patientReads.push({ target: key, who, patientsShown: access.shown, missing: access.missing });
        if (access.missing.length) { ok = false; note = `patient data shown without an access row for ${access.missing.join(", ")}`; }
      }
      if (!ok && !note) note = (await res.text()).slice(0, 300);
      cells.push({ target: key, who, as: asRole, expected, status, ok, note });
    }
  }
  const failures = cells.filter((c) => !c.ok);
  expect(failures, JSON.stringify(failures, null, 1)).toEqual([]);
  // docs/SECURITY.md: every successful mutation left at least one audit row in the same commit.
  expect(mutationsAudited.filter((m) => m.auditDelta < 1), "successful mutations without an audit row").toEqual([]);
  // the access check bit: record reads and lists were seen showing patients
  expect(patientReads.filter((r) => r.target === "GET /api/sessions/[id]").length).toBeGreaterThan(0);
  expect(patientReads.filter((r) => r.target === "GET /api/patients").length).toBeGreaterThan(0);
});

const NOTICE = /Not available for your role|Exports are made by physicians|Your role cannot start infusion sessions/;

test("pages: every page x anonymous, nurse, physician, admin, other clinic", async () => {
  for (const pattern of discoverPages(path.resolve(__dirname, ".."))) {
    const policy = PAGE_POLICY[pattern]!;
    const url = fillPath(pattern, ids);
    for (const who of WHO) {
      const { ctx, asRole, expected } = callerFor(policy, who, { anonymous: "redirect", denied: "denied" });
      const auditSince = expected === "allowed" ? await lastAuditId() : "0";
      const res = await ctx.get(url, { maxRedirects: 0 });
      const status = res.status();
      const text = status === 200 ? await res.text() : "";
      let ok: boolean;
      let note: string | undefined;
      switch (expected) {
        case "public":
          ok = status < 400 && (!policy.publicText || (text.includes(policy.publicText) && !/<form[\s>]/.test(text)));
          if (!ok && policy.publicText) note = `status ${status}; the neutral text ${text.includes(policy.publicText) ? "with a form" : "missing"}`;
          break;
        case "redirect": {
          const location = res.headers()["location"] ?? "";
          ok = [302, 303, 307, 308].includes(status) && /\/login(\?|$)/.test(location);
          note = ok ? undefined : `location ${location}`;
          break;
        }
        case "allowed":
          ok = (status === 200 && !NOTICE.test(text))
            || (!!policy.allowedRedirect && [302, 303, 307, 308].includes(status) && policy.allowedRedirect.test(res.headers()["location"] ?? ""));
          break;
        case "denied": ok = [403, 404].includes(status) || (status === 200 && NOTICE.test(text)); break;
        case "404": ok = status === 404 || (status === 200 && !!policy.otherClinicNotice?.test(text)); break;
      }
      if (ok && expected === "allowed" && status === 200) {
        const access = await missingAccess(ctx, `page ${pattern}`, auditSince, text, policy.readsPatientRecord ? ids.patientId : null);
        if (access.shown > 0) patientReads.push({ target: `PAGE ${pattern}`, who, patientsShown: access.shown, missing: access.missing });
        if (access.missing.length) { ok = false; note = `patient data shown without an access row for ${access.missing.join(", ")}`; }
      }
      if (!ok && !note) note = `status ${status}`;
      cells.push({ target: `PAGE ${pattern}`, who, as: asRole, expected, status, ok, note });
    }
  }
  const failures = cells.filter((c) => !c.ok && c.target.startsWith("PAGE"));
  expect(failures, JSON.stringify(failures, null, 1)).toEqual([]);
  expect(patientReads.filter((r) => r.target === "PAGE /sessions/[id]").length).toBeGreaterThan(0);
});

test("another clinic's lists and searches contain none of the Demo clinic's patients", async () => {
  const demoPatients = (await db.query<{ id: string; mrn: string }>(
    `SELECT p.id, p.mrn FROM "Patient" p JOIN "Clinic" c ON c.id = p."clinicId" WHERE c.name = 'Demo Pain Clinic'`,
  )).rows;
  for (const role of ["NURSE", "PHYSICIAN"] as Role[]) {
    const list = await (await other[role].get("/api/patients")).json();
    const found = await (await other[role].post("/api/patients/search", { data: { q: "a" } })).json();
    const seen = [...list.patients, ...found.patients].map((p: { id: string }) => p.id);
    expect(seen.filter((id: string) => demoPatients.some((d) => d.id === id))).toEqual([]);
    for (const d of demoPatients.slice(0, 3)) {
      const byMrn = await (await other[role].post("/api/patients/search", { data: { q: d.mrn } })).json();
      expect(byMrn.patients).toEqual([]);
    }
  }
});
