import { expect, test } from "@playwright/test";
import { apiAs, baseURL, loginAs, USERS } from "./fixtures";

const tag = () => Math.random().toString(36).slice(2, 8);

test.describe("clinic administration", () => {
  test.describe.configure({ timeout: 120_000 });
  test("the admin creates a nurse, who signs in and must set a new password first", async ({ page, browser }) => {
    const email = `e2e.nurse.${tag()}@demo.clinic`;
    await loginAs(page, USERS.admin);
    await page.goto("/admin/staff");
    await page.waitForLoadState("networkidle"); // the form is a client component: wait for hydration
    await page.getByLabel("Name", { exact: true }).fill("Noor Haddad");
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Role", { exact: true }).selectOption("NURSE");
    // The policy is checked as the admin submits: too short first.
    await page.getByLabel("Initial password").fill("short");
    await page.getByRole("button", { name: "Add staff member" }).click();
    await expect(page.getByText("must be at least 12 characters")).toBeVisible();
    await page.getByLabel("Initial password").fill("amber-lantern-73");
    await page.getByRole("button", { name: "Add staff member" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Noor Haddad can now sign in" })).toBeVisible();
    await expect(page.getByRole("row", { name: new RegExp(email) })).toContainText("must set a new password");
    await page.screenshot({ path: test.info().outputPath("admin-staff.png"), fullPage: true });

    const ctx = await browser.newContext();
    const nursePage = await ctx.newPage();
    await nursePage.goto("/login");
    await nursePage.getByLabel("Email").fill(email);
    await nursePage.getByLabel("Password").fill("amber-lantern-73");
    await nursePage.getByRole("button", { name: "Sign in" }).click();
    await expect(nursePage).toHaveURL(/\/account\/password/);
    await nursePage.waitForLoadState("networkidle");
    // Nothing else is reachable until the password is changed (pages redirect, the API answers 403).
    await nursePage.goto("/patients");
    await expect(nursePage).toHaveURL(/\/account\/password/);
    const api = await nursePage.request.get("/api/patients");
    expect(api.status()).toBe(403);
    expect((await api.json()).error.code).toBe("PASSWORD_CHANGE_REQUIRED");

    await nursePage.getByLabel("Current password").fill("amber-lantern-73");
    await nursePage.getByLabel("New password", { exact: true }).fill("quiet-river-stone-8");
    await nursePage.getByLabel("Repeat the new password").fill("quiet-river-stone-8");
    await nursePage.screenshot({ path: test.info().outputPath("admin-password-change.png") });
    await nursePage.getByRole("button", { name: "Set password" }).click();
    await expect(nursePage.getByTestId("current-user")).toContainText("Noor Haddad");
    // the seeded sessions run: a nurse's home is the chair board
    await expect(nursePage.getByRole("heading", { name: "Chair board", level: 1 })).toBeVisible();
    await ctx.close();
  });

  test("a new, narrower protocol version is the band of a new series; the old series keeps its own", async ({ page }) => {
    await loginAs(page, USERS.admin);
    await page.goto("/protocols");
    await page.getByRole("link", { name: "IV infusion (routes table)" }).click();
    await expect(page.getByRole("heading", { name: "IV infusion (routes table)" })).toBeVisible();
    const protocolUrl = page.url();
    await page.getByRole("link", { name: "New version" }).click();
    await page.waitForLoadState("networkidle"); // the editor is a client component: wait for hydration

    // An inconsistent range is refused beside the field, and nothing is saved.
    await page.getByLabel("Documented rate, high (mg/kg/h)").fill("0.05");
    await expect(page.getByText("must not be below the documented minimum rate")).toBeVisible();
    await page.getByLabel("Documented rate, high (mg/kg/h)").fill("0.25");
    await page.getByLabel("Documented rate, low (mg/kg/h)").fill("0.15");
    await page.getByLabel("How the wording was read into limits (what changed and why)").fill("Clinic policy: narrower range for initial treatment.");
    await expect(page.getByTestId("band-preview-text")).toContainText("Documented range 0.150–0.250 mg/kg/h");
    await expect(page.getByTestId("titration-chart")).toContainText("Documented range 0.150–0.250 mg/kg/h");
    await page.screenshot({ path: test.info().outputPath("admin-protocol-version.png"), fullPage: true });
    await page.getByRole("button", { name: "Save as new version" }).click();
    await expect(page).toHaveURL(protocolUrl);
    const table = page.getByRole("table", { name: "Limits by version" });
    await expect(table.getByRole("columnheader", { name: /\(current\)/ })).toContainText(/v\d+ \(current\)/);
    await expect(table.getByRole("row", { name: /Documented rate, high/ })).toContainText("0.250");

    // The physician orders a new series on the newest version (the JSON API, as an EHR would).
    const physician = await apiAs(baseURL(), USERS.physician);
    const protocols = (await (await physician.get("/api/protocols")).json()).protocols as { id: string; name: string; versions: { id: string; version: number; limits: { softMaxRateUgPerKgPerH: number } }[] }[];
    const iv = protocols.find((p) => p.name === "IV infusion (routes table)")!;
    const [newest, ...older] = iv.versions;
    expect(newest!.limits.softMaxRateUgPerKgPerH).toBe(250);
    const patients = (await (await physician.get("/api/patients")).json()).patients as { id: string }[];
    const res = await physician.post(`/api/patients/${patients[0]!.id}/series`, {
      data: { protocolVersionId: newest!.id, plannedSessions: 3, startDate: new Date().toISOString().slice(0, 10) },
    });
    expect(res.status()).toBe(201);
    const seriesId = (await res.json()).series.id as string;
    // A nurse cannot make versions (403) and a bad range is a 400 with field messages.
    const nurse = await apiAs(baseURL(), USERS.nurse);
    const nurseTry = await nurse.post(`/api/protocols/${iv.id}/versions`, { data: {} });
    expect(nurseTry.status()).toBe(403);
    const bad = await (await apiAs(baseURL(), USERS.admin)).post(`/api/protocols/${iv.id}/versions`, {
      data: { doseBasis: "RATE_PER_KG", softMinRateMgPerKgPerH: 0.4, softMaxRateMgPerKgPerH: 0.2, hardMaxRateMgPerKgPerH: 1, hardMaxBolusMgPerKg: 1, sourceDocument: "x policy", sourceWording: "x wording" },
    });
    expect(bad.status()).toBe(400);
    expect((await bad.json()).error.fields).toHaveProperty("softMaxRateMgPerKgPerH");
    const after = (await (await physician.get("/api/protocols")).json()).protocols.find((p: { id: string }) => p.id === iv.id);
    expect(after.versions).toHaveLength(older.length + 1);

    await page.goto(`/series/${seriesId}`);
    await expect(page.getByText("0.150–0.250 mg/kg/h").first()).toBeVisible();
    await page.screenshot({ path: test.info().outputPath("admin-new-series-band.png") });
  });

  test("settings and audit log are for administrators only", async ({ page }) => {
    await loginAs(page, USERS.nurse);
    await page.goto("/admin/audit");
    await expect(page.getByRole("heading", { name: "Not available for your role" })).toBeVisible();
    const nurse = await apiAs(baseURL(), USERS.nurse);
    expect((await nurse.get("/api/admin/users")).status()).toBe(403);
    expect((await nurse.post("/api/admin/users", { data: { name: "x", email: "x@y.z", role: "ADMIN", password: "long-enough-password" } })).status()).toBe(403);

    await loginAs(page, USERS.admin);
    await page.goto("/admin/audit?action=user.create");
    await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
    await page.screenshot({ path: test.info().outputPath("admin-audit.png"), fullPage: true });
    await page.goto("/admin/settings");
    await page.waitForLoadState("networkidle");
    await expect(page.getByLabel("Idle sign-out (minutes)")).toHaveValue("15");
    await page.getByLabel("Idle sign-out (minutes)").fill("61");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.getByText("must be at most 60 minutes")).toBeVisible();
    await page.screenshot({ path: test.info().outputPath("admin-settings.png"), fullPage: true });
  });
  test("the admin sees who accessed a patient on its page, and the access report filters by patient with a cursor", async ({ page }) => {
    const nurse = await apiAs(baseURL(), USERS.nurse);
    const admin = await apiAs(baseURL(), USERS.admin);
    try {
      const mrn = `E2E-ACC-${tag()}`.toUpperCase();
      const created = await nurse.post("/api/patients", { data: { mrn, givenName: "Access", familyName: "Watched", birthDate: "1971-02-03", sex: "FEMALE", consentOnFile: true } });
      expect(created.status()).toBe(201);
      const patientId = (await created.json()).patient.id as string;
      // the nurse reads the record twice through the JSON API
      for (let i = 0; i < 2; i++) expect((await nurse.get(`/api/patients/${patientId}`)).status()).toBe(200);

      await loginAs(page, USERS.admin);
      await page.goto(`/patients/${patientId}`);
      const section = page.getByRole("region", { name: "Who accessed this patient" });
      await expect(section).toBeVisible();
      const nurseRows = section.getByRole("row").filter({ hasText: "GET /api/patients/[id]" });
      await expect(nurseRows).toHaveCount(2);
      await expect(nurseRows.first()).toContainText("nurse");
      // the admin's own visit is listed too (newest first)
      await expect(section.getByRole("row").nth(1)).toContainText("page /patients/[id]");

      const first = await admin.get(`/api/admin/access-log?patientId=${patientId}&limit=2`);
      expect(first.status()).toBe(200);
      const page1 = await first.json();
      expect(page1.entries).toHaveLength(2);
      expect(page1.nextCursor).toEqual(expect.any(String));
      const page2 = await (await admin.get(`/api/admin/access-log?patientId=${patientId}&limit=2&cursor=${page1.nextCursor}`)).json();
      const all = [...page1.entries, ...page2.entries];
      expect(all.filter((e: { route: string; role: string }) => e.route === "GET /api/patients/[id]" && e.role === "NURSE")).toHaveLength(2);
      // bad input: a clear 400 naming the field; the nurse may not read it at all
      const bad = await admin.get("/api/admin/access-log?from=yesterday");
      expect(bad.status()).toBe(400);
      expect((await bad.json()).error.fields.from).toBeTruthy();
      expect((await nurse.get("/api/admin/access-log")).status()).toBe(403);
    } finally {
      await Promise.all([nurse.dispose(), admin.dispose()]);
    }
  });
});
