/**
 * Which URLs the accessibility run (e2e/accessibility.spec.ts) opens for each page of the app.
 * One entry per URL pattern found under app/** /page.tsx (e2e/route-policy.ts discoverPages):
 * a page without an entry fails the run, so a new page is one line here. Who opens it comes
 * from PAGE_POLICY (the same table the authorization matrix checks): every role that may.
 *
 * A visit may name a viewport (phone, wall display) and a `ready` wait for content that draws
 * after hydration (charts), so axe sees what a person sees.
 */
import { expect, type APIRequestContext, type Page } from "@playwright/test";

/** Records made for the run (e2e/accessibility.spec.ts beforeAll), filled into the paths. */
export type A11yRecords = {
  patientId: string;
  /** a series whose session is running with SOFT and HARD flags, open and acknowledged */
  seriesId: string;
  /** that running session: vitals, rate changes (one past the hard limit), pain, side effect */
  runningSessionId: string;
  /** a series with no session running: its start form */
  startableSeriesId: string;
  /** a signed session of the seeded demo and its series (the physician's review) */
  signedSessionId: string;
  reviewedSeriesId: string;
  protocolId: string;
};

export type A11yVisit = {
  path: string;
  /** shown in the test title and in the failure report */
  label?: string;
  viewport?: { width: number; height: number };
  /** check that nothing scrolls sideways (WCAG 1.4.10 reflow): phone widths */
  reflow?: boolean;
  ready?: (page: Page) => Promise<void>;
};

/**
 * Signed-in API clients of the Demo clinic, for an entry that needs a record of its own (a
 * check-in token, a device): `async (r, api) => { const t = await api.ADMIN.post(...); ... }`.
 */
export type A11yApi = Record<"NURSE" | "PHYSICIAN" | "ADMIN", APIRequestContext>;

export const PHONE = { width: 390, height: 844 } as const;
export const WALL = { width: 1920, height: 1080 } as const;

/** The session chart draws its three charts after hydration. */
const chartsDrawn = async (page: Page) => {
  await expect(page.getByTestId("titration-chart").locator(".recharts-surface").first()).toBeVisible();
  await expect(page.getByTestId("pain-chart").locator(".recharts-surface").first()).toBeVisible();
};
const seriesChartsDrawn = async (page: Page) => {
  await expect(page.getByTestId("series-flags-chart")).toBeVisible();
  await expect(page.getByTestId("series-schedule-chart")).toBeVisible();
};
const boardDrawn = async (page: Page) => {
  await expect(page.getByTestId("chair-board")).toBeVisible();
  // the tiles are drawn in the browser, after the header: scan them, not the placeholder
  await expect(page.getByTestId("board-tile").first()).toBeVisible();
  await expect(page.getByTestId("board-drawing")).toHaveCount(0);
};

/** key: the URL pattern, exactly as discoverPages() derives it from app/. */
export const A11Y_PAGES: Record<string, (r: A11yRecords, api: A11yApi) => A11yVisit[] | Promise<A11yVisit[]>> = {
  "/login": () => [{ path: "/login" }, { path: "/login", label: "phone", viewport: PHONE, reflow: true }],
  "/account/password": () => [{ path: "/account/password" }],
  "/": () => [{ path: "/?worklist=1" }, { path: "/?worklist=1", label: "phone", viewport: PHONE, reflow: true }],
  "/board": () => [
    { path: "/board", ready: boardDrawn },
    { path: "/board?display=wall", label: "wall display", viewport: WALL, ready: boardDrawn },
    { path: "/board", label: "phone", viewport: PHONE, reflow: true, ready: boardDrawn },
  ],
  "/patients": () => [{ path: "/patients" }],
  "/patients/new": () => [{ path: "/patients/new" }],
  "/patients/[id]": (r) => [{ path: `/patients/${r.patientId}` }],
  "/protocols": () => [{ path: "/protocols" }],
  "/protocols/new": () => [{ path: "/protocols/new" }],
  "/protocols/[id]": (r) => [{ path: `/protocols/${r.protocolId}` }],
  "/protocols/[id]/versions/new": (r) => [{ path: `/protocols/${r.protocolId}/versions/new` }],
  "/series/[id]": (r) => [
    { path: `/series/${r.seriesId}`, label: "running session with flags", ready: seriesChartsDrawn },
    { path: `/series/${r.reviewedSeriesId}`, label: "signed sessions (review)", ready: seriesChartsDrawn },
  ],
  "/series/[id]/start": (r) => [
    { path: `/series/${r.startableSeriesId}/start` },
    { path: `/series/${r.startableSeriesId}/start`, label: "phone", viewport: PHONE, reflow: true },
  ],
  "/sessions/[id]": (r) => [
    { path: `/sessions/${r.runningSessionId}`, label: "running, with flags", ready: chartsDrawn },
    { path: `/sessions/${r.runningSessionId}`, label: "running, phone", viewport: PHONE, reflow: true, ready: chartsDrawn },
    { path: `/sessions/${r.signedSessionId}`, label: "signed", ready: chartsDrawn },
  ],
  "/exports": () => [{ path: "/exports" }],
  "/admin/audit": () => [{ path: "/admin/audit" }],
  "/admin/settings": () => [{ path: "/admin/settings" }],
  "/admin/staff": () => [{ path: "/admin/staff" }],
  "/admin/chairs": () => [{ path: "/admin/chairs" }],
  "/admin/devices": () => [{ path: "/admin/devices" }],
  "/sessions/[id]/discharge": (r) => [{ path: `/sessions/${r.signedSessionId}/discharge` }],
  // the patient's page, on a phone: a live link of the reviewed series, and the neutral page an
  // unknown token gets (the same page as an expired or revoked one)
  "/check-in/[token]": async (r, api) => {
    const res = await api.NURSE.post(`/api/series/${r.reviewedSeriesId}/check-in-link`, { data: {} });
    expect(res.status(), await res.text()).toBe(200);
    const { url } = (await res.json()) as { url: string };
    return [
      { path: new URL(url).pathname, label: "phone", viewport: PHONE, reflow: true },
      { path: "/check-in/AAAAAAAAAAAAAAAAAAAAAA", label: "unknown link, phone", viewport: PHONE, reflow: true },
    ];
  },
};
