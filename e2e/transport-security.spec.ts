import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, request as playwrightRequest, test } from "@playwright/test";
import { apiAs, baseURL, loginAs, USERS } from "./fixtures";
import { cloneUser, e2eDb } from "./db-probe";

/**
 * docs/SECURITY.md: headers and transport, and no user enumeration: the CSP and friends on pages and
 * API answers, patient search without patient data in the URL, and sign-in failures that look
 * and take the same for an existing and an unknown email (measured).
 */
const db = e2eDb();
test.afterAll(async () => { await db.end(); });

test("pages carry a nonce CSP without 'unsafe-inline' scripts, frame-ancestors 'none', nosniff, no-referrer", async ({ request }) => {
  const res = await request.get("/login");
  const h = res.headers();
  const csp = h["content-security-policy"] ?? "";
  const script = csp.split(";").map((d) => d.trim()).find((d) => d.startsWith("script-src")) ?? "";
  expect(script).toMatch(/'nonce-[A-Za-z0-9+/=]{16,}'/);
  expect(script).not.toContain("'unsafe-inline'");
  expect(script).not.toContain("'unsafe-eval'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).toContain("base-uri 'self'");
  expect(h["x-content-type-options"]).toBe("nosniff");
  expect(h["x-frame-options"]).toBe("DENY");
  expect(h["referrer-policy"]).toBe("no-referrer");
  // every inline <script> Next emits carries this response's nonce
  const nonce = /'nonce-([^']+)'/.exec(script)![1];
  const html = await res.text();
  const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]!);
  expect(scripts.length).toBeGreaterThan(0);
  expect(scripts.filter((attrs) => !attrs.includes(`nonce="${nonce}"`))).toEqual([]);
  // a fresh nonce per response
  const again = (await request.get("/login")).headers()["content-security-policy"];
  expect(again).not.toBe(csp);
});

test("API answers may load nothing: default-src 'none', frame-ancestors 'none', nosniff, no-store", async ({ request }) => {
  const res = await request.get("/api/protocols");
  expect(res.status()).toBe(401);
  const h = res.headers();
  expect(h["content-security-policy"]).toContain("default-src 'none'");
  expect(h["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(h["x-content-type-options"]).toBe("nosniff");
  expect(h["cache-control"]).toContain("no-store");
});

test("patient search sends the query in the body, never in the URL; GET ?q= is refused", async ({ page }) => {
  const urls: string[] = [];
  page.on("request", (r) => urls.push(r.url()));
  await loginAs(page, USERS.nurse);
  await page.goto("/patients");
  await page.getByLabel("Search by name or MRN").fill("Alvarez");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("link", { name: /Alvarez, Maria/ })).toBeVisible();
  await expect(page.getByRole("link", { name: /Okafor/ })).toHaveCount(0);
  expect(page.url()).not.toContain("Alvarez");
  expect(urls.filter((u) => /alvarez/i.test(u))).toEqual([]);
  const api = await apiAs(baseURL(), USERS.nurse);
  expect((await api.get("/api/patients?q=Alvarez")).status()).toBe(400);
  await api.dispose();
});

/** One sign-in attempt the way a device makes it; returns the time and the answer. */
async function attempt(email: string, password: string) {
  const ctx = await playwrightRequest.newContext({ baseURL: baseURL() });
  const { csrfToken } = await (await ctx.get("/api/auth/csrf")).json();
  const t0 = performance.now();
  const res = await ctx.post("/api/auth/callback/credentials", { form: { csrfToken, email, password, json: "true" }, maxRedirects: 0 });
  const ms = performance.now() - t0;
  const answer = `${res.status()} ${(await res.text()).replace(/[?&]callbackUrl=[^&"]*/g, "")}`;
  await ctx.dispose();
  return { ms, answer };
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: +at(0.5).toFixed(1), p95: +at(0.95).toFixed(1), min: +s[0]!.toFixed(1), max: +s.at(-1)!.toFixed(1) };
};

test("no user enumeration: same answer, same time for an existing email with a wrong password and an unknown email", async () => {
  test.setTimeout(180_000);
  const N = 40;
  // 10 throwaway accounts x 4 wrong passwords: below the lockout, and no demo account is touched
  const users = await Promise.all(Array.from({ length: 10 }, () => cloneUser(db, USERS.nurse)));
  const known: number[] = [];
  const unknown: number[] = [];
  const answers = new Set<string>();
  await attempt(`warm-up-${Date.now()}@demo.clinic`, "warm-up-wrong"); // the first argon2 call warms the pool
  for (let i = 0; i < N; i++) {
    // interleaved, so drift in machine load hits both sides alike
    const a = await attempt(users[i % users.length]!.email, `wrong-password-${i}`);
    const b = await attempt(`nobody-${i}-${Date.now()}@demo.clinic`, `wrong-password-${i}`);
    known.push(a.ms);
    unknown.push(b.ms);
    answers.add(a.answer);
    answers.add(b.answer);
  }
  const k = stats(known);
  const u = stats(unknown);
  const diffMs = Math.abs(k.median - u.median);
  const diffPct = (diffMs / Math.max(k.median, u.median)) * 100;
  const figures = { attemptsEach: N, existingWrongPassword: k, unknownEmail: u, medianDiffMs: +diffMs.toFixed(1), medianDiffPct: +diffPct.toFixed(1), distinctAnswers: answers.size };
  mkdirSync("test-results", { recursive: true });
  writeFileSync(path.join("test-results", "login-timing.json"), JSON.stringify(figures, null, 2));
  console.log(`[login-timing] existing+wrong median ${k.median} ms p95 ${k.p95} ms; unknown median ${u.median} ms p95 ${u.p95} ms; ` +
    `median difference ${figures.medianDiffMs} ms (${figures.medianDiffPct}%); distinct answers ${answers.size}`);
  expect([...answers], "the answer must not tell the two apart").toHaveLength(1);
  expect(diffMs < 15 || diffPct < 25, `medians ${k.median} vs ${u.median} ms`).toBe(true);
  // and none of them locked: 4 failures each
  const locked = await db.query(`SELECT count(*)::int AS n FROM "User" WHERE email = ANY($1) AND "lockedUntil" IS NOT NULL`, [users.map((x) => x.email)]);
  expect(locked.rows[0].n).toBe(0);
});

test("a fifth wrong password locks the account: the right one is refused with the same answer", async () => {
  const u = await cloneUser(db, USERS.nurse);
  const wrong = await attempt(u.email, "wrong-1");
  for (let i = 2; i <= 5; i++) await attempt(u.email, `wrong-${i}`);
  const right = await attempt(u.email, "titrate-demo");
  expect(right.answer).toBe(wrong.answer);
  const row = await db.query(`SELECT "lockedUntil" FROM "User" WHERE email = $1`, [u.email]);
  expect(row.rows[0].lockedUntil).not.toBeNull();
});
