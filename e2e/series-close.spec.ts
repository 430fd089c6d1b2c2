import { expect, test, type APIRequestContext } from "@playwright/test";
import { apiAs, baseURL, loginAs, USERS } from "./fixtures";

/**
 * Ending a series (decision 0005: "all series, active and past, with their status") in Chromium:
 * the physician ends a fresh series from the patient page; cancelling asks for a reason;
 * the series then shows as cancelled with who, when and why, and takes no new session.
 * A nurse cannot (403, nothing changes, no control on the page).
 */
let nurse: APIRequestContext;
let physician: APIRequestContext;

test.beforeAll(async () => {
  [nurse, physician] = await Promise.all([apiAs(baseURL(), USERS.nurse), apiAs(baseURL(), USERS.physician)]);
});

test("a physician cancels a series with a reason; it then takes no session; a nurse cannot", async ({ page }) => {
  const mrn = `E2E-CLOSE-${Date.now()}`;
  const created = await nurse.post("/api/patients", { data: { mrn, givenName: "Closing", familyName: "Series", birthDate: "1975-06-01", sex: "FEMALE", consentOnFile: true } });
  expect(created.status()).toBe(201);
  const patientId = (await created.json()).patient.id as string;
  const { protocols } = await (await physician.get("/api/protocols")).json();
  const versionId = protocols.find((p: { name: string }) => /fibromyalgia/i.test(p.name)).versions[0].id as string;
  const ordered = await physician.post(`/api/patients/${patientId}/series`, { data: { protocolVersionId: versionId, plannedSessions: 4, startDate: new Date().toISOString().slice(0, 10) } });
  expect(ordered.status()).toBe(201);
  const seriesId = (await ordered.json()).series.id as string;

  // a nurse's attempt is refused and changes nothing
  expect((await nurse.post(`/api/series/${seriesId}/close`, { data: { outcome: "COMPLETED" } })).status()).toBe(403);
  const seriesRow = async () => (await (await physician.get(`/api/patients/${patientId}`)).json()).patient.series.find((s: { id: string }) => s.id === seriesId);
  expect((await seriesRow()).status).toBe("ACTIVE");

  await loginAs(page, USERS.nurse);
  await page.goto(`/patients/${patientId}`);
  await expect(page.getByRole("link", { name: "Start session" })).toBeVisible();
  await expect(page.getByRole("button", { name: /End series/ })).toHaveCount(0);

  await loginAs(page, USERS.physician);
  await page.goto(`/patients/${patientId}`);
  await page.getByRole("button", { name: /End series/ }).click();
  const form = page.getByRole("form", { name: /End series/ });
  await form.getByLabel("Cancelled").check();
  await form.getByRole("button", { name: "End series" }).click();
  await expect(form.getByText("say why the series is cancelled")).toBeVisible(); // refused before sending
  expect((await seriesRow()).status).toBe("ACTIVE");

  await form.getByLabel("Reason (required)").fill("Patient chose to stop: travel");
  await form.getByRole("button", { name: "End series" }).click();
  const row = page.getByRole("row", { name: /Fibromyalgia/i });
  await expect(row).toContainText("cancelled");
  await expect(row).toContainText("Dr. Samuel Okoye: Patient chose to stop: travel");
  await expect(row.getByRole("button", { name: /End series/ })).toHaveCount(0);
  await expect(row.getByRole("link", { name: "Start session" })).toHaveCount(0);

  const after = await seriesRow();
  expect(after).toMatchObject({ status: "CANCELLED", closeReason: "Patient chose to stop: travel", closedBy: "Dr. Samuel Okoye" });
  // no new session, no second close
  expect((await nurse.post(`/api/series/${seriesId}/sessions`, { data: { weightKg: 70, concentrationMgPerMl: 1 } })).status()).toBe(409);
  expect((await physician.post(`/api/series/${seriesId}/close`, { data: { outcome: "COMPLETED" } })).status()).toBe(409);
});
