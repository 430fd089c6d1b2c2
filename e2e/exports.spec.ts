import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { parse } from "csv-parse/sync";
import { extractText, getDocumentProxy } from "unpdf";
import { apiAs, baseURL, loginAs, USERS } from "./fixtures";

/**
 * Exports (decision 0006) in Chromium against the seeded demo: an administrator filters, sees the
 * count and the progress, downloads a CSV and a PDF; the test reads both files (CSV parsed,
 * PDF text extracted). A nurse has no Exports link and the API refuses her; a bad filter is
 * a 400 with the field.
 */
test.describe.configure({ mode: "serial" });

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

test("an admin filters, sees the count and progress, downloads CSV and PDF", async ({ page }) => {
  await loginAs(page, USERS.admin);
  await page.getByRole("link", { name: "Exports" }).click();
  await expect(page.getByRole("heading", { name: "Exports" })).toBeVisible();

  await page.getByLabel("From (session date)").fill(daysAgo(120));
  await page.getByLabel("To (inclusive)").fill(daysAgo(-1));
  await expect(page.getByLabel("Status")).toHaveValue("signed"); // signed only by default
  const count = page.getByTestId("export-count");
  await expect(count).toHaveText(/^\d+ sessions? match/);
  const all = Number((await count.textContent())!.match(/^\d+/)![0]);
  expect(all).toBeGreaterThan(1);

  // narrowing to one patient lowers the count
  const alvarezOption = page.getByLabel("Patient").locator("option", { hasText: "Alvarez" });
  await page.getByLabel("Patient").selectOption((await alvarezOption.getAttribute("value"))!);
  await expect(count).not.toHaveText(`${all} sessions match`);
  const alvarez = Number((await count.textContent())!.match(/^\d+/)![0]);
  expect(alvarez).toBeGreaterThan(0);
  expect(alvarez).toBeLessThan(all);
  const mrn = (await page.getByLabel("Patient").locator("option:checked").textContent())!.match(/\(([^)]+)\)/)![1]!;

  // a bad range is shown beside the field and the export cannot start
  await page.getByLabel("From (session date)").fill(daysAgo(-5));
  await expect(page.getByText("must be on or before the end date (to)")).toBeVisible();
  await expect(page.getByRole("button", { name: /^Export/ })).toBeDisabled();
  await page.getByLabel("From (session date)").fill(daysAgo(120));
  await expect(count).toHaveText(`${alvarez} session${alvarez === 1 ? "" : "s"} match${alvarez === 1 ? "es" : ""}`);

  // CSV
  const csvDownload = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  const csv = await csvDownload;
  expect(csv.suggestedFilename()).toBe(`titrate-sessions-${daysAgo(120)}_${daysAgo(-1)}.csv`);
  await expect(page.getByTestId("export-progress")).toHaveText(new RegExp(`Done: ${alvarez} of ${alvarez} sessions`));
  await expect(page.getByRole("progressbar", { name: "Export progress" })).toBeVisible();
  const csvText = await readFile((await csv.path())!, "utf8");
  expect(csvText.charCodeAt(0)).toBe(0xfeff);
  const rows: string[][] = parse(csvText.slice(1));
  expect(rows[0]!.slice(0, 3)).toEqual(["Clinic", "MRN", "Patient name"]);
  expect(rows).toHaveLength(alvarez + 1);
  for (const r of rows.slice(1)) {
    expect(r[1]).toBe(mrn);
    expect(r[7]).toBe("SIGNED");
    expect(r[8]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  }

  // PDF: one page per session, the patient's MRN in the text
  await page.getByRole("radio", { name: /^PDF/ }).check({ force: true });
  const pdfDownload = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export PDF" }).click();
  const pdf = await pdfDownload;
  expect(pdf.suggestedFilename()).toMatch(/^titrate-sessions-.+\.pdf$/);
  const doc = await getDocumentProxy(new Uint8Array(await readFile((await pdf.path())!)));
  const { totalPages, text } = await extractText(doc, { mergePages: true });
  expect(totalPages).toBe(alvarez);
  expect(text).toContain(`MRN ${mrn}`);
  expect(text).toContain("Titration");
});

test("a nurse has no Exports link and the API refuses her; a bad filter is a 400 with its field", async ({ page }) => {
  await loginAs(page, USERS.nurse);
  await expect(page.getByRole("link", { name: "Exports" })).toHaveCount(0);
  const nurse = await apiAs(baseURL(), USERS.nurse);
  expect((await nurse.get("/api/exports/sessions?format=csv")).status()).toBe(403);
  const admin = await apiAs(baseURL(), USERS.admin);
  const bad = await admin.get("/api/exports/sessions?format=csv&from=2026-11-20&to=2026-11-01");
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error).toMatchObject({ code: "BAD_INPUT", fields: { from: expect.any(String) } });
  const unknown = await admin.get("/api/exports/sessions?format=csv&protocolId=nosuchprotocol");
  expect(unknown.status()).toBe(400);
  expect((await unknown.json()).error.fields).toHaveProperty("protocolId");
  // FHIR over the API: a Bundle of the admin's clinic only
  const fhir = await admin.get(`/api/exports/sessions?format=fhir&status=all`);
  expect(fhir.status()).toBe(200);
  expect(fhir.headers()["x-total-count"]).toMatch(/^\d+$/);
  const bundle = await fhir.json();
  expect(bundle).toMatchObject({ resourceType: "Bundle", type: "collection" });
  expect(JSON.stringify(bundle)).not.toContain("OC-2001");
});
