import { expect as baseExpect, test } from "@playwright/test";
import { newDemoChair, orderNeuropathicSeries, signedInPage, USERS } from "./fixtures";

// The nurse's bedside flow on a session of its own: this spec registers a patient and
// orders a series (as the physician, through the JSON API), so it never depends on or
// disturbs the seeded sessions other specs look at.

// Every save reloads the chart from the server; on a busy 2-core CI machine that can take
// longer than the default 10 s, so this flow waits up to 20 s for what a save changes.
const expect = baseExpect.configure({ timeout: 20_000 });

const NURSE = USERS.nurse;
const PHYSICIAN = USERS.physician;

test("a nurse charts a session at the bedside; the physician acknowledges its flag", async ({ browser }) => {
  // one long clinical flow, two signed-in people
  test.setTimeout(180_000);
  const familyName = `Bedside${Date.now().toString(36)}`;
  const physician = await signedInPage(browser, PHYSICIAN);
  // a new patient on the chronic neuropathic protocol (documented 0.1-0.3 mg/kg/h), ready for session 1
  await orderNeuropathicSeries(physician, { familyName, givenName: "Bedside", mrnPrefix: "E2E", birthDate: "1980-05-01", sex: "FEMALE", plannedSessions: 5 });

  // --- the nurse starts a new session from the active series
  const page = await signedInPage(browser, NURSE);
  const chair = await newDemoChair("Bedside chair");
  // the nurse's home is the chair board while sessions run: the worklists are one link away
  await page.getByRole("link", { name: "Worklists" }).click();
  const series = page.getByRole("region", { name: "Active series" }).getByRole("row", { name: new RegExp(familyName) });
  await series.getByRole("link", { name: "Start session" }).click();
  await expect(page.getByRole("heading", { name: "Start session", level: 1 })).toBeVisible();
  await page.getByLabel("Weight (kg)").fill("70");
  await page.getByLabel("Concentration (mg/mL)").fill("1");
  await page.getByRole("button", { name: "Start session" }).click();
  // both checklist ticks are required: nothing is sent without them
  await expect(page.getByText("confirm that consent is on file")).toBeVisible();
  await expect(page.getByText("choose the chair the patient is in")).toBeVisible();
  await page.getByLabel("Chair", { exact: true }).selectOption({ label: chair.name });
  await page.getByLabel("Consent confirmed").check();
  await page.getByLabel("Screening reviewed").check();
  await page.getByRole("button", { name: "Start session" }).click();
  await expect(page).toHaveURL(/\/sessions\/[a-z0-9]+$/);
  const sessionUrl = page.url();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(familyName);
  await expect(page.getByTestId("infusion-state")).toContainText("Not started");
  const saved = page.getByTestId("save-confirmation");

  // --- baseline vitals by keyboard only: type, Tab, ... Enter saves, focus returns to systolic
  const vitals = page.getByRole("form", { name: "Vitals", exact: true });
  await vitals.getByLabel("Systolic (mmHg)").focus();
  await page.keyboard.type("128");
  await page.keyboard.press("Tab");
  await page.keyboard.type("80");
  await page.keyboard.press("Tab");
  await page.keyboard.type("72");
  await page.keyboard.press("Tab");
  await page.keyboard.type("98");
  await page.keyboard.press("Tab");
  await page.keyboard.type("14");
  await page.keyboard.press("Enter");
  await expect(saved).toContainText("Vitals saved");
  await expect(vitals.getByLabel("Systolic (mmHg)")).toBeFocused();
  await expect(vitals.getByLabel("Systolic (mmHg)")).toHaveValue("");
  await expect(page.getByRole("region", { name: "Vitals log" }).getByRole("row").filter({ hasText: "128/80" })).toBeVisible();

  // an impossible value is refused beside the field, never sent
  await page.keyboard.type("400");
  await page.keyboard.press("Enter");
  await expect(vitals.getByText("must be at most 300 mmHg")).toBeVisible();
  await vitals.getByLabel("Systolic (mmHg)").fill("");

  // --- baseline pain
  const pain = page.getByRole("form", { name: "Pain", exact: true });
  await expect(pain.getByRole("radio", { name: "Before (PRE)" })).toBeChecked();
  await pain.getByRole("button", { name: "7", exact: true }).click();
  await expect(pain.getByLabel("Pain score")).toHaveValue("7");
  await pain.getByRole("button", { name: "Save pain score" }).click();
  await expect(saved).toContainText("Pain score saved");

  // --- START at an in-range rate, with the live mg/h and pump rate
  const dose = page.getByRole("form", { name: "Dose event" });
  await expect(dose.getByRole("radio", { name: "Start" })).toBeChecked();
  await dose.getByLabel("Rate (mg/kg/h)").fill("0.2");
  await expect(dose.getByText("= 14.00 mg/h · pump 14.0 mL/h")).toBeVisible();
  await expect(dose.getByTestId("live-flags")).not.toContainText("Soft flag");
  await dose.getByRole("button", { name: "Save dose event" }).click();
  await expect(saved).toContainText("Dose event saved: Start");
  await expect(page.getByTestId("infusion-state")).toContainText("Running");
  await expect(page.getByTestId("current-rate")).toHaveText("0.200 mg/kg/h");

  // --- RATE_CHANGE above the documented range: the SOFT flag shows live and needs a reason
  await expect(dose.getByRole("radio", { name: "Rate change" })).toBeChecked();
  await dose.getByLabel("Rate (mg/kg/h)").fill("0.4");
  const live = dose.getByTestId("live-flags");
  await expect(live.getByText("Rate above documented range")).toBeVisible();
  await expect(live.getByText("Soft flag")).toBeVisible();
  await dose.getByRole("button", { name: "Save dose event" }).click();
  await expect(dose.getByText("a reason is required")).toBeVisible();
  await dose.getByLabel("Reason", { exact: true }).fill("Pain 8/10 at 20 min; increased per Dr. Okoye");
  await dose.getByRole("button", { name: "Save dose event" }).click();
  await expect(saved).toContainText("Dose event saved: Rate change");
  await expect(saved).toContainText("Rate above documented range");
  await expect(page.getByTestId("current-rate")).toHaveText("0.400 mg/kg/h");

  // the flag in the flags panel, the band and the out-of-range mark on the titration chart
  const flags = page.getByTestId("flags-panel");
  const rateFlag = flags.getByRole("listitem").filter({ hasText: "Rate above documented range" });
  await expect(rateFlag).toBeVisible();
  await expect(rateFlag).toContainText("Open");
  await expect(rateFlag).toContainText("Pain 8/10 at 20 min");
  const titration = page.getByTestId("titration-chart");
  await expect(titration.getByRole("img", { name: /Documented range 0\.100–0\.300 mg\/kg\/h/ })).toBeVisible();
  await expect(titration.getByRole("img")).toHaveAccessibleName(/1 rate outside the documented range/);
  await expect(titration.getByTestId("documented-band")).toBeVisible();
  await expect(titration.getByTestId("out-of-range-point")).toHaveCount(1);

  // --- STOP, then the post-infusion pain score
  await dose.getByRole("radio", { name: "Stop" }).check();
  // stopping before the protocol's documented 120 min is itself a soft flag: the live badge is
  // the server's own verdict over the whole timeline, so the form says so and asks why
  await expect(live.getByText("Session length outside documented range")).toBeVisible();
  await dose.getByRole("button", { name: "Save dose event" }).click();
  await expect(dose.getByText("a reason is required")).toBeVisible();
  await dose.getByLabel("Reason", { exact: true }).fill("Stopped early: patient asked to end the session");
  await dose.getByRole("button", { name: "Save dose event" }).click();
  await expect(saved).toContainText("Dose event saved: Stop");
  await expect(saved).toContainText("Session length outside documented range");
  await expect(page.getByTestId("infusion-state")).toContainText("Stopped");
  await expect(pain.getByRole("radio", { name: "After (POST)" })).toBeChecked();
  await pain.getByLabel("Pain score").fill("3");
  await pain.getByRole("button", { name: "Save pain score" }).click();
  await expect(saved).toContainText("Pain score saved: 3/10 NRS, After (POST)");

  // --- complete and sign
  const complete = page.getByRole("form", { name: "Complete session" });
  await complete.getByLabel("Discharge check completed").check();
  await complete.getByLabel("Discharge comments").fill("Alert and oriented, escorted home.");
  await complete.getByRole("button", { name: "Complete session" }).click();
  await expect(page.getByTestId("session-status")).toContainText("Completed");
  await page.getByRole("button", { name: "Sign session" }).click();
  await expect(page.getByTestId("session-status")).toContainText("Signed");
  await expect(page.getByRole("button", { name: "Add addendum" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Save vitals" })).toHaveCount(0);

  // --- the physician opens the session and acknowledges the flag with a reason
  await physician.goto(sessionUrl);
  const physicianFlag = physician.getByTestId("flags-panel").getByRole("listitem").filter({ hasText: "Rate above documented range" });
  await expect(physicianFlag).toContainText("Open");
  await physicianFlag.getByRole("button", { name: "Acknowledge" }).click();
  await expect(physicianFlag.getByText("give a reason (at least 3 characters)")).toBeVisible();
  await physicianFlag.getByLabel("Acknowledgement reason").fill("Reviewed: increase appropriate for pain, vitals stable.");
  await physicianFlag.getByRole("button", { name: "Acknowledge" }).click();
  await expect(physicianFlag).toContainText("Acknowledged by Dr. Samuel Okoye");
  await expect(physicianFlag).toContainText("Reviewed: increase appropriate for pain");

  // the nurse sees the state but cannot acknowledge
  await page.reload();
  const nurseFlag = page.getByTestId("flags-panel").getByRole("listitem").filter({ hasText: "Rate above documented range" });
  await expect(nurseFlag).toContainText("Acknowledged by Dr. Samuel Okoye");
  await expect(page.getByTestId("flags-panel").getByRole("button", { name: "Acknowledge" })).toHaveCount(0);
});
