// Rules of charting shared by the bedside screen (live) and the server (on submit), so the
// two can never disagree about which rows are in force or when a time needs a reason.

/** Charting more than this long after the fact needs a back-timing reason. */
export const BACK_TIME_GRACE_MS = 10 * 60_000;
/** Clock skew tolerated between a bedside device and the server for a time in the future. */
export const FUTURE_SKEW_MS = 2 * 60_000;

export interface Correctable {
  id: string;
  correctsId: string | null;
  isRetraction: boolean;
}

/**
 * Rows in force: not replaced by a later correction and not retractions themselves. Charted
 * rows are never edited (docs/decisions/0004): a correction is a new row pointing at the one
 * it replaces; a retraction withdraws one ("entered in error").
 */
export function effectiveRows<T extends Correctable>(rows: readonly T[]): T[] {
  // Most sessions have no correction at all: no set is built for them (exports run this per row kind and session).
  let replaced: Set<string> | null = null;
  for (const r of rows) if (r.correctsId !== null) (replaced ??= new Set()).add(r.correctsId);
  return rows.filter((r) => !r.isRetraction && !replaced?.has(r.id));
}
