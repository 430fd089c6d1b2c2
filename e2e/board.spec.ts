import { expect as baseExpect, test, type Browser, type Page } from "@playwright/test";
import { apiAs, baseURL, DEMO_PASSWORD, USERS } from "./fixtures";

// Chairs and the chair board (docs/decisions/0013-chairs-and-the-board.md): an administrator
// adds a chair, a nurse starts a session in it from the start form, the board shows its tile
// with the chart's values, in wall mode too, and the tile opens the chart. GET /api/board
// answers the same as JSON; a user of the other clinic sees none of it.

const expect = baseExpect.configure({ timeout: 20_000 });

async function signIn(browser: Browser, email: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("current-user")).toBeVisible();
  return page;
}

type Tile = {
  key: string; chair: { id: string; name: string } | null;
  session: { id: string; patient: { name: string; mrn: string; allergies: string }; nurse: string } | null;
  clinical: { openFlags: { code: string; severity: string }[]; nextVitalsDueAtMs: number | null; lastVitals: { systolicMmHg: number } | null } | null;
  live: { state: string; rateUgPerKgPerH: number | null; pumpMlPerHText: string | null; cumulativeUgPerKg: number } | null;
};

test("an admin adds a chair, a nurse starts a session in it, the board shows its tile; wall mode; the tile opens the chart; the other clinic sees nothing", async ({ browser }) => {
  test.setTimeout(180_000);
  const tag = Date.now().toString(36);
  const chairName = `Board chair ${tag}`;
  const familyName = `Board${tag}`;

  // --- the administrator adds the chair on the chairs page
  const admin = await signIn(browser, USERS.admin);
  await admin.goto("/admin/chairs");
  await admin.getByLabel("Chair name").fill(chairName);
  await admin.getByRole("button", { name: "Add chair" }).click();
  await expect(admin.getByRole("status").filter({ hasText: `${chairName} added.` })).toBeVisible();
  await expect(admin.getByRole("row", { name: new RegExp(chairName) })).toContainText("free");

  // --- the physician orders a series (JSON API) for a patient with an allergy
  const physician = await apiAs(baseURL(), USERS.physician);
  const protocols = (await (await physician.get("/api/protocols")).json()).protocols as { name: string; versions: { id: string }[] }[];
  const neuropathic = protocols.find((p) => /^Chronic neuropathic pain/.test(p.name))!;
  const today = new Date().toISOString().slice(0, 10);
  const mrn = `BRD-${tag}`.toUpperCase();
  const patientRes = await physician.post("/api/patients", { data: {
    mrn, givenName: "Tile", familyName, birthDate: "1980-05-01", sex: "FEMALE", weightKg: 70, allergies: "Latex", consentOnFile: true, consentDate: today,
    screening: { substanceMisuse: false, psychosis: false, cardiovascular: false, hepatic: false, interactingMeds: false },
  } });
  expect(patientRes.status()).toBe(201);
  const { patient } = await patientRes.json();
  const seriesRes = await physician.post(`/api/patients/${patient.id}/series`, { data: { protocolVersionId: neuropathic.versions[0]!.id, plannedSessions: 5, intervalDays: 1, startDate: today } });
  expect(seriesRes.status()).toBe(201);
  const seriesId = (await seriesRes.json()).series.id as string;

  // --- the nurse starts the session in that chair from the start form (tablet viewport)
  const nurse = await signIn(browser, USERS.nurse, { width: 820, height: 1180 });
  await nurse.goto(`/series/${seriesId}/start`);
  const chairSelect = nurse.getByLabel("Chair", { exact: true });
  await expect(chairSelect.getByRole("option", { name: chairName })).toHaveCount(1);
  await nurse.getByLabel("Weight (kg)").fill("70");
  await nurse.getByLabel("Concentration (mg/mL)").fill("1");
  await nurse.getByLabel("Consent confirmed").check();
  await nurse.getByLabel("Screening reviewed").check();
  await nurse.getByRole("button", { name: "Start session" }).click();
  await expect(nurse.getByText("choose the chair the patient is in")).toBeVisible(); // refused before sending
  await chairSelect.selectOption({ label: chairName });
  await nurse.getByRole("button", { name: "Start session" }).click();
  await expect(nurse).toHaveURL(/\/sessions\/[a-z0-9]+$/);
  const sessionId = nurse.url().split("/").at(-1)!;
  await expect(nurse.getByTestId("session-chair")).toContainText(chairName);

  // START 0.3 mg/kg/h now, then vitals with SBP 172 (above 160: a soft flag) and a pain score, through the API
  const api = nurse.request;
  const nowIso = () => new Date().toISOString();
  expect((await api.post(`/api/sessions/${sessionId}/dose-events`, { data: { type: "START", at: nowIso(), rateMgPerKgPerH: 0.3 } })).status()).toBe(201);
  await nurse.waitForTimeout(50);
  expect((await api.post(`/api/sessions/${sessionId}/vitals`, { data: { at: nowIso(), systolicMmHg: 172, diastolicMmHg: 88, heartRatePerMin: 84, spo2Pct: 97, respRatePerMin: 14 } })).status()).toBe(201);
  expect((await api.post(`/api/sessions/${sessionId}/pain`, { data: { at: nowIso(), score: 5, scale: "NRS", phase: "INTRA" } })).status()).toBe(201);

  // --- the nurse's home is the board while sessions run
  await nurse.goto("/");
  await expect(nurse).toHaveURL(/\/board$/);
  await expect(nurse.getByRole("heading", { name: "Chair board", level: 1 })).toBeVisible();
  const tile = nurse.getByTestId("board-tile").filter({ has: nurse.getByRole("heading", { name: new RegExp(chairName) }) });
  await expect(tile).toHaveCount(1);
  await expect(tile).toHaveAttribute("data-state", "RUNNING");
  await expect(tile.getByRole("heading", { level: 2 })).toContainText(`${familyName}, Tile`);
  await expect(tile.getByRole("heading", { level: 2 })).toContainText(`MRN ${mrn}`);
  await expect(tile.getByTestId("tile-allergies")).toHaveText("Allergies: Latex");
  await expect(tile.getByTestId("tile-state")).toContainText("Running");
  // 0.3 mg/kg/h × 70 kg / 1 mg/mL = 21.0 mL/h
  await expect(tile.getByTestId("tile-rate")).toHaveText("0.300 mg/kg/h");
  await expect(tile.getByTestId("tile-pump")).toHaveText("21.0 mL/h");
  // the neuropathic protocol's cumulative limit is shown beside the dose given so far
  await expect(tile.getByTestId("tile-cumulative")).toContainText("mg/kg");
  await expect(tile.getByTestId("tile-last-vitals")).toContainText("BP 172/88");
  await expect(tile.getByTestId("tile-last-vitals")).toContainText("SOFT");
  await expect(tile.getByTestId("tile-last-pain")).toContainText("NRS 5 (intra)");
  await expect(tile.getByTestId("tile-flags")).toContainText("SOFT");
  await expect(tile).toContainText("Nurse: Nora Patel, RN");
  // the countdown is text and ticks every second on the client (the next set is due 15 min after the last)
  const due = tile.getByTestId("tile-vitals-due");
  await expect(due).toContainText("Vitals due in");
  const first = await due.textContent();
  await expect.poll(async () => due.textContent(), { timeout: 5_000 }).not.toBe(first);
  // sorting by chair keeps the tile; the control is a 48 px target
  await nurse.getByRole("radio", { name: "By chair" }).check();
  await expect(tile).toHaveCount(1);
  const toggle = nurse.getByRole("button", { name: "Wall display" });
  expect((await toggle.boundingBox())!.height).toBeGreaterThanOrEqual(48);

  // --- wall display: large type, remembered on the device, and ?display=wall
  await toggle.click();
  await expect(nurse.getByTestId("chair-board")).toHaveAttribute("data-display", "wall");
  await nurse.reload();
  await expect(nurse.getByTestId("chair-board")).toHaveAttribute("data-display", "wall");
  const fontPx = await tile.getByTestId("tile-rate").evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  expect(fontPx).toBeGreaterThanOrEqual(24);
  await nurse.getByRole("button", { name: "Leave wall display" }).click();
  await expect(nurse.getByTestId("chair-board")).toHaveAttribute("data-display", "normal");
  const wall = await signIn(browser, USERS.physician);
  await wall.goto("/board?display=wall");
  await expect(wall.getByTestId("chair-board")).toHaveAttribute("data-display", "wall");
  await expect(wall.getByTestId("board-tile").filter({ hasText: chairName })).toHaveCount(1);

  // --- the tile opens the chart
  await tile.getByRole("link", { name: /Open the chart of/ }).click();
  await expect(nurse).toHaveURL(new RegExp(`/sessions/${sessionId}$`));
  await expect(nurse.getByRole("heading", { level: 1 })).toContainText(familyName);

  // --- GET /api/board: the same tile as JSON
  const res = await api.get("/api/board");
  expect(res.status()).toBe(200);
  const board = (await res.json()) as { serverNow: string; tiles: Tile[]; counts: { chairs: number; free: number; running: number; unassigned: number } };
  expect(Date.parse(board.serverNow)).not.toBeNaN();
  const json = board.tiles.find((t) => t.session?.id === sessionId)!;
  expect(json.chair?.name).toBe(chairName);
  expect(json.session).toMatchObject({ patient: { mrn, allergies: "Latex" }, nurse: "Nora Patel, RN" });
  expect(json.live).toMatchObject({ state: "RUNNING", rateUgPerKgPerH: 300, pumpMlPerHText: "21.0" });
  expect(json.clinical?.lastVitals?.systolicMmHg).toBe(172);
  expect(json.clinical?.openFlags.map((f) => f.code)).toContain("SBP_HIGH");
  expect(board.counts.running).toBeGreaterThanOrEqual(3); // the two seeded sessions and this one

  // --- the other clinic: nothing of it in the JSON or on the page
  const otherNurse = await apiAs(baseURL(), USERS.otherNurse);
  const theirs = await (await otherNurse.get("/api/board")).json() as { tiles: Tile[] };
  expect(JSON.stringify(theirs)).not.toContain(sessionId);
  expect(JSON.stringify(theirs)).not.toContain(mrn);
  expect(theirs.tiles.some((t) => t.chair?.name === chairName)).toBe(false);
  const otherPage = await signIn(browser, USERS.otherNurse);
  await otherPage.goto("/board");
  await expect(otherPage.getByRole("heading", { name: "Chair board", level: 1 })).toBeVisible();
  await expect(otherPage.getByText(familyName)).toHaveCount(0);
  await expect(otherPage.getByText(chairName)).toHaveCount(0);
  await Promise.all([physician.dispose(), otherNurse.dispose()]);
});

test("an admin changes the chair order with the keyboard; the board's by-chair sort follows it", async ({ browser }) => {
  test.setTimeout(120_000);
  const tag = Date.now().toString(36);
  const first = `Order A ${tag}`;
  const second = `Order B ${tag}`;
  const admin = await signIn(browser, USERS.admin);
  await admin.goto("/admin/chairs");
  for (const name of [first, second]) {
    await admin.getByLabel("Chair name").fill(name);
    await admin.getByRole("button", { name: "Add chair" }).click();
    await expect(admin.getByRole("status").filter({ hasText: `${name} added.` })).toBeVisible();
  }
  const names = async () => (await admin.getByTestId("chair-row").locator("td:nth-child(2)").allTextContents()).map((t) => t.trim());
  // a new chair goes last: B right after A (the list is re-read after the announcement)
  await expect.poll(async () => { const n = await names(); return n.indexOf(second) >= 0 ? n.indexOf(second) - n.indexOf(first) : null; }).toBe(1);

  // keyboard only: focus B's "up" button, press Enter; B is now just before A, and the focus stays on B's buttons
  const up = admin.getByRole("button", { name: `Move ${second} up` });
  await up.focus();
  await admin.keyboard.press("Enter");
  await expect(admin.getByRole("status").filter({ hasText: `${second} moved up` })).toBeVisible();
  await expect.poll(async () => { const n = await names(); return n.indexOf(first) - n.indexOf(second); }).toBe(1);
  await expect(admin.getByRole("button", { name: `Move ${second} up` })).toBeFocused();
  // the last chair's "down" is disabled: nothing to move below
  const rows = admin.getByTestId("chair-row");
  const activeRows = rows.filter({ has: admin.getByRole("button", { name: /^Move .* down$/ }) });
  await expect(activeRows.last().getByRole("button", { name: /^Move .* down$/ })).toBeDisabled();

  // the board sorted by chair shows B before A
  await admin.goto("/board");
  await admin.getByRole("radio", { name: "By chair" }).check();
  // the tiles are drawn once the page runs in the browser
  await expect(admin.getByTestId("board-tile").filter({ hasText: second })).toHaveCount(1);
  const headings = (await admin.getByTestId("board-tile").locator("h2").allTextContents()).map((t) => t.trim());
  expect(headings.indexOf(second)).toBeGreaterThanOrEqual(0);
  expect(headings.indexOf(first) - headings.indexOf(second)).toBe(1);

  // the API refuses a place beyond the active chairs, naming the field; nothing changes
  const api = await apiAs(baseURL(), USERS.admin);
  const chairs = (await (await api.get("/api/admin/chairs")).json()).chairs as { id: string; name: string; active: boolean; sortOrder: number }[];
  const b = chairs.find((c) => c.name === second)!;
  const activeCount = chairs.filter((c) => c.active).length;
  const res = await api.post(`/api/admin/chairs/${b.id}`, { data: { position: activeCount + 1 } });
  expect(res.status()).toBe(400);
  expect((await res.json()).error.fields.position).toBe(`must be between 1 and ${activeCount}`);
  const after = (await (await api.get("/api/admin/chairs")).json()).chairs as { id: string; sortOrder: number }[];
  expect(after.find((c) => c.id === b.id)!.sortOrder).toBe(b.sortOrder);
  await api.dispose();
});
