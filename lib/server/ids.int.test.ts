import { describe, expect, it } from "vitest";
import { cuidLike } from "@/lib/validation/common";
import { newId } from "./ids";

describe("newId", () => {
  it("is a cuid-shaped id: c + 24 base-36 characters, accepted by id validation", () => {
    const id = newId(Date.UTC(2026, 10, 21));
    expect(id).toMatch(/^c[0-9a-z]{24}$/);
    expect(cuidLike.safeParse(id).success).toBe(true);
  });
  it("sorts by creation time and does not repeat", () => {
    const a = newId(1_700_000_000_000), b = newId(1_700_000_000_001);
    expect(a < b).toBe(true);
    const many = new Set(Array.from({ length: 10_000 }, () => newId(1_700_000_000_000)));
    expect(many.size).toBe(10_000);
  });
});
