import { encode, decode } from "next-auth/jwt";
import { describe, expect, it } from "vitest";
import { decodeWithCachedKey } from "./session-claims";

// The cached-key decoder must accept exactly what next-auth encodes, and refuse what
// next-auth's own decoder refuses (another secret, a tampered token).
describe("decodeWithCachedKey", () => {
  const secret = "test-secret-for-claims";
  const claims = { userId: "u1", authTime: 1_790_000_000, lastSeenAt: 1_790_000_600 };

  it("reads a session token next-auth encoded, the same as next-auth's decode", async () => {
    const token = await encode({ token: claims, secret });
    const ours = await decodeWithCachedKey({ token, secret });
    expect(ours).toMatchObject(claims);
    expect(ours).toEqual(await decode({ token, secret }));
    // second call uses the cached key
    expect(await decodeWithCachedKey({ token, secret })).toMatchObject(claims);
  });

  it("honours a salt the way next-auth does", async () => {
    const token = await encode({ token: claims, secret, salt: "authjs.session-token" });
    expect(await decodeWithCachedKey({ token, secret, salt: "authjs.session-token" })).toMatchObject(claims);
    await expect(decodeWithCachedKey({ token, secret })).rejects.toThrow();
  });

  it("refuses a token made with another secret, or tampered with", async () => {
    const token = await encode({ token: claims, secret: "another-secret" });
    await expect(decodeWithCachedKey({ token, secret })).rejects.toThrow();
    const good = await encode({ token: claims, secret });
    const parts = good.split(".");
    parts[3] = parts[3]!.slice(0, -2) + (parts[3]!.endsWith("AA") ? "BB" : "AA");
    await expect(decodeWithCachedKey({ token: parts.join("."), secret })).rejects.toThrow();
  });

  it("answers null without a token", async () => {
    expect(await decodeWithCachedKey({ token: undefined, secret })).toBeNull();
  });
});
