import { expect as baseExpect, test, type APIRequestContext, type BrowserContext, type Page } from "@playwright/test";
import { apiAs, baseURL, loginAs, newDemoChair, USERS } from "./fixtures";
import { blockingViolations } from "./axe";
import { e2eDb } from "./db-probe";

/**
 * Bedside charting survives a Wi-Fi drop (docs/decisions/0017-offline-charting.md), in
 * Chromium against the built app with its service worker. Each test starts its own running
 * session through the JSON API, so it never depends on or disturbs the seeded ones.
 *
 * Playwright's context.setOffline cuts the page's requests; whether it also cuts the service
 * worker's own fetches has varied between versions (microsoft/playwright#2311). The test does
 * not depend on it: while "offline" it also aborts, at the context, every request to the app
 * that is not the service worker's cache (so the page and, where Playwright routes them, the
 * worker's requests fail), and it checks the reload opened from the worker's copy by the
 * banner the page shows only then (`data-from-cache`), recording which path ran.
 */
const expect = baseExpect.configure({ timeout: 20_000 });

let nurse: APIRequestContext;
let physician: APIRequestContext;

test.beforeAll(async () => {
  [nurse, physician] = await Promise.all([apiAs(baseURL(), USERS.nurse), apiAs(baseURL(), USERS.physician)]);
});

/** A running session: opened 60 min ago, START at 0.1 mg/kg/h 30 min ago, a baseline vitals set. */
async function runningSession(familyName: string): Promise<string> {
  const created = await nurse.post("/api/patients", {
    data: { mrn: `E2E-OFF-${Date.now().toString(36).toUpperCase()}`, givenName: "Offline", familyName, birthDate: "1975-04-05", sex: "FEMALE", weightKg: 70, consentOnFile: true },
  });
  expect(created.status()).toBe(201);
  const patientId = (await created.json()).patient.id as string;
  const { protocols } = await (await physician.get("/api/protocols")).json();
  const neuropathic = (protocols as { name: string; versions: { id: string }[] }[]).find((p) => /^Chronic neuropathic pain/.test(p.name));
  const ordered = await physician.post(`/api/patients/${patientId}/series`, {
    data: { protocolVersionId: neuropathic!.versions[0]!.id, plannedSessions: 3, startDate: new Date().toISOString().slice(0, 10) },
  });
  expect(ordered.status()).toBe(201);
  const seriesId = (await ordered.json()).series.id as string;
  const started = await nurse.post(`/api/series/${seriesId}/sessions`, {
    data: {
      weightKg: 70, concentrationMgPerMl: 1, consentConfirmed: true, screeningReviewed: true, chairId: (await newDemoChair("Offline chair")).id,
      openedAt: new Date(Date.now() - 60 * 60_000).toISOString(), lateEntryReason: "Chart opened after arrival (e2e)",
    },
  });
  expect(started.status()).toBe(201);
  const sessionId = (await started.json()).session.id as string;
  const vitals = await nurse.post(`/api/sessions/${sessionId}/vitals`, {
    data: { at: new Date(Date.now() - 35 * 60_000).toISOString(), systolicMmHg: 120, diastolicMmHg: 78, heartRatePerMin: 70, spo2Pct: 98, respRatePerMin: 14, backTimeReason: "Baseline charted late (e2e)" },
  });
  expect(vitals.status()).toBe(201);
  const start = await nurse.post(`/api/sessions/${sessionId}/dose-events`, {
    data: { type: "START", at: new Date(Date.now() - 30 * 60_000).toISOString(), rateMgPerKgPerH: 0.1, backTimeReason: "Pump started before charting (e2e)" },
  });
  expect(start.status()).toBe(201);
  return sessionId;
}

const cutOff = (route: import("@playwright/test").Route) => route.abort("internetdisconnected");

async function goOffline(context: BrowserContext): Promise<void> {
  await context.setOffline(true);
  await context.route(`${baseURL()}/**`, cutOff);
}

async function goOnline(context: BrowserContext, page: Page): Promise<void> {
  await context.unroute(`${baseURL()}/**`, cutOff);
  await context.setOffline(false);
  // the browser fires "online" itself; the queue also retries on its own timer
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
}

async function openChart(page: Page, sessionId: string): Promise<void> {
  await loginAs(page, USERS.nurse);
  await page.goto(`/sessions/${sessionId}`);
  // the service worker holds this chart and the app shell: a reload offline opens it
  await expect(page.getByTestId("offline-panel")).toHaveAttribute("data-offline-ready", "true", { timeout: 30_000 });
}

test("offline: a rate change, vitals and pain are queued, survive a reload, and are stored once, in order, when the network returns", async ({ page, context }) => {
  test.setTimeout(180_000);
  const sessionId = await runningSession("Wifidrop");
  await openChart(page, sessionId);
  await expect(page.getByTestId("current-rate")).toHaveText("0.100 mg/kg/h");

  await goOffline(context);
  const saved = page.getByTestId("save-confirmation");
  const status = page.getByTestId("sync-status");

  const dose = page.getByRole("form", { name: "Dose event" });
  await dose.getByLabel("Rate (mg/kg/h)").fill("0.2");
  await dose.getByRole("button", { name: "Save dose event" }).click();
  await expect(saved).toContainText("waiting to sync");
  await expect(status).toContainText("1 entry waiting to sync");
  // the live header computes from the queued rate at once (the same lib/domain integration)
  await expect(page.getByTestId("current-rate")).toHaveText("0.200 mg/kg/h");
  await expect(page.getByTestId("sync-badge")).toContainText("1 waiting to sync");

  const vitals = page.getByRole("form", { name: "Vitals", exact: true });
  await vitals.getByLabel("Systolic (mmHg)").fill("131");
  await vitals.getByLabel("Diastolic (mmHg)").fill("84");
  await vitals.getByLabel("Heart rate (/min)").fill("76");
  await vitals.getByLabel("SpO2 (%)").fill("97");
  await vitals.getByLabel("Resp. rate (/min)").fill("15");
  await vitals.getByRole("button", { name: "Save vitals" }).click();
  await expect(status).toContainText("2 entries waiting to sync");

  const pain = page.getByRole("form", { name: "Pain", exact: true });
  await pain.getByRole("button", { name: "4", exact: true }).click();
  await pain.getByRole("button", { name: "Save pain score" }).click();
  await expect(status).toContainText("3 entries waiting to sync");
  await expect(page.getByTestId("waiting-to-sync")).toHaveCount(3);
  // the vitals countdown restarted from the queued set (the last set is no longer 35 min old)
  await expect(page.getByTestId("vitals-countdown")).toHaveAttribute("data-overdue", "false");

  // nothing reached the server
  const db = e2eDb();
  try {
    const count = async () => {
      const r = await db.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM "DoseEvent" WHERE "sessionId" = $1)::int + (SELECT count(*) FROM "VitalSigns" WHERE "sessionId" = $1)::int
              + (SELECT count(*) FROM "PainScore" WHERE "sessionId" = $1)::int AS n`, [sessionId]);
      return r.rows[0]!.n;
    };
    expect(await count()).toBe(2); // the START and the baseline set

    // --- reload while still offline: the page opens from the service worker with its queue
    await page.reload();
    await expect(page.getByTestId("sync-status")).toContainText("3 entries waiting to sync");
    await expect(page.getByTestId("waiting-to-sync")).toHaveCount(3);
    await expect(page.getByTestId("current-rate")).toHaveText("0.200 mg/kg/h");
    const fromCache = await page.getByTestId("offline-panel").getAttribute("data-from-cache");
    test.info().annotations.push({ type: "reload offline", description: fromCache === "true" ? "opened from the service worker's copy" : "opened from the network" });
    // the context-level route aborts every request to the app, so only the worker's copy can answer
    expect(fromCache).toBe("true");
    await expect(page.getByTestId("offline-copy")).toBeVisible();
    // the drawings' code loads after the page (decision 0022): the worker kept it too
    await expect(page.getByTestId("titration-chart").locator(".recharts-surface").first()).toBeVisible();
    await expect(page.getByTestId("charts-placeholder")).toHaveCount(0);
    expect(await count()).toBe(2);

    // --- back online: all three are stored exactly once, in order, with their clinical times
    await goOnline(context, page);
    await expect(page.getByTestId("sync-status")).not.toContainText("waiting to sync", { timeout: 30_000 });
    const rows = (await db.query<{ kind: string; at: Date; enteredAt: Date; queuedAt: Date | null; v: string }>(
      `SELECT 'dose' AS kind, at, "enteredAt", "queuedAt", "rateUgPerKgPerH"::text AS v FROM "DoseEvent" WHERE "sessionId" = $1 AND type = 'RATE_CHANGE'
       UNION ALL SELECT 'vitals', at, "enteredAt", "queuedAt", "systolicMmHg"::text FROM "VitalSigns" WHERE "sessionId" = $1 AND "queuedAt" IS NOT NULL
       UNION ALL SELECT 'pain', at, "enteredAt", "queuedAt", score::text FROM "PainScore" WHERE "sessionId" = $1
       ORDER BY "enteredAt"`, [sessionId])).rows;
    expect(rows.map((r) => [r.kind, r.v])).toEqual([["dose", "200"], ["vitals", "131"], ["pain", "4"]]);
    for (const r of rows) {
      expect(r.queuedAt, `${r.kind} is marked charted offline`).not.toBeNull();
      // the clinical time is the press ("now" at the bedside), not the sync
      expect(Math.abs(r.at.getTime() - r.queuedAt!.getTime())).toBeLessThan(2_000);
      expect(r.enteredAt.getTime()).toBeGreaterThan(r.queuedAt!.getTime());
    }
    // pressed in order: the clinical times keep the order of the presses
    expect(rows[0]!.at.getTime()).toBeLessThan(rows[1]!.at.getTime());
    expect(rows[1]!.at.getTime()).toBeLessThan(rows[2]!.at.getTime());
    expect(await count()).toBe(5); // exactly once each
    // the audit rows carry the press time
    const audit = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "AuditEvent" WHERE "entityId" = ANY($1) AND after->>'queuedAt' IS NOT NULL`,
      [(await db.query<{ id: string }>(
        `SELECT id FROM "DoseEvent" WHERE "sessionId" = $1 AND "queuedAt" IS NOT NULL UNION ALL SELECT id FROM "VitalSigns" WHERE "sessionId" = $1 AND "queuedAt" IS NOT NULL
         UNION ALL SELECT id FROM "PainScore" WHERE "sessionId" = $1 AND "queuedAt" IS NOT NULL`, [sessionId])).rows.map((r) => r.id)]);
    expect(audit.rows[0]!.n).toBe(3);
  } finally {
    await db.end();
  }
  // the chart says so
  await expect(page.getByTestId("charted-offline")).toHaveCount(3);
  await expect(page.getByTestId("charted-offline").first()).toContainText("charted offline at");
  await expect(page.getByTestId("current-rate")).toHaveText("0.200 mg/kg/h");
});

test("offline: an entry the server refuses at sync (the session was completed meanwhile) needs the nurse's attention and is not lost", async ({ page, context }) => {
  test.setTimeout(180_000);
  const sessionId = await runningSession("Refused");
  await openChart(page, sessionId);

  await goOffline(context);
  const dose = page.getByRole("form", { name: "Dose event" });
  await dose.getByLabel("Rate (mg/kg/h)").fill("0.15");
  await dose.getByRole("button", { name: "Save dose event" }).click();
  await expect(page.getByTestId("sync-status")).toContainText("1 entry waiting to sync");
  // the count is a polite status (said as it changes), and the panel with an entry waiting passes axe
  await expect(page.getByTestId("sync-status")).toHaveAttribute("role", "status");
  await expect(page.getByTestId("sync-status")).toHaveAttribute("aria-live", "polite");
  expect(await blockingViolations(page), "axe: the chart with an entry waiting to sync").toBe("");

  // meanwhile, on another device: the infusion is stopped and the session completed
  const stop = await nurse.post(`/api/sessions/${sessionId}/dose-events`, { data: { type: "STOP", at: new Date().toISOString(), reason: "Stopped early on request (e2e)" } });
  expect(stop.status()).toBe(201);
  const post = await nurse.post(`/api/sessions/${sessionId}/pain`, { data: { at: new Date().toISOString(), score: 3, scale: "NRS", phase: "POST" } });
  expect(post.status()).toBe(201);
  const completed = await nurse.post(`/api/sessions/${sessionId}/complete`, { data: { dischargeReady: true } });
  expect(completed.status()).toBe(201);

  await goOnline(context, page);
  const refused = page.getByTestId("refused-entry");
  await expect(refused).toHaveCount(1, { timeout: 30_000 });
  await expect(refused.getByTestId("refusal-message")).toContainText("Server:");
  await expect(refused).toContainText("RATE_CHANGE");
  await expect(refused).toContainText("0.15 mg/kg/h");
  await expect(page.getByTestId("sync-badge")).toContainText("1 needs attention");
  expect(await blockingViolations(page), "axe: the chart with an entry the server refused").toBe("");
  // a dose event cannot be charted on a completed session: no form to edit it in, and it says why
  await expect(refused.getByRole("button", { name: /^Edit in the form/ })).toHaveCount(0);
  await expect(refused).toContainText("Its form is closed for this session");
  // not stored, and not lost: a reload still shows it
  await page.reload();
  await expect(page.getByTestId("refused-entry")).toHaveCount(1);
  const db = e2eDb();
  try {
    const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "DoseEvent" WHERE "sessionId" = $1 AND type = 'RATE_CHANGE'`, [sessionId]);
    expect(r.rows[0]!.n).toBe(0);
  } finally {
    await db.end();
  }
  // discarding is the nurse's explicit decision, confirmed, and recorded on this device
  await page.getByTestId("refused-entry").getByRole("button", { name: "Discard…" }).click();
  await page.getByRole("button", { name: "Yes, discard it" }).click();
  await expect(page.getByTestId("refused-entry")).toHaveCount(0);
  await expect(page.getByTestId("discarded-entries")).toContainText("1 offline entry discarded on this device");
});

/** The bodies of the entries in this browser's offline queue (IndexedDB), as the device holds them. */
async function queuedBodies(page: Page): Promise<{ at: string; queuedAt: string; bolusMg?: number }[]> {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open("titrate-offline");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const all = open.result.transaction("entries").objectStore("entries").getAll();
      all.onerror = () => reject(all.error);
      all.onsuccess = () => { resolve((all.result as { body: { at: string; queuedAt: string; bolusMg?: number } }[]).map((e) => e.body)); open.result.close(); };
    };
  }));
}

/**
 * A bolus refused at sync for want of a physician's override: 35 mg charted offline (0.5 mg/kg
 * at 70 kg, under the 1 mg/kg hard limit on its own) while a colleague charted 35 mg a minute
 * before it on another device: together 70 mg within the bolus window, the hard limit.
 * Returns the session, the refused entry's body as the device holds it, and its time as shown.
 */
async function refusedBolus(page: Page, context: BrowserContext, familyName: string) {
  const sessionId = await runningSession(familyName);
  await openChart(page, sessionId);
  await goOffline(context);
  const dose = page.getByRole("form", { name: "Dose event", exact: true });
  await dose.getByRole("radio", { name: "Bolus" }).check();
  await dose.getByLabel("Bolus (mg)").fill("35");
  await dose.getByRole("button", { name: "Save dose event" }).click();
  await expect(page.getByTestId("sync-status")).toContainText("1 entry waiting to sync");
  const [original] = await queuedBodies(page);
  expect(original).toMatchObject({ bolusMg: 35 });

  const colleague = await nurse.post(`/api/sessions/${sessionId}/dose-events`, { data: { type: "BOLUS", at: new Date(Date.now() - 60_000).toISOString(), bolusMg: 35 } });
  expect(colleague.status()).toBe(201);

  await goOnline(context, page);
  const refused = page.getByTestId("refused-entry");
  await expect(refused).toHaveCount(1, { timeout: 30_000 });
  await expect(refused.getByTestId("refusal-message")).toContainText("Hard limit");
  const hm = /Dose event at (\d\d:\d\d)/.exec((await refused.textContent()) ?? "")?.[1];
  expect(hm, "the refused entry names its clinical time").toBeTruthy();
  return { sessionId, original: original!, hm: hm!, refused };
}

async function bolusesOf(db: ReturnType<typeof e2eDb>, sessionId: string) {
  return (await db.query<{ id: string; bolusUg: number; at: Date; queuedAt: Date | null }>(
    `SELECT id, "bolusUg", at, "queuedAt" FROM "DoseEvent" WHERE "sessionId" = $1 AND type = 'BOLUS' ORDER BY "enteredAt"`, [sessionId])).rows;
}

test("offline: a refused entry is edited in its form and charted again at its own time, replacing it; cancelling keeps it", async ({ page, context }) => {
  test.setTimeout(240_000);
  const { sessionId, original, hm, refused } = await refusedBolus(page, context, "Rechart");

  const db = e2eDb();
  const boluses = () => bolusesOf(db, sessionId);
  try {
    expect((await boluses()).map((b) => b.bolusUg)).toEqual([35_000]); // only the colleague's

    // --- Edit in the form, from the keyboard: the form holds the refused values and its time
    const edit = refused.getByRole("button", { name: new RegExp(`^Edit in the form: Dose event at ${hm}, BOLUS · bolus 35 mg$`) });
    await edit.focus();
    await page.keyboard.press("Enter");
    const banner = page.getByTestId("recharting-banner");
    await expect(banner).toBeFocused();
    await expect(banner).toContainText(`Charting again Dose event at ${hm}`);
    await expect(banner).toContainText("Server: Hard limit");
    const form = page.getByRole("form", { name: "Dose event: charting a refused entry again" });
    await expect(form.getByRole("radio", { name: "Bolus" })).toBeChecked();
    await expect(form.getByLabel("Bolus (mg)")).toHaveValue("35");
    await expect(form.getByLabel("Time (24 h)")).toHaveValue(hm);
    await expect(form).toContainText("Fixed time");
    // the refusal's field message sits on its field, and the form sees the same hard limit
    await expect(form.getByLabel("Override reason")).toHaveAttribute("aria-invalid", "true");
    await expect(form).toContainText("required to pass a hard limit");
    // the panel offers no second way to act on it meanwhile
    await expect(refused.getByTestId("recharting-note")).toBeVisible();
    await expect(refused.getByRole("button", { name: "Send again as it is" })).toHaveCount(0);

    // --- Cancel leaves the refused entry as it was
    await banner.getByRole("button", { name: "Cancel charting again" }).click();
    await expect(banner).toHaveCount(0);
    await expect(page.getByRole("form", { name: "Dose event", exact: true }).getByLabel("Bolus (mg)")).toHaveCount(0);
    await expect(refused).toHaveCount(1);
    await expect(refused.getByRole("button", { name: "Send again as it is" })).toBeVisible();
    expect(await queuedBodies(page)).toEqual([original]);
    expect((await boluses()).length).toBe(1);

    // --- a correction and the charting again of a refused entry: starting one ends the other
    await edit.click();
    await expect(banner).toBeVisible();
    await page.getByRole("button", { name: "Correct", exact: true }).first().click();
    await expect(page.getByLabel("Correction reason")).toBeVisible();
    await expect(banner).toHaveCount(0);
    await edit.click();
    await expect(banner).toBeVisible();
    await expect(page.getByLabel("Correction reason")).toHaveCount(0);

    // --- the nurse lowers the bolus: no hard limit now; saved, it replaces the refused entry
    await form.getByLabel("Bolus (mg)").fill("20");
    await expect(form.getByLabel("Override reason")).toHaveCount(0);
    await form.getByRole("button", { name: "Save dose event" }).click();
    await expect(page.getByTestId("save-confirmation")).toContainText(`Dose event saved: Bolus at ${hm}. It replaces the entry the server refused.`);
    await expect(refused).toHaveCount(0);
    await expect(page.getByTestId("needs-attention")).toHaveCount(0);
    expect(await queuedBodies(page)).toEqual([]);
    const discarded = page.getByTestId("discarded-entries");
    await expect(discarded).toContainText("1 refused offline entry charted again from the form on this device");
    await discarded.locator("summary").click();
    await expect(discarded.getByTestId("replaced-entry")).toContainText("charted again from the form by");
    await expect(discarded.getByTestId("replaced-entry")).toContainText("the server stored the edited entry");
    await expect(discarded).not.toContainText("Not charted.");

    // stored once, edited, at the ORIGINAL clinical time, with the original offline press
    const rows = await boluses();
    expect(rows.map((b) => b.bolusUg)).toEqual([35_000, 20_000]);
    const stored = rows[1]!;
    expect(stored.at.toISOString()).toBe(new Date(original.at).toISOString());
    expect(stored.queuedAt?.toISOString()).toBe(new Date(original.queuedAt).toISOString());
    const row = page.locator(`tr[data-entry-id="${stored.id}"]`);
    await expect(row).toContainText(hm);
    await expect(row.getByTestId("charted-offline")).toContainText("charted offline at");
  } finally {
    await db.end();
  }
});

test("offline: a refused entry charted again without a network takes its place in the queue, keeps its press, and is stored when the network returns", async ({ page, context }) => {
  test.setTimeout(240_000);
  const { sessionId, original, hm, refused } = await refusedBolus(page, context, "Requeue");
  await refused.getByRole("button", { name: /^Edit in the form: Dose event/ }).click();
  const form = page.getByRole("form", { name: "Dose event: charting a refused entry again" });
  await expect(form.getByLabel("Bolus (mg)")).toHaveValue("35");

  // the network drops again before the nurse saves her edit: a physician's override this time
  await goOffline(context);
  await form.getByLabel("Override reason").fill("Dr. Okoye at bedside ordered the second bolus (e2e)");
  await form.getByRole("button", { name: "Save dose event" }).click();
  await expect(page.getByTestId("save-confirmation")).toContainText("waiting to sync");
  await expect(page.getByTestId("save-confirmation")).toContainText("It replaces the entry the server refused.");
  // one entry waits, in the refused one's place, still carrying the original press
  await expect(refused).toHaveCount(0);
  await expect(page.getByTestId("sync-status")).toContainText("1 entry waiting to sync");
  const queued = await queuedBodies(page);
  expect(queued).toHaveLength(1);
  expect(queued[0]).toMatchObject({ at: original.at, queuedAt: original.queuedAt, bolusMg: 35, overrideReason: "Dr. Okoye at bedside ordered the second bolus (e2e)" });
  await expect(page.getByTestId("discarded-entries")).toContainText("1 refused offline entry charted again from the form on this device");
  await expect(page.getByTestId("discarded-entries").getByTestId("replaced-entry")).toContainText("saved on this device to sync");

  await goOnline(context, page);
  await expect(page.getByTestId("sync-status")).not.toContainText("waiting to sync", { timeout: 30_000 });
  await expect(page.getByTestId("needs-attention")).toHaveCount(0);
  const db = e2eDb();
  try {
    const rows = await bolusesOf(db, sessionId);
    expect(rows.map((b) => b.bolusUg)).toEqual([35_000, 35_000]);
    expect(rows[1]!.at.toISOString()).toBe(new Date(original.at).toISOString());
    expect(rows[1]!.queuedAt?.toISOString()).toBe(new Date(original.queuedAt).toISOString());
    await expect(page.locator(`tr[data-entry-id="${rows[1]!.id}"]`)).toContainText(hm);
  } finally {
    await db.end();
  }
});
