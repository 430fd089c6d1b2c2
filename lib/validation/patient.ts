import { z } from "zod";
import { calendarDate, clinicalText, decimalQuantity } from "./common";

const screeningAnswer = z.boolean().nullable();

export const ScreeningSchema = z.strictObject({
  substanceMisuse: screeningAnswer,
  psychosis: screeningAnswer,
  cardiovascular: screeningAnswer,
  hepatic: screeningAnswer,
  interactingMeds: screeningAnswer,
  notes: clinicalText(2000).optional(),
});

export const RegisterPatientSchema = z.strictObject({
  mrn: z.string().trim().min(1, "is required").max(32, "must be at most 32 characters").regex(/^[A-Za-z0-9-]+$/, "letters, digits and '-' only"),
  givenName: clinicalText(100).pipe(z.string().min(1, "is required")),
  familyName: clinicalText(100).pipe(z.string().min(1, "is required")),
  birthDate: calendarDate,
  sex: z.enum(["FEMALE", "MALE", "OTHER", "UNKNOWN"], { message: "must be FEMALE, MALE, OTHER or UNKNOWN" }),
  allergies: clinicalText(1000).optional(),
  weightKg: decimalQuantity({ decimals: 1, min: 2, max: 400, unit: "kg" }).optional(),
  screening: ScreeningSchema.optional(),
  consentOnFile: z.boolean().optional(),
  consentDate: calendarDate.optional(),
});
export type RegisterPatientInput = z.infer<typeof RegisterPatientSchema>;
