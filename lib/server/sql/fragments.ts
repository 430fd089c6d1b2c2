import { Prisma } from "@/lib/generated/prisma/client";

// SQL shared by the raw queries of lib/server/sql. Each fragment exists once so that two
// readers of the same rows (the series review and the exports) cannot drift apart: a
// different tie-break once made relief % differ between a review and an export of the same
// session (docs/decisions/0005-physician-review.md "How the review reads and ships its data").

/**
 * Epoch milliseconds of a timestamp column, as a bigint. Prisma stores UTC without a zone, to
 * the millisecond; date_part's double carries the microseconds, so rounding gives the exact
 * millisecond (also before 1970, where truncation would be off by one).
 */
export function epochMs(column: string): string {
  return `round(date_part('epoch', ${column}) * 1000)::bigint`;
}

/**
 * Chart order of charted rows (dose events, vitals, pain scores, side effects), as the session
 * screen lists them: clinical time, then charting time, then id (which only breaks exact ties).
 * Two readings at the same minute keep the order in which they were charted, which is how
 * lib/domain/pain.ts sessionPrePost breaks a tie between two PRE or two POST scores: so a
 * session's pre and post scores, and its relief %, are the same rows in the review, the
 * exports and on the bedside chart.
 */
export function chartOrder(alias: string): string {
  return `${alias}.at, ${alias}."enteredAt", ${alias}.id`;
}

/** Order of flags: when raised, then id. */
export function flagOrder(alias: string): string {
  return `${alias}."raisedAt", ${alias}.id`;
}

/** `alias` belongs to clinic `clinicId` (a bound parameter): the one scope every raw query starts from. */
export function inClinic(alias: string, clinicId: string): Prisma.Sql {
  return Prisma.sql`${Prisma.raw(`${alias}."clinicId"`)} = ${clinicId}`;
}

/** Rows `a` and `b` are of the same clinic: how a joined row inherits the scope of the row it hangs off. */
export function sameClinic(a: string, b: string): string {
  return `${a}."clinicId" = ${b}."clinicId"`;
}
