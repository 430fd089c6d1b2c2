import { expect as baseExpect, test } from "@playwright/test";
import { newDemoChair, orderNeuropathicSeries, signedInPage, USERS } from "./fixtures";

// Dosing-error guards as the nurse types (docs/clinical-brief.md "Safety guards in the style
// of smart-pump drug libraries [defaults unless marked]"): the classic lb/kg slip and a
// concentration outside the protocol's drug library. The spec orders its own series through
// the JSON API, so it never touches the seeded sessions other specs read.

const expect = baseExpect.configure({ timeout: 20_000 });

test("154 typed in the kg field for a 70 kg patient: the pounds message, no start without a confirmation; a non-standard concentration asks for a reason", async ({ browser }) => {
  test.setTimeout(120_000);
  const familyName = `Guard${Date.now().toString(36)}`;
  const physician = await signedInPage(browser, USERS.physician);
  // a 70 kg patient (registered weight) on the neuropathic protocol (drug library 1 and 2 mg/mL [default])
  const { seriesId } = await orderNeuropathicSeries(physician, { familyName, givenName: "Guard", mrnPrefix: "DG", birthDate: "1975-01-01", sex: "MALE", plannedSessions: 3 });

  const chair = await newDemoChair("Guard chair");
  const page = await signedInPage(browser, USERS.nurse);
  await page.goto(`/series/${seriesId}/start`);
  await expect(page.getByRole("heading", { name: "Start session", level: 1 })).toBeVisible();
  await page.getByLabel("Chair", { exact: true }).selectOption({ label: chair.name });
  await page.getByLabel("Consent confirmed").check();
  await page.getByLabel("Screening reviewed").check();
  await page.getByLabel("Concentration (mg/mL)").fill("1");

  // the message appears as the nurse types, before any submit
  await page.getByLabel("Weight (kg)").fill("154");
  const pounds = "154 kg is 2.2 × the last weight of 70 kg: did you enter pounds?";
  await expect(page.getByText(pounds).first()).toBeVisible();
  const confirm = page.getByLabel("Weight confirmation reason");
  await expect(confirm).toBeVisible();

  // the start is refused without a confirmation: nothing is sent, the page stays
  let posted = 0;
  page.on("request", (r) => { if (r.method() === "POST" && r.url().includes(`/api/series/${seriesId}/sessions`)) posted += 1; });
  await page.getByRole("button", { name: "Start session" }).click();
  await expect(page.getByText("confirm the weight with a reason (at least 3 characters)")).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/series/${seriesId}/start$`));
  expect(posted).toBe(0);

  // the API refuses what the form refuses (same rule, one function): 400 on weightKg
  const direct = await page.request.post(`/api/series/${seriesId}/sessions`, {
    data: { weightKg: 154, concentrationMgPerMl: 1, consentConfirmed: true, screeningReviewed: true },
  });
  expect(direct.status()).toBe(400);
  expect((await direct.json()).error.fields.weightKg).toContain(pounds);

  // correcting to kg removes the question; a non-standard concentration asks for a reason
  await page.getByLabel("Weight (kg)").fill("70");
  await expect(confirm).toHaveCount(0);
  await page.getByLabel("Concentration (mg/mL)").fill("1.5");
  await expect(page.getByText("1.5 mg/mL is not one of this protocol's standard concentrations (1 mg/mL or 2 mg/mL)").first()).toBeVisible();
  const reason = page.getByLabel("Reason for a non-standard concentration");
  await expect(reason).toBeVisible();
  await page.getByRole("button", { name: "Start session" }).click();
  expect(posted).toBe(0);
  await reason.fill("Pharmacy prepared 150 mg in 100 mL");
  await page.getByRole("button", { name: "Start session" }).click();
  // the start is stored and the engine raises the soft flag, with the reason given
  const started = page.getByRole("region", { name: "Session started, with 1 flag" });
  await expect(started).toBeVisible();
  await expect(started.getByText("Concentration not standard")).toBeVisible();
  expect(posted).toBe(1);
  await started.getByRole("link", { name: "Continue to the session chart" }).click();
  await expect(page).toHaveURL(/\/sessions\/[a-z0-9]+$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(familyName);
});
