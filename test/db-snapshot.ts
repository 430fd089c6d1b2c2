/**
 * Content fingerprint of the integration database, for tests that assert a refused write
 * changed nothing. Row counts cannot see an UPDATE (a flag acknowledged, a session's status
 * flipped, a password hash replaced all keep the count), so every table is hashed row by row,
 * every column, in a stable order: the same method as the end-to-end probe (e2e/db-probe.ts).
 * The database is shared by the files of one run, which run one at a time (vitest.config.ts),
 * so nothing else writes while a test compares two snapshots.
 */
import { db } from "@/lib/server/db";

/** Per table (by its PostgreSQL name): row count and md5 of all rows as text, sorted. */
export type TableSnapshot = Record<string, { rows: number; md5: string }>;

let allTables: string[] | null = null;
async function tableNames(): Promise<string[]> {
  allTables ??= (
    await db.$queryRawUnsafe<{ t: string }[]>(
      `SELECT table_name AS t FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'
        ORDER BY 1`,
    )
  ).map((r) => r.t);
  return allTables;
}

/**
 * Fingerprints every application table (or only `tables`). Two equal snapshots mean no row
 * was inserted, updated or deleted in them. A row's text form (`x::text`) holds every column
 * in declaration order, so sorting by it orders the rows without knowing their keys.
 */
export async function snapshotTables(tables?: readonly string[]): Promise<TableSnapshot> {
  const names = tables ?? (await tableNames());
  if (names.length === 0) throw new Error("snapshotTables: no tables to fingerprint");
  const sql = names
    .map((t) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(t)) throw new Error(`snapshotTables: not a table name: ${t}`);
      return `SELECT '${t}' AS t, count(*)::int AS n, coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') AS d FROM "${t}" x`;
    })
    .join(" UNION ALL ");
  const rows = await db.$queryRawUnsafe<{ t: string; n: number; d: string }[]>(sql);
  return Object.fromEntries(rows.map((r) => [r.t, { rows: r.n, md5: r.d }]));
}

/** The tables whose content differs between two snapshots (rows added, changed or removed). */
export function changedTables(before: TableSnapshot, after: TableSnapshot): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((t) => before[t]?.md5 !== after[t]?.md5 || before[t]?.rows !== after[t]?.rows).sort();
}
