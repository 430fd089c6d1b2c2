import { expect, test, type APIRequestContext } from "@playwright/test";
import { apiAs, baseURL, loginAs, newDemoChair, USERS } from "./fixtures";

/**
 * Flags raised by the clock (docs/decisions/0011-clock-driven-flags.md), in Chromium against the
 * built app with its clock on: a running session whose first vitals set falls due ~25 s into
 * the test. The live header counts down to the due time the server uses (one interval after
 * START, not after the chart was opened), turns overdue at once when it passes, and the stored
 * VITALS_OVERDUE flag, raised by the server's clock, appears in the flags panel without anyone
 * charting and without a reload.
 */
let nurse: APIRequestContext;
let physician: APIRequestContext;

test.beforeAll(async () => {
  [nurse, physician] = await Promise.all([apiAs(baseURL(), USERS.nurse), apiAs(baseURL(), USERS.physician)]);
});

test("the live header turns overdue and the clock's VITALS_OVERDUE flag appears without charting or reloading", async ({ page }) => {
  test.setTimeout(180_000);
  const mrn = `E2E-CLOCK-${Date.now()}`;
  const created = await nurse.post("/api/patients", { data: { mrn, givenName: "Clock", familyName: "Overdue", birthDate: "1970-02-03", sex: "MALE", consentOnFile: true } });
  expect(created.status()).toBe(201);
  const patientId = (await created.json()).patient.id as string;
  const { protocols } = await (await physician.get("/api/protocols")).json();
  const protocol = protocols.find((p: { name: string }) => p.name === "IV infusion (routes table)");
  const ordered = await physician.post(`/api/patients/${patientId}/series`, {
    data: { protocolVersionId: protocol.versions[0].id, plannedSessions: 3, startDate: new Date().toISOString().slice(0, 10) },
  });
  expect(ordered.status()).toBe(201);
  const seriesId = (await ordered.json()).series.id as string;

  // The first set is due one vitals interval after START. START is back-timed (documented
  // late, with reasons) so that it falls due 25 s from now.
  const dueInMs = 25_000;
  const probe = await nurse.post(`/api/series/${seriesId}/sessions`, {
    data: {
      weightKg: 70, concentrationMgPerMl: 1, consentConfirmed: true, screeningReviewed: true, chairId: (await newDemoChair()).id,
      openedAt: new Date(Date.now() - 60 * 60_000).toISOString(), lateEntryReason: "Pump started before the chart was opened (e2e)",
    },
  });
  expect(probe.status()).toBe(201);
  const sessionId = (await probe.json()).session.id as string;
  const chart = await (await nurse.get(`/api/sessions/${sessionId}`)).json();
  const intervalMs = chart.session.protocol.limits.vitalsIntervalMin * 60_000;
  const startMs = Date.now() + dueInMs - intervalMs;
  const dueAtMs = startMs + intervalMs;
  const started = await nurse.post(`/api/sessions/${sessionId}/dose-events`, {
    data: { type: "START", at: new Date(startMs).toISOString(), rateMgPerKgPerH: 0.2, backTimeReason: "Charted after the pump was started (e2e)" },
  });
  expect(started.status()).toBe(201);

  await loginAs(page, USERS.nurse);
  await page.goto(`/sessions/${sessionId}`);
  const countdown = page.getByTestId("vitals-countdown");
  // the header's due time is the server's: START + the protocol's interval
  await expect(countdown).toHaveAttribute("data-due-at", new Date(dueAtMs).toISOString());
  await expect(countdown).toHaveAttribute("data-overdue", "false");
  await expect(countdown).toContainText("Next vitals due in");
  const flags = page.getByTestId("flags-panel");
  await expect(flags.locator('[data-flag-code="VITALS_OVERDUE"]')).toHaveCount(0);
  // a marker that a reload would wipe
  await page.evaluate(() => { (window as unknown as { __noReload: boolean }).__noReload = true; });

  // overdue in the header as soon as the due time passes (a 1 s tick)
  await expect(countdown).toHaveAttribute("data-overdue", "true", { timeout: dueInMs + 15_000 });
  expect(Date.now()).toBeGreaterThan(dueAtMs);
  await expect(countdown).toContainText("VITALS OVERDUE");

  // the clock's stored flag arrives in the flags panel: nobody charts, nobody reloads
  await expect(flags.locator('[data-flag-code="VITALS_OVERDUE"]')).toHaveCount(1, { timeout: 75_000 });
  await expect(flags.locator('[data-flag-code="VITALS_OVERDUE"]')).toContainText("Vitals are overdue");
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);

  // the stored flag is the clock's, for the gap that opened at START, and within 60 s of the due time
  const after = await (await nurse.get(`/api/sessions/${sessionId}`)).json();
  const overdue = (after.session.flags as { code: string; conditionKey: string; raisedAt: string; raisedById: string }[]).filter((f) => f.code === "VITALS_OVERDUE");
  expect(overdue).toHaveLength(1);
  expect(overdue[0]!.conditionKey).toBe(`VITALS_OVERDUE:${startMs}`);
  expect(overdue[0]!.raisedById).toBe("system");
  const lagMs = Date.parse(overdue[0]!.raisedAt) - dueAtMs;
  expect(lagMs).toBeGreaterThan(0);
  expect(lagMs).toBeLessThanOrEqual(60_000);
});
