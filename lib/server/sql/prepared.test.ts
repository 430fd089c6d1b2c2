import { describe, expect, it } from "vitest";
import { Prisma } from "@/lib/generated/prisma/client";
import { chartOrder, epochMs, flagOrder, inClinic, sameClinic } from "./fragments";
import { preparedSql, preparedStatementName } from "./prepared";

describe("preparedSql / preparedStatementName", () => {
  it("names the statement of a marked query; the SQL and its values are otherwise unchanged", () => {
    const q = preparedSql("series-review", Prisma.sql`SELECT id FROM "Series" WHERE id = ${"s1"} AND "clinicId" = ${"c1"}`);
    expect(q.text).toBe('/* prepared: series-review */\nSELECT id FROM "Series" WHERE id = $1 AND "clinicId" = $2');
    expect(q.values).toEqual(["s1", "c1"]);
    expect(preparedStatementName({ sql: q.text })).toBe("series-review");
  });

  it("leaves every other statement unnamed: no marker, a marker not at the start, a malformed marker", () => {
    expect(preparedStatementName({ sql: 'SELECT "id" FROM "Series" WHERE "id" = $1' })).toBeUndefined();
    expect(preparedStatementName({ sql: "SELECT 1 /* prepared: series-review */" })).toBeUndefined();
    expect(preparedStatementName({ sql: "/* prepared: Series-Review */ SELECT 1" })).toBeUndefined();
    expect(preparedStatementName({ sql: "/*prepared: series-review*/ SELECT 1" })).toBeUndefined();
    // leading whitespace before the marker is allowed (a template literal's first line break)
    expect(preparedStatementName({ sql: "\n  /* prepared: export-batch */ SELECT 1" })).toBe("export-batch");
  });

  it("refuses a name the marker could not carry back", () => {
    for (const bad of ["", "Export", "1batch", "export batch", "export_batch", "x */ SELECT 1; /*"]) {
      expect(() => preparedSql(bad, Prisma.sql`SELECT 1`), bad).toThrow(/Bad prepared statement name/);
    }
    expect(preparedStatementName({ sql: preparedSql("a", Prisma.sql`SELECT 1`).text })).toBe("a");
  });
});

describe("fragments", () => {
  it("write the SQL they stand for", () => {
    expect(epochMs(`s."openedAt"`)).toBe(`round(date_part('epoch', s."openedAt") * 1000)::bigint`);
    expect(chartOrder("r")).toBe(`r.at, r."enteredAt", r.id`);
    expect(flagOrder("f")).toBe(`f."raisedAt", f.id`);
    expect(sameClinic("i", "w")).toBe(`i."clinicId" = w."clinicId"`);
    // the clinic id is a bound parameter, never spliced into the text
    const scope = inClinic("s", "c'; DROP TABLE x; --");
    expect(scope.text).toBe(`s."clinicId" = $1`);
    expect(scope.values).toEqual(["c'; DROP TABLE x; --"]);
  });
});
