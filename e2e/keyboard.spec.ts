import { expect as baseExpect, test, type Locator, type Page } from "@playwright/test";
import { apiAs, baseURL, DEMO_PASSWORD, newChair, orderNeuropathicSeries, USERS } from "./fixtures";

// A nurse charts a whole session without the mouse (docs/decisions/0016-accessibility.md):
// sign in, start the session, baseline vitals, the before score, START, a rate change, vitals
// and a pain score during the infusion, STOP, the after score, complete. Only keyboard.press and keyboard.type touch the page; at every stop the
// focus is visible, and after each save it lands in the form just used, not at the top.

const expect = baseExpect.configure({ timeout: 20_000 });

/** Whether the focused element shows a focus ring (its own, or its styled sibling for the segmented radios). */
async function focusRing(page: Page): Promise<{ visible: boolean; what: string }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { visible: false, what: "nothing (body)" };
    const what = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""} "${(el.getAttribute("aria-label") ?? el.textContent ?? (el as HTMLInputElement).value ?? "").trim().slice(0, 40)}"`;
    const ringed = (node: Element | null) => {
      if (!node) return false;
      const s = getComputedStyle(node);
      return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
    };
    // the segmented radios are transparent inputs over a span that draws their ring
    const drawn = getComputedStyle(el).opacity === "0" ? el.nextElementSibling : el;
    return { visible: el.matches(":focus-visible") && ringed(drawn), what };
  });
}

/** Presses Tab (or Shift+Tab) until `target` (or, with `within`, something inside it) has the focus. */
async function tabTo(page: Page, target: Locator, { back = false, within = false, max = 120 } = {}) {
  const key = back ? "Shift+Tab" : "Tab";
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const reached = await target.evaluate((el, inside) => (inside ? el.contains(document.activeElement) : el === document.activeElement), within);
    if (reached) {
      const ring = await focusRing(page);
      expect(ring.visible, `the focus on ${ring.what} is visible`).toBe(true);
      return;
    }
  }
  throw new Error(`${key} never reached ${target}`);
}

/** In a focused radio group, the arrow keys move to `radio` (and check it). */
async function arrowToRadio(page: Page, radio: Locator, max = 8) {
  const isThere = async () => (await radio.isChecked()) && (await radio.evaluate((el) => el === document.activeElement));
  for (let i = 0; i < max && !(await isThere()); i++) await page.keyboard.press("ArrowRight");
  await expect(radio).toBeChecked();
  await expect(radio).toBeFocused();
}

async function expectFocusInside(page: Page, region: Locator, what: string) {
  await expect.poll(async () => region.evaluate((el) => el.contains(document.activeElement)), { message: `after saving, the focus is in ${what}` }).toBe(true);
  expect((await focusRing(page)).visible, "and it is visible").toBe(true);
}

test("a nurse starts, charts and completes a session with the keyboard alone", async ({ browser }) => {
  // generous: some 150 key presses, each checked, on a loaded 2-core machine
  test.setTimeout(600_000);
  const tag = Date.now().toString(36);
  const physician = await apiAs(baseURL(), USERS.physician);
  const admin = await apiAs(baseURL(), USERS.admin);
  const { seriesId } = await orderNeuropathicSeries(physician, { familyName: `Keys${tag}`, givenName: "Kim", mrnPrefix: "KBD", birthDate: "1971-03-08", sex: "FEMALE", plannedSessions: 3 });
  const chair = await newChair(admin, "Keyboard chair");
  await Promise.all([physician.dispose(), admin.dispose()]);

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();

  // --- sign in
  await page.goto("/login");
  await tabTo(page, page.getByLabel("Email"));
  await page.keyboard.type(USERS.nurse);
  await tabTo(page, page.getByLabel("Password"));
  await page.keyboard.type(DEMO_PASSWORD);
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("current-user")).toBeVisible();

  // --- the first Tab of a signed-in page offers to skip the navigation
  await page.goto(`/series/${seriesId}/start`);
  await expect(page.getByRole("heading", { name: "Before the infusion" })).toBeVisible();
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to main content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press("Enter");
  await expect(page.locator("main")).toBeFocused();

  // --- start the session: chair, weight, concentration, the checklist
  const chairSelect = page.getByLabel("Chair", { exact: true });
  await tabTo(page, chairSelect);
  for (let i = 0; i < 60 && (await chairSelect.inputValue()) !== chair.id; i++) await page.keyboard.press("ArrowDown");
  await expect(chairSelect).toHaveValue(chair.id);
  await tabTo(page, page.getByLabel("Weight (kg)"));
  await page.keyboard.type("70");
  await tabTo(page, page.getByLabel("Concentration (mg/mL)"));
  await page.keyboard.type("1");
  await tabTo(page, page.getByLabel("Consent confirmed"));
  await page.keyboard.press("Space");
  await tabTo(page, page.getByLabel("Screening reviewed"));
  await page.keyboard.press("Space");
  await expect(page.getByRole("button", { name: "Start session" })).toBeEnabled();
  await tabTo(page, page.getByRole("button", { name: "Start session" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/sessions\/[a-z0-9]+$/);
  await expect(page.getByTestId("session-chair")).toContainText(chair.name);

  const confirmation = page.getByTestId("save-confirmation");
  const doseForm = page.getByRole("form", { name: "Dose event" });
  const vitalsForm = page.getByRole("form", { name: "Vitals" });
  const painForm = page.getByRole("form", { name: "Pain" });

  // --- baseline vitals, then the before score: charted first, before the START (the start form says so)
  await tabTo(page, vitalsForm.getByLabel("Systolic (mmHg)"));
  for (const value of ["124", "78", "72", "98", "14"]) {
    await page.keyboard.type(value);
    await page.keyboard.press("Tab");
  }
  await expect(vitalsForm.getByLabel("Resp. rate (/min)")).toHaveValue("14");
  await expect(vitalsForm.getByRole("button", { name: "Save vitals" })).toBeEnabled();
  await tabTo(page, vitalsForm.getByRole("button", { name: "Save vitals" }));
  await page.keyboard.press("Enter");
  await expect(confirmation).toContainText("Vitals saved");
  await expect(vitalsForm.getByLabel("Systolic (mmHg)")).toBeFocused();

  // --- the before score (the form proposes the phase; the score is typed, the 0-10 buttons are for touch)
  await tabTo(page, painForm.getByLabel("Pain score"));
  await page.keyboard.type("6");
  await expect(painForm.getByRole("button", { name: "Save pain score" })).toBeEnabled();
  await tabTo(page, painForm.getByRole("button", { name: "Save pain score" }));
  await page.keyboard.press("Enter");
  await expect(confirmation).toContainText("Pain score saved: 6/10 NRS, Before (PRE)");
  await expectFocusInside(page, painForm, "the pain form");

  // --- START at 0.2 mg/kg/h
  await tabTo(page, doseForm.getByRole("radiogroup"), { back: true, within: true });
  await arrowToRadio(page, doseForm.getByRole("radio", { name: "Start" }));
  await tabTo(page, doseForm.getByLabel("Rate (mg/kg/h)"));
  await page.keyboard.type("0.2");
  await expect(doseForm.getByRole("button", { name: "Save dose event" })).toBeEnabled();
  await tabTo(page, doseForm.getByRole("button", { name: "Save dose event" }));
  await page.keyboard.press("Enter");
  await expect(confirmation).toContainText("Dose event saved: Start");
  await expect(page.getByTestId("infusion-state")).toContainText("Running");
  await expectFocusInside(page, doseForm, "the dose event form");

  // --- a rate change to 0.25 mg/kg/h (within the documented 0.1-0.3: no reason asked)
  const rateChange = doseForm.getByRole("radio", { name: "Rate change" });
  const doseTypes = doseForm.getByRole("radiogroup");
  if (!(await doseTypes.evaluate((el) => el.contains(document.activeElement)))) await tabTo(page, doseTypes, { back: true, within: true });
  await arrowToRadio(page, rateChange);
  await tabTo(page, doseForm.getByLabel("Rate (mg/kg/h)"));
  await page.keyboard.type("0.25");
  await expect(doseForm.getByRole("button", { name: "Save dose event" })).toBeEnabled();
  await tabTo(page, doseForm.getByRole("button", { name: "Save dose event" }));
  await page.keyboard.press("Enter");
  await expect(confirmation).toContainText("Dose event saved: Rate change");
  await expect(page.getByTestId("current-rate")).toHaveText("0.250 mg/kg/h");
  await expectFocusInside(page, doseForm, "the dose event form");

  // --- vitals during the infusion (after the increase), typed field by field like the baseline
  await tabTo(page, vitalsForm.getByLabel("Systolic (mmHg)"));
  for (const value of ["128", "80", "76", "97", "15"]) {
    await page.keyboard.type(value);
    await page.keyboard.press("Tab");
  }
  await expect(vitalsForm.getByLabel("Resp. rate (/min)")).toHaveValue("15");
  await tabTo(page, vitalsForm.getByRole("button", { name: "Save vitals" }));
  await page.keyboard.press("Enter");
  await expect(confirmation).toContainText("Vitals saved");
  await expect(vitalsForm.getByLabel("Systolic (mmHg)")).toBeFocused();

  // --- a pain score during the infusion: the form proposes "During" while it runs
  await tabTo(page, painForm.getByLabel("Pain score"));
  await expect(painForm.getByRole("radio", { name: "During (INTRA)" })).toBeChecked();
  await page.keyboard.type("4");
  await tabTo(page, painForm.getByRole("button", { name: "Save pain score" }));
  await page.keyboard.press("Enter");
  await expect(confirmation).toContainText("Pain score saved: 4/10 NRS, During (INTRA)");
  await expectFocusInside(page, painForm, "the pain form");

  // --- STOP (the focus is still on the event types after the save)
  if (!(await doseTypes.evaluate((el) => el.contains(document.activeElement)))) await tabTo(page, doseTypes, { back: true, within: true });
  await arrowToRadio(page, doseForm.getByRole("radio", { name: "Stop" }));
  // stopping before the protocol's documented length is a soft flag: the form asks why, and the
  // reason is typed like any other field
  await expect(doseForm.getByText("Session length outside documented range")).toBeVisible();
  await tabTo(page, doseForm.getByLabel("Reason", { exact: true }));
  await page.keyboard.type("Stopped early: patient asked to end the session");
  await expect(doseForm.getByRole("button", { name: "Save dose event" })).toBeEnabled();
  await tabTo(page, doseForm.getByRole("button", { name: "Save dose event" }));
  await page.keyboard.press("Enter");
  await expect(confirmation).toContainText("Dose event saved: Stop");
  await expect(page.getByTestId("infusion-state")).toContainText("Stopped");

  // --- the after score, then complete
  await tabTo(page, painForm.getByRole("radio", { name: "After (POST)" }).locator("xpath=ancestor::fieldset[1]"), { within: true });
  await arrowToRadio(page, painForm.getByRole("radio", { name: "After (POST)" }));
  await tabTo(page, painForm.getByLabel("Pain score"));
  await page.keyboard.type("2");
  await expect(painForm.getByRole("button", { name: "Save pain score" })).toBeEnabled();
  await tabTo(page, painForm.getByRole("button", { name: "Save pain score" }));
  await page.keyboard.press("Enter");
  await expect(confirmation).toContainText("Pain score saved: 2/10 NRS, After (POST)");

  const completeForm = page.getByRole("form", { name: "Complete session" });
  await tabTo(page, completeForm.getByLabel("Discharge check completed"));
  await page.keyboard.press("Space");
  await expect(completeForm.getByRole("button", { name: "Complete session" })).toBeEnabled();
  await tabTo(page, completeForm.getByRole("button", { name: "Complete session" }));
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("session-status")).toContainText("Completed");
  await expect(confirmation).toContainText("Session completed.");
  await context.close();
});
