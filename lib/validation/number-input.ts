/**
 * The one reader of a typed number, for every form (and any server code that reads text).
 *
 * An empty field is "not given", never 0: an empty dose box must not become a 0 mg dose
 * (docs/decisions/0008-client-data-layer.md), so "" and whitespace read as `undefined`
 * and the schema then says the field is required. A decimal comma is accepted
 * ("1,5" is 1.5: tablets set to a European locale type it). Anything that is not a plain
 * decimal ("abc", "1e3", "0x10", "1.2.3") is NaN, which the zod schemas report as "not a
 * number" instead of guessing: a nurse who typed "1e3" did not mean 1000 mg.
 */
export function parseNumberInput(text: string | FormDataEntryValue | null | undefined): number | undefined {
  if (text === null || text === undefined) return undefined;
  if (typeof text !== "string") return Number.NaN; // a File from a FormData: not a number
  const t = text.trim().replace(",", ".");
  if (t === "") return undefined;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(t)) return Number.NaN;
  return Number(t);
}
