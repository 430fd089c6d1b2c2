import { test } from "@playwright/test";
import { loginAs, USERS } from "./fixtures";
test("debug", async ({ page }) => {
  page.on("console", (m) => console.log("console:", m.text()));
  page.on("pageerror", (e) => console.log("pageerror:", e.message));
  page.on("request", (r) => { if (r.url().includes("events")) console.log("req", r.url()); });
  page.on("requestfailed", (r) => { if (r.url().includes("events")) console.log("failed", r.failure()?.errorText); });
  page.on("response", (r) => { if (r.url().includes("events")) console.log("resp", r.status()); });
  await loginAs(page, USERS.nurse);
  const href = await page.locator('a[href^="/sessions/"]').first().getAttribute("href");
  await page.goto(href!);
  await page.waitForTimeout(4000);
  console.log(href, await page.getByTestId("live-indicator").textContent());
});
