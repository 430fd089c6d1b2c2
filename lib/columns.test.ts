import { describe, expect, it } from "vitest";
import { fromColumns, toColumns } from "./columns";

describe("toColumns / fromColumns", () => {
  const rows = [
    { sequence: 1, date: "2026-03-02", reliefPct: 37.5, followUps: [{ atMs: 1, nrs: 8 }], sideEffects: { DIZZINESS: 1 } },
    { sequence: 2, date: "2026-03-09", reliefPct: null, followUps: [], sideEffects: {} },
  ];

  it("keeps every field of every row, nulls and nested values included", () => {
    const columns = toColumns(rows);
    expect(columns).toEqual({
      sequence: [1, 2], date: ["2026-03-02", "2026-03-09"], reliefPct: [37.5, null],
      followUps: [[{ atMs: 1, nrs: 8 }], []], sideEffects: [{ DIZZINESS: 1 }, {}],
    });
    expect(fromColumns(JSON.parse(JSON.stringify(columns)))).toEqual(rows);
  });

  it("round-trips no rows", () => {
    expect(fromColumns(toColumns([]))).toEqual([]);
  });

  it("names each field once: much shorter JSON than the rows", () => {
    const many = Array.from({ length: 100 }, (_, i) => ({ ...rows[0]!, sequence: i + 1 }));
    expect(JSON.stringify(toColumns(many)).length).toBeLessThan(JSON.stringify(many).length * 0.6);
  });
});
