/** Clinic-zone time helpers live in the pure core (lib/domain/time.ts); re-exported for pages. */
export * from "./domain/time";
