import { describe, expect, it } from "vitest";
import { effectiveRows } from "./charting";

const row = (id: string, correctsId: string | null = null, isRetraction = false) => ({ id, correctsId, isRetraction });

describe("effectiveRows", () => {
  it("keeps rows nobody replaced", () => {
    expect(effectiveRows([row("a"), row("b")]).map((r) => r.id)).toEqual(["a", "b"]);
  });
  it("a correction replaces its original", () => {
    expect(effectiveRows([row("a"), row("b", "a")]).map((r) => r.id)).toEqual(["b"]);
  });
  it("a correction of a correction leaves only the newest", () => {
    expect(effectiveRows([row("a"), row("b", "a"), row("c", "b")]).map((r) => r.id)).toEqual(["c"]);
  });
  it("a retraction removes the original and is not in force itself", () => {
    expect(effectiveRows([row("a"), row("x", "a", true), row("b")]).map((r) => r.id)).toEqual(["b"]);
  });
  it("an empty chart stays empty", () => {
    expect(effectiveRows([])).toEqual([]);
  });
});
