import { expect, request as playwrightRequest, type APIRequestContext, type Browser, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "titrate-demo";
export const USERS = {
  nurse: "nurse@demo.clinic",
  physician: "physician@demo.clinic",
  admin: "admin@demo.clinic",
  otherNurse: "nurse@other.clinic",
  otherPhysician: "physician@other.clinic",
} as const;

/** Signs in through the login form, as a person would. */
export async function loginAs(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // the first page after sign-in can take longer than the default 10 s on a busy 2-core machine
  await expect(page.getByTestId("current-user")).toBeVisible({ timeout: 20_000 });
}

/** A page of its own browser context (a second person at another screen), signed in as `email`. */
export async function signedInPage(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await loginAs(page, email);
  return page;
}

/** Who the patient of orderNeuropathicSeries is: each spec registers its own, so no spec reads another's. */
export interface TestPatient {
  familyName: string;
  givenName: string;
  /** the MRN starts with this, then a time stamp */
  mrnPrefix: string;
  birthDate: string;
  sex: "FEMALE" | "MALE";
  plannedSessions: number;
}

/**
 * Registers a consented, screened 70 kg patient and orders a series on the seeded chronic
 * neuropathic protocol (documented 0.1-0.3 mg/kg/h; drug library 1 and 2 mg/mL) starting
 * today, through the JSON API as the physician signed in on `physician`. Returns the ids.
 */
export async function orderNeuropathicSeries(physician: Page | APIRequestContext, who: TestPatient): Promise<{ patientId: string; seriesId: string }> {
  const api = "request" in physician ? physician.request : physician;
  const protocols = (await (await api.get("/api/protocols")).json()).protocols as { name: string; versions: { id: string }[] }[];
  const neuropathic = protocols.find((p) => /^Chronic neuropathic pain/.test(p.name));
  expect(neuropathic, "the seeded chronic neuropathic protocol").toBeTruthy();
  const today = new Date().toISOString().slice(0, 10);
  const patientRes = await api.post("/api/patients", {
    data: {
      mrn: `${who.mrnPrefix}-${Date.now().toString(36).toUpperCase()}`, givenName: who.givenName, familyName: who.familyName,
      birthDate: who.birthDate, sex: who.sex, weightKg: 70, allergies: "None known", consentOnFile: true, consentDate: today,
      screening: { substanceMisuse: false, psychosis: false, cardiovascular: false, hepatic: false, interactingMeds: false },
    },
  });
  expect(patientRes.status()).toBe(201);
  const { patient } = await patientRes.json();
  const seriesRes = await api.post(`/api/patients/${patient.id}/series`, {
    data: { protocolVersionId: neuropathic!.versions[0]!.id, plannedSessions: who.plannedSessions, intervalDays: 1, startDate: today },
  });
  expect(seriesRes.status()).toBe(201);
  return { patientId: patient.id as string, seriesId: (await seriesRes.json()).series.id as string };
}

/**
 * An API client with a session cookie, obtained the way a bedside device would:
 * GET /api/auth/csrf, then POST /api/auth/callback/credentials.
 */
export async function apiAs(baseURL: string, email: string, password = DEMO_PASSWORD): Promise<APIRequestContext> {
  const ctx = await playwrightRequest.newContext({ baseURL });
  const csrf = await (await ctx.get("/api/auth/csrf")).json();
  const res = await ctx.post("/api/auth/callback/credentials", {
    form: { csrfToken: csrf.csrfToken, email, password, json: "true" },
    maxRedirects: 0,
  });
  expect([200, 302]).toContain(res.status());
  const session = await (await ctx.get("/api/auth/session")).json();
  if (!session?.user?.id) throw new Error(`login failed for ${email}`);
  return ctx;
}

export const baseURL = () => process.env.E2E_BASE_URL ?? "http://127.0.0.1:3100";

/**
 * A new chair of the demo clinic, free for one session start. The seeded clinics use chairs,
 * so every start names one (docs/decisions/0013-chairs-and-the-board.md); sessions the specs
 * leave running keep theirs, so each start takes a chair of its own instead of a seeded one.
 */
export async function newChair(admin: APIRequestContext, prefix = "E2E chair"): Promise<{ id: string; name: string }> {
  const name = `${prefix} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const res = await admin.post("/api/admin/chairs", { data: { name } });
  expect(res.status()).toBe(201);
  return (await res.json()).chair as { id: string; name: string };
}

/** A new chair of the demo clinic, signing its administrator in for the purpose. */
export async function newDemoChair(prefix?: string): Promise<{ id: string; name: string }> {
  const admin = await apiAs(baseURL(), USERS.admin);
  try {
    return await newChair(admin, prefix);
  } finally {
    await admin.dispose();
  }
}
