// Rules of charting shared by the bedside screen (live) and the server (on submit), so the
// two can never disagree about which rows are in force, what an entry needs, and what may be
// done to a session in its status. One module split by concern:
//   charting-entry.ts     reasons, chart times, hard-limit overrides, per-session flags
//   charting-lifecycle.ts the session state machine, completion and signing preconditions
//   charting-totals.ts    the session's computed totals
export * from "./charting-entry";
export * from "./charting-lifecycle";
export * from "./charting-totals";

export interface Correctable {
  id: string;
  correctsId: string | null;
  isRetraction: boolean;
}

/**
 * Rows in force: not replaced by a later correction and not retractions themselves. Charted
 * rows are never edited (docs/decisions/0004-flags-and-charting.md): a correction is a new row pointing at the one
 * it replaces; a retraction withdraws one ("entered in error").
 */
export function effectiveRows<T extends Correctable>(rows: readonly T[]): T[] {
  // Most sessions have no correction at all: no set is built for them (exports run this per row kind and session).
  let replaced: Set<string> | null = null;
  for (const r of rows) if (r.correctsId !== null) (replaced ??= new Set()).add(r.correctsId);
  return rows.filter((r) => !r.isRetraction && !replaced?.has(r.id));
}
