// Rows of one shape sent as one array per field, and back. The review page hands the
// browser's charts two years of weekly sessions as JSON: as an array of rows, the field names
// repeated on every row are two thirds of the bytes (bench/RESULTS.md "physician review page").

/** One array per field of T, all of the same length. */
export type Columns<T> = { [K in keyof T]: T[K][] };

/** Rows -> one array per field. The fields are those of the first row (rows share one shape). */
export function toColumns<T extends object>(rows: readonly T[]): Columns<T> {
  const columns = {} as Columns<T>;
  if (rows.length === 0) return columns;
  for (const key of Object.keys(rows[0]!) as (keyof T)[]) columns[key] = rows.map((row) => row[key]);
  return columns;
}

/** One array per field -> rows (the inverse of toColumns). */
export function fromColumns<T extends object>(columns: Columns<T>): T[] {
  const keys = Object.keys(columns) as (keyof T)[];
  const length = keys.length === 0 ? 0 : columns[keys[0]!].length;
  const rows: T[] = [];
  for (let i = 0; i < length; i++) {
    const row = {} as T;
    for (const key of keys) row[key] = columns[key][i]!;
    rows.push(row);
  }
  return rows;
}
