import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Browser, type BrowserContext, type Page } from "@playwright/test";
import type { Role } from "../lib/permissions";
import { A11Y_PAGES, type A11yApi, type A11yRecords, type A11yVisit } from "./a11y-pages";
import { e2eDb } from "./db-probe";
import { apiAs, baseURL, newChair, orderNeuropathicSeries, USERS } from "./fixtures";
import { discoverPages, PAGE_POLICY, rolesFor } from "./route-policy";

// Every page as every role that may open it, scanned by axe-core against WCAG 2.1 A and AA
// (docs/decisions/0016-accessibility.md): no serious or critical violation. The pages come
// from app/ (a page without a line in e2e/a11y-pages.ts fails), the roles from PAGE_POLICY.

const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const BLOCKING = new Set(["serious", "critical"]);
type Who = Role | "ANONYMOUS";

const patterns = discoverPages(process.cwd());

test("every page of the app has a line in the accessibility table", () => {
  const missing = patterns.filter((p) => !(p in A11Y_PAGES));
  expect(missing, `add these to A11Y_PAGES in e2e/a11y-pages.ts (one line each): ${missing.join(", ")}`).toEqual([]);
  const stale = Object.keys(A11Y_PAGES).filter((p) => !patterns.includes(p));
  expect(stale, "A11Y_PAGES names pages that no longer exist").toEqual([]);
});

function whoOpens(pattern: string): Who[] {
  const policy = PAGE_POLICY[pattern];
  if (!policy) throw new Error(`${pattern} has no PAGE_POLICY entry (e2e/route-policy.ts)`);
  return policy.permission === "public" ? ["ANONYMOUS"] : [...rolesFor(policy.permission)];
}

let records: A11yRecords;
let api: A11yApi;
const signedIn = new Map<Who, Awaited<ReturnType<APIRequestContext["storageState"]>>>();

async function post(ctx: APIRequestContext, url: string, data: unknown, status = 201) {
  const res = await ctx.post(url, { data });
  expect(res.status(), `${url}: ${await res.text()}`).toBe(status);
  return res.json();
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const [nurse, physician, admin] = await Promise.all([apiAs(baseURL(), USERS.nurse), apiAs(baseURL(), USERS.physician), apiAs(baseURL(), USERS.admin)]);
  api = { NURSE: nurse, PHYSICIAN: physician, ADMIN: admin };
  for (const role of ["NURSE", "PHYSICIAN", "ADMIN"] as const) signedIn.set(role, await api[role].storageState());

  const tag = Date.now().toString(36);
  const { patientId, seriesId } = await orderNeuropathicSeries(physician, { familyName: `Axe${tag}`, givenName: "Ada", mrnPrefix: "A11Y", birthDate: "1975-04-02", sex: "FEMALE", plannedSessions: 4 });
  const { seriesId: startableSeriesId } = await orderNeuropathicSeries(physician, { familyName: `Axestart${tag}`, givenName: "Ben", mrnPrefix: "A11YS", birthDate: "1968-09-12", sex: "MALE", plannedSessions: 2 });

  // a running session with every kind of entry and flag the chart can show
  const chair = await newChair(admin, "A11y chair");
  const started = await post(nurse, `/api/series/${seriesId}/sessions`, { weightKg: 70, concentrationMgPerMl: 1, consentConfirmed: true, screeningReviewed: true, chairId: chair.id });
  const sessionId = started.session.id as string;
  const at = (minAgo: number) => new Date(Date.now() - minAgo * 60_000).toISOString();
  const chart = (kind: string, data: unknown) => post(nurse, `/api/sessions/${sessionId}/${kind}`, data);
  await chart("vitals", { at: at(0), systolicMmHg: 122, diastolicMmHg: 78, heartRatePerMin: 70, spo2Pct: 98, respRatePerMin: 14 });
  await chart("pain", { at: at(0), score: 7, scale: "NRS", phase: "PRE" });
  await chart("dose-events", { type: "START", at: at(0), rateMgPerKgPerH: 0.2 });
  await chart("dose-events", { type: "RATE_CHANGE", at: at(0), rateMgPerKgPerH: 0.4, reason: "Pain 8/10, per physician" });
  await chart("dose-events", { type: "RATE_CHANGE", at: at(0), rateMgPerKgPerH: 1.2, overrideReason: "Dr. Okoye at bedside ordered a brief increase" });
  await chart("dose-events", { type: "RATE_CHANGE", at: at(0), rateMgPerKgPerH: 0.2, reason: "back to range" });
  await chart("vitals", { at: at(0), systolicMmHg: 172, diastolicMmHg: 96, heartRatePerMin: 104, spo2Pct: 93, respRatePerMin: 9 });
  await chart("pain", { at: at(0), score: 4, scale: "NRS", phase: "INTRA" });
  await chart("side-effects", { at: at(0), kind: "DISSOCIATION", severity: 2 });
  const flags = (await (await nurse.get(`/api/sessions/${sessionId}`)).json()).session.flags as { id: string; severity: string }[];
  expect(flags.some((f) => f.severity === "HARD") && flags.some((f) => f.severity === "SOFT"), "the session shows both severities").toBe(true);
  await post(physician, `/api/flags/${flags.find((f) => f.severity === "SOFT")!.id}/acknowledge`, { reason: "Seen at the bedside" });

  // a signed session of the seeded demo, and its series (the physician's review page)
  const db = e2eDb();
  try {
    const signed = await db.query<{ id: string; seriesId: string }>(
      `SELECT s.id, s."seriesId" FROM "InfusionSession" s JOIN "Clinic" c ON c.id = s."clinicId"
        WHERE c.name = 'Demo Pain Clinic' AND s.status = 'SIGNED' ORDER BY s."openedAt" DESC LIMIT 1`,
    );
    expect(signed.rows[0], "the seed has a signed session").toBeTruthy();
    const protocol = await db.query<{ protocolId: string }>(`SELECT pv."protocolId" FROM "Series" s JOIN "ProtocolVersion" pv ON pv.id = s."protocolVersionId" WHERE s.id = $1`, [seriesId]);
    records = {
      patientId, seriesId, runningSessionId: sessionId, startableSeriesId,
      signedSessionId: signed.rows[0]!.id, reviewedSeriesId: signed.rows[0]!.seriesId, protocolId: protocol.rows[0]!.protocolId,
    };
  } finally {
    await db.end();
  }
});

test.afterAll(async () => {
  await Promise.all(Object.values(api ?? {}).map((c) => c.dispose()));
});

async function contextFor(browser: Browser, who: Who, visit: A11yVisit): Promise<BrowserContext> {
  return browser.newContext({
    viewport: visit.viewport ?? { width: 1280, height: 900 },
    ...(who === "ANONYMOUS" ? {} : { storageState: signedIn.get(who) }),
  });
}

/** One line per violation: rule, impact, what it means, where to read more, and the elements. */
function describe(violations: Awaited<ReturnType<AxeBuilder["analyze"]>>["violations"]): string {
  return violations.map((v) =>
    `- ${v.id} (${v.impact}): ${v.help}\n  ${v.helpUrl}\n${v.nodes.slice(0, 8).map((n) => `    at ${n.target.join(" ")}: ${n.failureSummary?.split("\n").slice(1, 3).join(" ").trim() ?? ""}`).join("\n")}`,
  ).join("\n");
}

for (const pattern of patterns) {
  for (const who of whoOpens(pattern)) {
    test(`axe: ${pattern} as ${who.toLowerCase()}`, async ({ browser }) => {
      // three visits of a page that redraws every second (the board), on a loaded machine
      test.setTimeout(300_000);
      const entry = A11Y_PAGES[pattern];
      test.skip(!entry, "no line in A11Y_PAGES: the table test above fails for it");
      const visits = await entry!(records, api);
      expect(visits.length, "every entry opens at least one URL").toBeGreaterThan(0);
      const failures: string[] = [];
      for (const visit of visits) {
        const context = await contextFor(browser, who, visit);
        try {
          const page = await context.newPage();
          const res = await page.goto(visit.path);
          expect(res?.status(), `${visit.path} answers`).toBeLessThan(400);
          await page.waitForLoadState("load");
          // signed in and rendered (the account pages have no navigation bar, hence the heading)
          if (who !== "ANONYMOUS") expect(new URL(page.url()).pathname, "still signed in").not.toBe("/login");
          await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible({ timeout: 20_000 });
          await visit.ready?.(page);
          const name = `${visit.path}${visit.label ? ` (${visit.label})` : ""} as ${who.toLowerCase()}`;
          // only violations are described in detail (passes and incomplete checks are not): the
          // same rules and the same verdict, less work in the page
          const result = await new AxeBuilder({ page }).withTags(WCAG_TAGS).options({ resultTypes: ["violations"] }).analyze();
          const blocking = result.violations.filter((v) => BLOCKING.has(v.impact ?? ""));
          if (blocking.length) failures.push(`${name}:\n${describe(blocking)}`);
          if (visit.reflow) {
            const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
            if (overflow > 1) failures.push(`${name}: the page scrolls sideways by ${overflow} px at ${visit.viewport?.width} px wide (WCAG 1.4.10 reflow)`);
          }
        } finally {
          await context.close();
        }
      }
      expect(failures, `accessibility violations:\n${failures.join("\n\n")}`).toEqual([]);
    });
  }
}

// ---------------------------------------------------------------- colour is never alone

/**
 * Every severity shown (data-flag-severity) carries its word and its shape (■ hard, ▲ soft)
 * beside the colour. Returns what is missing, one line per element.
 */
async function severityWithoutWordsOrShape(page: Page, scope: string): Promise<string[]> {
  return page.locator(`${scope} [data-flag-severity]`).evaluateAll((els) => els.flatMap((el) => {
    const severity = el.getAttribute("data-flag-severity");
    const text = (el.textContent ?? "").toLowerCase();
    const word = severity === "HARD" ? /hard/.test(text) : /soft|▲/.test(text) && /soft|flag|open/.test(text);
    const shape = severity === "HARD" ? text.includes("■") : text.includes("▲");
    return word && shape ? [] : [`${severity}: "${el.textContent}" (${word ? "" : "no word"}${shape ? "" : " no shape"})`];
  }));
}

/** Every shape of mark drawn in a chart (data-shape on the SVG marks) has a legend entry of the same shape. */
async function marksWithoutLegend(page: Page, chartTestId: string): Promise<string[]> {
  const chart = page.getByTestId(chartTestId);
  const legend = new Set(await chart.getByTestId("legend-item").evaluateAll((els) => els.map((e) => e.getAttribute("data-shape"))));
  const drawn = await chart.locator("svg.recharts-surface [data-shape]").evaluateAll((els) => els.map((e) => `${e.getAttribute("data-testid")}:${e.getAttribute("data-shape")}`));
  return [...new Set(drawn)].filter((d) => !legend.has(d.split(":")[1]!)).map((d) => `${chartTestId}: ${d} drawn, no such shape in the legend`);
}

test("flags carry words and shapes, not colour alone: the chart, its legend, the flags panel, the board, the series", async ({ browser }) => {
  test.setTimeout(150_000);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, storageState: signedIn.get("PHYSICIAN") });
  try {
    const page = await context.newPage();
    await page.goto(`/sessions/${records.runningSessionId}`);
    await expect(page.getByTestId("titration-chart").locator(".recharts-surface").first()).toBeVisible({ timeout: 20_000 });

    // the session's marks: START/back-to-range in range (dot), 0.4 above the range (diamond), 1.2 past the hard limit (square)
    const titration = page.getByTestId("titration-chart");
    await expect(titration.getByTestId("rate-point").first()).toBeAttached();
    await expect(titration.getByTestId("out-of-range-point").first()).toBeAttached();
    await expect(titration.getByTestId("hard-limit-point").first()).toBeAttached();
    await expect(titration.getByTestId("hard-limit-point").first().locator("title")).toContainText("at or above the hard limit");
    await expect(titration.getByTestId("out-of-range-point").first().locator("title")).toContainText("outside the documented range");
    // SBP 172 and RR 9 are past their thresholds: triangles, with their words in the tooltip
    await expect(page.getByTestId("vitals-chart").getByTestId("vitals-flag-point").first()).toBeAttached();
    await expect(page.getByTestId("vitals-chart").getByTestId("vitals-flag-point").first().locator("title")).toContainText("past the flag threshold");
    await expect(page.getByTestId("vitals-resp-chart").getByTestId("vitals-flag-point").first()).toBeAttached();
    // the pain phases: before a square, during a diamond
    await expect(page.getByTestId("pain-chart").locator('[data-testid="pain-point"][data-shape="square"]')).toHaveCount(1);
    await expect(page.getByTestId("pain-chart").locator('[data-testid="pain-point"][data-shape="diamond"]')).toHaveCount(1);
    const missing: string[] = [];
    for (const chart of ["titration-chart", "vitals-chart", "vitals-resp-chart", "pain-chart"]) missing.push(...await marksWithoutLegend(page, chart));
    expect(missing, "every kind of mark has a legend entry of its shape").toEqual([]);

    // the flags panel: both severities shown, each with its word and shape
    const panelFlags = page.locator("[data-flag-code] [data-flag-severity]");
    await expect(panelFlags.filter({ hasText: "Hard limit" }).first()).toBeVisible();
    await expect(panelFlags.filter({ hasText: "Soft flag" }).first()).toBeVisible();
    expect(await severityWithoutWordsOrShape(page, "main")).toEqual([]);

    // the board tile of the session: HARD and SOFT in words with their shapes
    await page.goto("/board");
    const tile = page.locator(`[data-testid="board-tile"][data-session-id="${records.runningSessionId}"]`);
    await expect(tile.getByTestId("tile-flags")).toContainText("HARD");
    await expect(tile.getByTestId("tile-flags").locator('[data-flag-severity="HARD"] [data-testid="severity-mark"]').first()).toHaveText("■");
    await expect(tile.getByTestId("tile-last-vitals").locator("[data-flag-severity]").first()).toBeVisible();
    expect(await severityWithoutWordsOrShape(page, '[data-testid="chair-board"]')).toEqual([]);

    // the series: the open flags of the running session in the sessions table and the review list
    await page.goto(`/series/${records.seriesId}`);
    await expect(page.getByTestId("sessions-table")).toBeVisible();
    await expect(page.getByTestId("sessions-table").locator('[data-flag-severity="HARD"]')).toContainText("at a hard limit");
    await expect(page.getByTestId("open-flag").first()).toBeVisible();
    expect(await severityWithoutWordsOrShape(page, "main")).toEqual([]);
    // the charts of a series with many sessions (the seeded demo's)
    await page.goto(`/series/${records.reviewedSeriesId}`);
    await expect(page.getByTestId("series-schedule-chart").locator("svg.recharts-surface [data-shape]").first()).toBeAttached({ timeout: 20_000 });
    const seriesMissing: string[] = [];
    for (const chart of ["series-dose-chart", "series-schedule-chart"]) seriesMissing.push(...await marksWithoutLegend(page, chart));
    expect(seriesMissing, "every kind of mark has a legend entry of its shape").toEqual([]);
  } finally {
    await context.close();
  }
});
