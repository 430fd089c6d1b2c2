import { z } from "zod";

/**
 * The patient search. Names and MRNs travel in the request body, never in the URL: URLs end
 * up in browser history, proxy and server access logs and Referer headers (docs/SECURITY.md).
 */
export const PatientSearchSchema = z.strictObject({
  q: z.string().max(100, "must be at most 100 characters"),
});
export type PatientSearchInput = z.infer<typeof PatientSearchSchema>;
