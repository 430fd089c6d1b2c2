import { expect, test } from "@playwright/test";
import { apiAs, baseURL, DEMO_PASSWORD, loginAs, USERS } from "./fixtures";

test.describe("sign-in and the first screen of each role", () => {
  test("a signed-out visitor is sent to the login page", async ({ page }) => {
    await page.goto("/patients");
    await expect(page).toHaveURL(/\/login/);
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  });

  test("the nurse sees today's sessions", async ({ page }) => {
    await loginAs(page, USERS.nurse);
    // the seed leaves sessions running: the nurse's home is the chair board, the worklists one link away
    await expect(page.getByRole("heading", { name: "Chair board", level: 1 })).toBeVisible();
    await page.getByRole("link", { name: "Worklists" }).click();
    await expect(page.getByRole("heading", { name: "Today's sessions" })).toBeVisible();
    // the seed leaves Linh Tran's session in progress today
    await expect(page.getByRole("row", { name: /Tran, Linh/ }).first()).toBeVisible();
  });

  test("the physician sees patients with unacknowledged flags", async ({ page }) => {
    await loginAs(page, USERS.physician);
    await expect(page.getByRole("heading", { name: "Review worklist" })).toBeVisible();
    const flagged = page.getByRole("region", { name: "Patients with unacknowledged flags" });
    await expect(flagged.getByRole("row").filter({ hasText: "DPC-" }).first()).toBeVisible();
  });

  test("the admin sees staff and protocols", async ({ page }) => {
    await loginAs(page, USERS.admin);
    await expect(page.getByRole("heading", { name: "Clinic administration" })).toBeVisible();
    await expect(page.getByRole("cell", { name: "nurse@demo.clinic" })).toBeVisible();
    await expect(page.getByRole("region", { name: "Protocols" }).getByRole("row")).toHaveCount(12); // header + 11 documented protocols
  });

  test("a wrong password is refused with one generic message", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("Email").fill(USERS.nurse);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    const failure = page.getByRole("alert").filter({ hasText: "Sign-in failed" });
    await expect(failure).toBeVisible();
    await expect(page).toHaveURL(/\/login/);
    // an unknown email gets exactly the same message
    await page.getByLabel("Email").fill("nobody@demo.clinic");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(failure).toHaveText(/Sign-in failed\. Check your email and password\./);
  });

  test("sign out ends the session", async ({ page }) => {
    await loginAs(page, USERS.nurse);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login/);
    await page.goto("/");
    await expect(page).toHaveURL(/\/login/);
  });

  test("API routes answer 401 JSON without a session, and a curl-style login works", async ({ request }) => {
    const anon = await request.get("/api/protocols");
    expect(anon.status()).toBe(401);
    expect((await anon.json()).error.code).toBe("UNAUTHENTICATED");
    const nurse = await apiAs(baseURL(), USERS.nurse);
    const session = await (await nurse.get("/api/auth/session")).json();
    expect(session.user.email).toBe(USERS.nurse);
    expect(session.user.role).toBe("NURSE");
    const protocols = await nurse.get("/api/protocols");
    expect(protocols.status()).toBe(200);
    expect((await protocols.json()).protocols).toHaveLength(11);
  });
});
