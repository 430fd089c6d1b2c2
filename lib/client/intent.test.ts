import { describe, expect, it } from "vitest";
import { intentAfter, intentFor, newIdempotencyKey, safeReturnPath, stableStringify, type Intent } from "./intent";

/** Keys k1, k2, ... in minting order, so a test sees exactly when a key was minted. */
function keyMint() {
  let n = 0;
  return () => `k${++n}`;
}

type Req = { url: string; body: unknown };

describe("intentFor / intentAfter: one Idempotency-Key per user intent", () => {
  it("a first press mints a key", () => {
    const mint = keyMint();
    const i = intentFor<Req>(null, { a: 1 }, { url: "/x", body: { a: 1 } }, mint);
    expect(i.key).toBe("k1");
  });

  it("retries of one intent after failures reuse the key and the FIRST request, even when the body was restamped", () => {
    const mint = keyMint();
    const input = { systolicMmHg: 128, at: "now" };
    const first = intentFor<Req>(null, input, { url: "/v", body: { systolicMmHg: 128, at: "2026-11-30T06:00:00.000Z" } }, mint);
    let pending: Intent<Req> | null = intentAfter(first, { ok: false }); // lost connection
    expect(pending).toBe(first);
    const retry1 = intentFor<Req>(pending, input, { url: "/v", body: { systolicMmHg: 128, at: "2026-11-30T06:01:00.000Z" } }, mint);
    pending = intentAfter(retry1, { ok: false }); // 503
    const retry2 = intentFor<Req>(pending, input, { url: "/v", body: { systolicMmHg: 128, at: "2026-11-30T06:02:00.000Z" } }, mint);
    expect([retry1.key, retry2.key]).toEqual(["k1", "k1"]);
    expect(retry2.request.body).toEqual({ systolicMmHg: 128, at: "2026-11-30T06:00:00.000Z" });
  });

  it("a new key after the intent succeeded, even with the same input (charting the same values twice is two entries)", () => {
    const mint = keyMint();
    const first = intentFor<Req>(null, { a: 1 }, { url: "/x", body: 1 }, mint);
    const pending = intentAfter(first, { ok: true });
    expect(pending).toBeNull();
    expect(intentFor<Req>(pending, { a: 1 }, { url: "/x", body: 1 }, mint).key).toBe("k2");
  });

  it("a new key, and the new request, once the user changed the input after a failure", () => {
    const mint = keyMint();
    const first = intentFor<Req>(null, { rate: 0.5 }, { url: "/d", body: { rate: 0.5 } }, mint);
    const pending = intentAfter(first, { ok: false }); // 422: override needed
    const changed = intentFor<Req>(pending, { rate: 0.5, overrideReason: "Dr A: per order" }, { url: "/d", body: { rate: 0.5, overrideReason: "Dr A: per order" } }, mint);
    expect(changed.key).toBe("k2");
    expect(changed.request.body).toEqual({ rate: 0.5, overrideReason: "Dr A: per order" });
  });

  it("the smallest change of input is a new intent (one digit)", () => {
    const mint = keyMint();
    const pending = intentAfter(intentFor<Req>(null, { v: "128" }, { url: "/v", body: 128 }, mint), { ok: false });
    expect(intentFor<Req>(pending, { v: "129" }, { url: "/v", body: 129 }, mint).key).toBe("k2");
  });

  it("the same input with its keys in another order is the same intent", () => {
    const mint = keyMint();
    const pending = intentAfter(intentFor<Req>(null, { a: 1, b: { c: 2, d: 3 } }, { url: "/x", body: 1 }, mint), { ok: false });
    expect(intentFor<Req>(pending, { b: { d: 3, c: 2 }, a: 1 }, { url: "/x", body: 1 }, mint).key).toBe("k1");
  });
});

describe("stableStringify", () => {
  it("sorts object keys at every depth and keeps array order", () => {
    expect(stableStringify({ b: 1, a: [{ y: 1, x: 2 }, 3] })).toBe('{"a":[{"x":2,"y":1},3],"b":1}');
    expect(stableStringify([2, 1])).not.toBe(stableStringify([1, 2]));
  });
});

describe("newIdempotencyKey", () => {
  it("carries the prefix and differs between calls", () => {
    const a = newIdempotencyKey("review");
    const b = newIdempotencyKey("review");
    expect(a.startsWith("review-")).toBe(true);
    expect(a).not.toBe(b);
  });
});

describe("safeReturnPath: back to this app only", () => {
  it.each([
    ["/sessions/abc", "/sessions/abc"],
    ["/patients?tab=series", "/patients?tab=series"],
    ["/", "/"],
  ])("%j is kept", (p, expected) => expect(safeReturnPath(p)).toBe(expected));

  it.each([null, undefined, "", "https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "sessions/abc", "/login", "/login?reason=idle", "/api/patients"])(
    "%j falls back to /",
    (p) => expect(safeReturnPath(p)).toBe("/"),
  );
});
