/**
 * How the server-log scan (scripts/scan-server-log.ts, docs/SECURITY.md "no patient data in
 * logs") decides that a piece of patient data appears in a log: as a whole token, not inside a
 * longer word. A patient called "Ada" is in "Ada Lovelace" or `"givenName":"Ada"`, not in
 * "driverAdapterError" (a false alarm that once failed the suite). Letters and digits of any
 * script extend a word; punctuation, quotes and spaces end it.
 */
export function appearsInLog(log: string, needle: string): boolean {
  if (needle === "") return false;
  const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, "u").test(log);
}
