/**
 * Whether an allergies field names an allergy (shown highlighted) rather than "none",
 * "NKA", "NKDA" or "none known". The chart's header and the chair board use this one test.
 */
export function hasRecordedAllergy(allergies: string): boolean {
  const text = allergies.trim();
  return text !== "" && !/^(none|nka|nkda|none known)/i.test(text);
}
