import { expect, request as playwrightRequest, type APIRequestContext, type Page } from "@playwright/test";

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
  await expect(page.getByTestId("current-user")).toBeVisible();
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
