import { expect, test, type APIRequestContext } from "@playwright/test";
import { apiAs, baseURL, loginAs, USERS } from "./fixtures";

/**
 * Physician review (decision 0005) in Chromium against the seeded demo: the physician opens a
 * patient, sees the series across weeks with the documented band, acknowledges a flag
 * with a reason and signs the review; a nurse can do neither (403, nothing changes, no
 * controls in the page); another clinic sees nothing (404).
 */
test.describe.configure({ mode: "serial" });

let nurse: APIRequestContext;
let physician: APIRequestContext;
let otherPhysician: APIRequestContext;
let seriesId = "";

async function summary(ctx: APIRequestContext) {
  const res = await ctx.get(`/api/series/${seriesId}/summary`);
  expect(res.status()).toBe(200);
  return res.json();
}

test.beforeAll(async () => {
  [nurse, physician, otherPhysician] = await Promise.all([
    apiAs(baseURL(), USERS.nurse), apiAs(baseURL(), USERS.physician), apiAs(baseURL(), USERS.otherPhysician),
  ]);
  const { patients } = await (await physician.post("/api/patients/search", { data: { q: "Alvarez" } })).json();
  const maria = patients.find((p: { mrn: string }) => p.mrn === "DPC-1001");
  const patient = (await (await physician.get(`/api/patients/${maria.id}`)).json()).patient;
  // The seeded weekly CRPS series (other specs may order new, empty series for her).
  seriesId = patient.series.find((s: { protocolName: string; sessionCount: number }) => /CRPS outpatient/.test(s.protocolName) && s.sessionCount >= 5).id;
});

test.afterAll(async () => {
  await Promise.all([nurse?.dispose(), physician?.dispose(), otherPhysician?.dispose()]);
});

test("the summary API answers per-session rows and the response summary", async () => {
  const s = await summary(physician);
  expect(s.rows.length).toBeGreaterThanOrEqual(5);
  for (const key of ["date", "preNrs", "postNrs", "reliefPct", "totalMgPerKg", "peakRateMgPerKgPerH", "maxSideEffectSeverity", "openFlags", "ackedFlags"])
    expect(s.rows[0]).toHaveProperty(key);
  // Alvarez: pre 8 -> post 5 at the first session = 37.5%
  expect(s.rows[0]).toMatchObject({ preNrs: 8, postNrs: 5, reliefPct: 37.5 });
  expect(s.response).toMatchObject({ responder: expect.stringMatching(/MEANINGFUL|SUBSTANTIAL/), isResponder30: true });
  expect((await otherPhysician.get(`/api/series/${seriesId}/summary`)).status()).toBe(404);
});

test("a nurse cannot acknowledge flags or sign the review: 403 and nothing changes", async ({ page }) => {
  const before = await summary(nurse);
  const open = before.flags.filter((f: { acknowledgedAt: string | null }) => !f.acknowledgedAt);
  expect(open.length).toBeGreaterThan(0); // the seeded 0.45 mg/kg/h rate of session 3
  const ack = await nurse.post(`/api/flags/${open[0].id}/acknowledge`, { data: { reason: "Nurse trying to acknowledge" } });
  expect(ack.status()).toBe(403);
  const bulk = await nurse.post(`/api/flags/acknowledge`, { data: { flagIds: open.map((f: { id: string }) => f.id), reason: "Nurse trying" } });
  expect(bulk.status()).toBe(403);
  const sign = await nurse.post(`/api/series/${seriesId}/reviews`, { data: { note: "Nurse trying to sign" } });
  expect(sign.status()).toBe(403);
  const after = await summary(nurse);
  expect(after.flags).toEqual(before.flags);
  expect(after.reviews).toEqual(before.reviews);

  await loginAs(page, USERS.nurse);
  await page.goto(`/series/${seriesId}`);
  await expect(page.getByTestId("series-pain-chart")).toBeVisible();
  await expect(page.getByRole("button", { name: /sign review/i })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^acknowledge/i })).toHaveCount(0);
});

test("the physician reviews the series across weeks, acknowledges a flag and signs", async ({ page }) => {
  test.setTimeout(120_000);
  await loginAs(page, USERS.physician);
  await page.getByRole("link", { name: "Patients" }).click();
  await page.getByRole("link", { name: /Alvarez/ }).first().click();
  // her current course (the earlier one, a year ago, is completed)
  await page.getByRole("row", { name: /CRPS outpatient.*\bactive\b/ }).getByRole("link", { name: "Review series" }).click();
  await expect(page).toHaveURL(new RegExp(`/series/${seriesId}$`));

  // the across-weeks charts, with the documented band shaded on the dose chart
  for (const id of ["series-pain-chart", "series-dose-chart", "series-side-effects-chart", "series-flags-chart", "series-schedule-chart"])
    await expect(page.getByTestId(id)).toBeVisible();
  await expect(page.getByTestId("series-dose-chart").getByTestId("series-documented-band")).toBeVisible();
  await expect(page.getByRole("img", { name: /Dose per session against the documented band/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /30% \(meaningful\) and 50% \(substantial\)/ })).toBeVisible();
  for (const points of await page.locator("[data-chart-points]").evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-chart-points")))))
    expect(points).toBeLessThanOrEqual(2000);
  await expect(page.getByTestId("responder")).toContainText(/Responder/);
  // the sessions table links to each session's chart
  await expect(page.getByTestId("sessions-table").getByRole("link", { name: /Chart/ }).first()).toHaveAttribute("href", /\/sessions\//);

  // acknowledge one flag with a reason
  const openBefore = await page.getByTestId("open-flag").count();
  expect(openBefore).toBeGreaterThan(0);
  const ackedBefore = await page.getByTestId("acked-flag").count();
  const first = page.getByTestId("open-flag").first();
  await first.getByRole("textbox", { name: /Reason for acknowledging/ }).fill("Rate increase per standing order; tolerated.");
  await first.getByRole("button", { name: "Acknowledge" }).click();
  await expect(page.getByTestId("open-flag")).toHaveCount(openBefore - 1);
  await expect(page.getByTestId("acked-flag")).toHaveCount(ackedBefore + 1);
  await page.getByText(/Acknowledged flags/).click();
  await expect(page.getByTestId("acked-flag").filter({ hasText: "Rate increase per standing order" })).toContainText("Dr. Samuel Okoye");

  // sign the series review; it is then locked
  await page.getByLabel("Review note").fill("Meaningful response at 0.35 mg/kg/h, well tolerated. Continue weekly; recheck BP.");
  await page.getByRole("button", { name: "Sign review" }).click();
  await expect(page.getByTestId("signed-review")).toContainText("Meaningful response at 0.35 mg/kg/h");
  await expect(page.getByTestId("signed-review")).toContainText("locked");
  await expect(page.getByRole("button", { name: "Sign addendum" })).toBeVisible();

  // a second signature on the signed review answers 409; an addendum is accepted
  const again = await physician.post(`/api/series/${seriesId}/reviews`, { data: { note: "Second signature" } });
  expect(again.status()).toBe(409);
  const reviewId = (await summary(physician)).reviews[0].id;
  const addendum = await physician.post(`/api/series/${seriesId}/reviews`, { data: { note: "Follow-up call: relief lasted 6 days.", addendumToId: reviewId } });
  expect(addendum.status()).toBe(201);
  await page.reload();
  await expect(page.getByTestId("review-addendum")).toContainText("relief lasted 6 days");
});
