import { expect, test, type APIRequestContext, type Browser, type BrowserContext, type Page } from "@playwright/test";
import type { Role } from "../lib/permissions";
import { blockingViolations } from "./axe";
import { A11Y_PAGES, type A11yApi, type A11yRecords, type A11yVisit } from "./a11y-pages";
import { e2eDb } from "./db-probe";
import { apiAs, baseURL, newChair, orderNeuropathicSeries, USERS } from "./fixtures";
import { discoverPages, PAGE_POLICY, rolesFor } from "./route-policy";

// Every page as every role that may open it, scanned by axe-core against WCAG 2.1 A and AA (e2e/axe.ts)
// (docs/decisions/0016-accessibility.md): no serious or critical violation. The pages come
// from app/ (a page without a line in e2e/a11y-pages.ts fails), the roles from PAGE_POLICY.

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
          const blocking = await blockingViolations(page);
          if (blocking) failures.push(`${name}:\n${blocking}`);
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
    const word = severity === "HARD" ? /hard/.test(text) : /soft/.test(text);
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
    // the charts of a series with many sessions (the seeded demo's), with a patient's check-in for
    // the PEG chart (one a day: a second one today is a 409 and the first is still there)
    const link = await api.NURSE.post(`/api/series/${records.reviewedSeriesId}/check-in-link`, { data: {} });
    expect(link.status(), await link.text()).toBe(200);
    const token = new URL(((await link.json()) as { url: string }).url).pathname.split("/").pop();
    const checkIn = await api.NURSE.post(`/api/check-in/${token}`, { data: { painNrs: 4, enjoymentNrs: 5, activityNrs: 6, sideEffects: [] } });
    expect([201, 409], await checkIn.text()).toContain(checkIn.status());
    await page.goto(`/series/${records.reviewedSeriesId}`);
    const seriesCharts = ["series-pain-chart", "series-dose-chart", "series-side-effects-chart", "series-schedule-chart", "peg-chart"];
    for (const chart of seriesCharts) await expect(page.getByTestId(chart).locator("svg.recharts-surface [data-shape]").first(), `${chart} draws its marks`).toBeAttached({ timeout: 20_000 });
    // before and after are a square and a dot; the PEG's parts a dot, square, diamond and triangle
    await expect(page.getByTestId("series-pain-chart").locator('[data-testid="series-pain-point"][data-shape="square"]').first()).toBeAttached();
    await expect(page.getByTestId("series-pain-chart").locator('[data-testid="series-pain-point"][data-shape="dot"]').first()).toBeAttached();
    for (const shape of ["dot", "square", "diamond", "triangle"]) await expect(page.getByTestId("peg-chart").locator(`[data-testid="peg-point"][data-shape="${shape}"]`).first()).toBeAttached();
    // a session's total is a bar, never the square that marks a peak at the hard limit
    await expect(page.getByTestId("series-dose-chart").locator('[data-testid="series-total"][data-shape="box"]').first()).toBeAttached();
    await expect(page.getByTestId("series-dose-chart").locator('[data-testid="series-total"]:not([data-shape="box"])')).toHaveCount(0);
    const seriesMissing: string[] = [];
    for (const chart of seriesCharts) seriesMissing.push(...await marksWithoutLegend(page, chart));
    expect(seriesMissing, "every kind of mark has a legend entry of its shape").toEqual([]);
  } finally {
    await context.close();
  }
});

// ---------------------------------------------------------------- live regions, polite and sparse

/** Counts the changes to `testId`'s text from now on (a MutationObserver in the page). */
async function watchText(page: Page, testId: string) {
  await page.getByTestId(testId).evaluate((el) => {
    const w = window as unknown as { __liveChanges?: Record<string, number> };
    w.__liveChanges ??= {};
    w.__liveChanges[el.dataset.testid!] = 0;
    new MutationObserver(() => { w.__liveChanges![el.dataset.testid!]! += 1; }).observe(el, { childList: true, characterData: true, subtree: true });
  });
  return () => page.evaluate((id) => (window as unknown as { __liveChanges: Record<string, number> }).__liveChanges[id]!, testId);
}

/**
 * Moves the page's clock on by `ms`, a minute and a half at a time with a key press before
 * each step: the nurse is at the screen, so the idle sign-out (minutes without a key or a
 * touch) does not end the sign-in while the test skips ahead.
 */
async function advanceClock(page: Page, ms: number) {
  for (let left = ms; left > 0; left -= 90_000) {
    await page.keyboard.press("Shift");
    await page.clock.fastForward(Math.min(left, 90_000));
  }
}

test("live regions: the vitals countdown speaks on a change of stage only, on the chart and on the board", async ({ browser }) => {
  test.setTimeout(150_000);
  // a session of its own, its vitals charted now: minutes before its next set is due, however
  // long the scans above took
  const { seriesId } = await orderNeuropathicSeries(api.PHYSICIAN, { familyName: `Live${Date.now().toString(36)}`, givenName: "Lee", mrnPrefix: "A11YL", birthDate: "1970-01-02", sex: "MALE", plannedSessions: 2 });
  const chair = await newChair(api.ADMIN, "Live chair");
  const started = await post(api.NURSE, `/api/series/${seriesId}/sessions`, { weightKg: 70, concentrationMgPerMl: 1, consentConfirmed: true, screeningReviewed: true, chairId: chair.id });
  const sessionId = started.session.id as string;
  const now = new Date().toISOString();
  await post(api.NURSE, `/api/sessions/${sessionId}/vitals`, { at: now, systolicMmHg: 122, diastolicMmHg: 78, heartRatePerMin: 70, spo2Pct: 98, respRatePerMin: 14 });
  await post(api.NURSE, `/api/sessions/${sessionId}/dose-events`, { type: "START", at: now, rateMgPerKgPerH: 0.15 });

  // the pages' clock, moved on by the test: the countdown's stages without waiting for them
  // (one context each, so each page's clock starts at the real time)
  const chartContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, storageState: signedIn.get("NURSE") });
  const boardContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, storageState: signedIn.get("NURSE") });
  try {
    const page = await chartContext.newPage();
    await page.clock.install();
    await page.goto(`/sessions/${sessionId}`);
    const countdown = page.getByTestId("vitals-countdown");
    const announcement = page.getByTestId("vitals-announcement");
    await expect(countdown).toHaveAttribute("data-due-at", /\d/, { timeout: 20_000 });
    await expect(announcement).toHaveAttribute("role", "status");
    await expect(announcement).toHaveAttribute("aria-live", "polite");
    // the ticking figure is outside the region; opening the page says nothing
    await expect(announcement).toHaveText("");
    const changes = await watchText(page, "vitals-announcement");
    const dueMs = Date.parse((await countdown.getAttribute("data-due-at"))!);
    const untilDueMs = dueMs - (await page.evaluate(() => Date.now()));
    expect(untilDueMs, "vitals charted just now: the next set is minutes away").toBeGreaterThan(3 * 60_000);
    await advanceClock(page, untilDueMs - 2 * 60_000);
    await expect(announcement).toHaveText("Vitals due in under 3 minutes.");
    // seconds tick on inside the stage: the region is not touched again
    const afterSoon = await changes();
    expect(afterSoon).toBeGreaterThan(0);
    await page.clock.runFor(5_000);
    await expect(countdown).toContainText("Next vitals due in");
    expect(await changes(), "nothing said while the stage holds").toBe(afterSoon);
    await advanceClock(page, 3 * 60_000);
    await expect(announcement).toHaveText("Vitals are overdue.");
    await expect(countdown).toHaveAttribute("data-overdue", "true");

    // the board: one polite region for every chair, that names a chair when it turns overdue
    const board = await boardContext.newPage();
    await board.clock.install();
    await board.goto("/board");
    const tile = board.locator(`[data-testid="board-tile"][data-session-id="${sessionId}"]`);
    const boardSays = board.getByTestId("board-overdue-announcement");
    await expect(tile).toBeVisible({ timeout: 20_000 });
    await expect(boardSays).toHaveAttribute("role", "status");
    await expect(boardSays).toHaveAttribute("aria-live", "polite");
    await expect(tile).toHaveAttribute("data-overdue", "false");
    const boardChanges = await watchText(board, "board-overdue-announcement");
    await advanceClock(board, dueMs + 60_000 - (await board.evaluate(() => Date.now())));
    await expect(tile).toHaveAttribute("data-overdue", "true");
    await expect(boardSays).toContainText("Vitals overdue: ");
    await expect(boardSays).toContainText(chair.name);
    const said = await boardChanges();
    await board.clock.runFor(5_000);
    expect(await boardChanges(), "said once, not on every tick while overdue").toBe(said);
  } finally {
    await chartContext.close();
    await boardContext.close();
  }
});
