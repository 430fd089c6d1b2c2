// The protocols seeded into every clinic: one per row of docs/clinical-brief.md "Documented ranges to
// seed as protocols", with the source sentence quoted verbatim and the reading of it into
// limits spelled out, so a reviewer sees why a range is what it is.
// Reading rules (docs/clinical-brief.md): soft = the documented range; hard = 1 mg/kg/h rate and 1 mg/kg
// bolus (edge of the anesthetic range, source 000) for IV protocols unless a lower one is
// justified (none of the sources justifies one); oral and intranasal protocols have their
// own hard dose limit, above every documented dose (the anaesthetic edge is an IV figure);
// a documented point gets a tolerance of ±10% on rate and duration, and its session total
// is derived from those two (highest rate × longest time), stated below.

import {
  NEW_PROTOCOL_DEFAULT_LIMITS,
  type ProtocolLimits,
  type ProtocolRoute,
} from "./protocol";

export type { ProtocolRoute } from "./protocol";

export interface SeededProtocol {
  name: string;
  indication: string;
  route: ProtocolRoute;
  limits: ProtocolLimits;
  sourceDocument: string;
  /** the exact sentence(s) quoted from the source file */
  sourceWording: string;
  /** how the wording was read into limits */
  limitRationale: string;
}

/** Tolerance around a documented point (fixed-dose protocols), percent either side. */
export const FIXED_POINT_TOLERANCE_PCT = 10;

/** Integer value ± FIXED_POINT_TOLERANCE_PCT, exact (all seeded points are multiples of 10). */
function withTolerance(pointValue: number): { low: number; high: number } {
  return {
    low: (pointValue * (100 - FIXED_POINT_TOLERANCE_PCT)) / 100,
    high: (pointValue * (100 + FIXED_POINT_TOLERANCE_PCT)) / 100,
  };
}

const SOURCE_000 = "000 — clinical overview of ketamine dosing for chronic pain (000_3dc45002e6ebe7f7.txt)";
const SOURCE_002 = "002 — guideline and research summary (002_7edb83ebcba9957e.txt)";
const SOURCE_003 = "003 — pain practice article on infusion protocols (003_7a4b321fc1c78dc9.txt)";

const DEFAULT_HARD_LIMITS_TEXT =
  "Hard limits are docs/clinical-brief.md's default, the edge of the anesthetic range: a rate at or above 1.000 mg/kg/h or a single bolus at or above 1.000 mg/kg (source 000: \"the 1 to 4.5 mg/kg typically used for anesthesia\"); the source gives no reason for a lower one.";

const VITALS_TEXT =
  "Vitals thresholds are the clinic defaults of docs/clinical-brief.md (not from the source): every 15 min; SBP >= 160, DBP >= 100 or a rise >= 20% from baseline; HR >= 120 or <= 50; SpO2 < 92%; RR < 10 or > 24.";

/** Every limit null except the default hard limits and default vitals thresholds. */
function baseLimits(doseBasis: ProtocolLimits["doseBasis"]): ProtocolLimits {
  // every seeded protocol starts from the same blank limits a clinic's own new protocol does
  return { ...NEW_PROTOCOL_DEFAULT_LIMITS, doseBasis };
}

/**
 * The session-total ceiling of a fixed-dose protocol, derived from its rate and duration
 * tolerances so they cannot contradict each other: a session inside both (at most the
 * highest rate for at most the longest time) is inside the total. µg/kg/h × min / 60 = µg/kg,
 * exact for the seeded values (asserted: a ceiling is never rounded).
 */
export function derivedCumulativeUgPerKg(maxRateUgPerKgPerH: number, maxDurationMin: number): number {
  const product = maxRateUgPerKgPerH * maxDurationMin;
  if (product % 60 !== 0) throw new RangeError(`${maxRateUgPerKgPerH} µg/kg/h × ${maxDurationMin} min is not a whole µg/kg`);
  return product / 60;
}

/**
 * Hard single-dose limit of the oral route, µg/kg. The anaesthetic edge is an IV figure
 * (source 000: oral has "lower bioavailability"), and the oral protocol documents up to
 * 1 mg/kg per day, which may be given as one dose, so 1 mg/kg must not be a hard stop. Twice
 * the documented daily maximum in one dose is: a doubled dose or a weight entered in pounds
 * (2.2 ×) at the documented top dose reaches it. [default]
 */
export const ORAL_HARD_MAX_DOSE_UG_PER_KG = 2000;
/**
 * Hard single-dose limit of the intranasal route, µg/kg: twice the documented 0.4 mg/kg per
 * dose (source 000), so a doubled dose or a pounds-for-kilograms weight (0.4 × 2.2 = 0.88)
 * at the documented top dose reaches it; no documented dose does. [default]
 */
export const INTRANASAL_HARD_MAX_DOSE_UG_PER_KG = 800;

// CRPS outpatient (source 003): 0.35 mg/kg/h for 4 h, ±10%.
const crpsOutpatientRate = withTolerance(350); // 315..385 µg/kg/h
const crpsOutpatientDuration = withTolerance(240); // 216..264 min
// derived: 385 µg/kg/h × 264 min / 60 = 101640 / 60 = 1694 µg/kg
const crpsOutpatientCumulative = derivedCumulativeUgPerKg(crpsOutpatientRate.high, crpsOutpatientDuration.high);
// 80 mg fixed total (source 003), + 10% = 88 mg; 5 h ± 10% = 270..330 min
const eightyMgCeilingUg = withTolerance(80_000).high;
const fiveHours = withTolerance(300);
// Fibromyalgia (source 000): 0.5 mg/kg over 40 min = 0.5 / (40/60) = 0.75 mg/kg/h = 750 µg/kg/h
const fibroRate = withTolerance(750); // 675..825 µg/kg/h
const fibroDuration = withTolerance(40); // 36..44 min
// derived: 825 µg/kg/h × 44 min / 60 = 36300 / 60 = 605 µg/kg
const fibroCumulative = derivedCumulativeUgPerKg(fibroRate.high, fibroDuration.high);

export const SEEDED_PROTOCOLS: SeededProtocol[] = [
  {
    name: "General subanesthetic pain dosing",
    indication: "Chronic pain (general)",
    route: "IV",
    limits: {
      ...baseLimits("AMOUNT_PER_KG"),
      softMaxBolusUgPerKg: 500,
      maxCumulativeUgPerKg: 500,
    },
    sourceDocument: SOURCE_000,
    sourceWording:
      "This is far lower than the 1 to 4.5 mg/kg typically used for anesthesia. […] " +
      "Generally, subanesthetic doses ranging from 0.1 to 0.5 mg/kg are used for pain management.",
    limitRationale: [
      "The source documents an amount per kg, not a rate or a duration, so the range is read as the amount per session: a session total above 0.500 mg/kg (500 µg/kg) is flagged, and so is a single bolus above 0.500 mg/kg.",
      "The 0.1 mg/kg lower end is shown in the wording; there is no field to flag a session total below it.",
      "No rate range is documented, so rates are held only against the hard limit.",
      DEFAULT_HARD_LIMITS_TEXT,
      VITALS_TEXT,
    ].join(" "),
  },
  {
    name: "IV infusion (routes table)",
    indication: "Chronic pain, initial treatment",
    route: "IV",
    limits: {
      ...baseLimits("RATE_PER_KG"),
      softMinRateUgPerKgPerH: 100,
      softMaxRateUgPerKgPerH: 500,
    },
    sourceDocument: SOURCE_000,
    sourceWording: "Intravenous\n\n0.1-0.5 mg/kg/hr\n\nMost common for initial treatment",
    limitRationale: [
      "Quoted from the source's route table (cells: route, typical dose range, considerations).",
      "Documented range 0.100-0.500 mg/kg/h (100-500 µg/kg/h) is the soft range for every rate, the start included; no duration or schedule is documented.",
      DEFAULT_HARD_LIMITS_TEXT,
      VITALS_TEXT,
    ].join(" "),
  },
  {
    name: "Oral maintenance (routes table)",
    indication: "Chronic pain, maintenance",
    route: "PO",
    limits: {
      ...baseLimits("DAILY_PER_KG"),
      maxCumulativeUgPerKg: 1000,
      hardMaxBolusUgPerKg: ORAL_HARD_MAX_DOSE_UG_PER_KG,
    },
    sourceDocument: SOURCE_000,
    sourceWording: "Oral\n\n0.5-1 mg/kg/day\n\nLower bioavailability, may be used for maintenance",
    limitRationale: [
      "Quoted from the source's route table. A PO session is one day's record; each oral dose is charted as a BOLUS.",
      "Documented 0.5-1 mg/kg/day: a day's total above 1.000 mg/kg (1000 µg/kg) is flagged; the 0.5 mg/kg lower end is shown in the wording (no field flags a total below it).",
      "No per-dose amount is documented, so there is no soft dose limit: the whole documented daily maximum (1.000 mg/kg) may be one dose and raises no flag.",
      "Hard limit 2.000 mg/kg per dose [default]: the anaesthetic edge (1 mg/kg) is an intravenous figure and does not apply to the oral route (source 000: \"lower bioavailability\"); twice the documented daily maximum in one dose is a doubled dose or a weight entered in pounds (2.2 ×), which no documented dose reaches.",
      "Rate limits do not apply to the oral route; the hard rate field keeps its default and is not used.",
      VITALS_TEXT,
    ].join(" "),
  },
  {
    name: "Intranasal breakthrough (routes table)",
    indication: "Breakthrough pain",
    route: "IN",
    limits: {
      ...baseLimits("PER_DOSE_PER_KG"),
      softMaxBolusUgPerKg: 400,
      hardMaxBolusUgPerKg: INTRANASAL_HARD_MAX_DOSE_UG_PER_KG,
    },
    sourceDocument: SOURCE_000,
    sourceWording: "Intranasal\n\n0.1-0.4 mg/kg\n\nRapid onset, convenient for breakthrough pain",
    limitRationale: [
      "Quoted from the source's route table; docs/clinical-brief.md reads the range as per dose. Each intranasal dose is charted as a BOLUS.",
      "A dose above 0.400 mg/kg (400 µg/kg) is flagged; the 0.1 mg/kg lower end is shown in the wording (no field flags a dose below it).",
      "No daily total, duration or schedule is documented. Rate limits do not apply to the intranasal route; the hard rate field keeps its default and is not used.",
      "Hard limit 0.800 mg/kg per dose [default]: the anaesthetic edge is an intravenous figure; twice the documented 0.400 mg/kg is a doubled dose or a weight entered in pounds at the top dose (0.4 × 2.2 = 0.88 mg/kg), which no documented dose reaches.",
      VITALS_TEXT,
    ].join(" "),
  },
  {
    name: "CRPS multi-day infusion",
    indication: "Complex regional pain syndrome (CRPS)",
    route: "IV",
    limits: {
      ...baseLimits("RATE_PER_KG"),
      startMinRateUgPerKgPerH: 100,
      startMaxRateUgPerKgPerH: 300,
      softMinRateUgPerKgPerH: 100,
      softMaxRateUgPerKgPerH: 700,
      maxStepUgPerKgPerH: 100,
      minDurationMin: 4 * 24 * 60, // 4 days = 5760 min
      maxDurationMin: 5 * 24 * 60, // 5 days = 7200 min
      defaultPlannedSessions: 1,
      minIntervalHours: 90 * 24, // 3 months read as 90 days = 2160 h
      maxSessionsPer7Days: 1,
    },
    sourceDocument: SOURCE_000,
    sourceWording:
      "A common intravenous ketamine protocol involves a starting dose of 0.1-0.3 mg/kg/hr, gradually titrated up to 0.5-0.7 mg/kg/hr as tolerated, and infusions last 4-5 days, and may repeat every 3-6 months.",
    limitRationale: [
      "The START rate is held against the documented start range 0.100-0.300 mg/kg/h; later rates against the whole documented span 0.100-0.700 mg/kg/h (docs/clinical-brief.md: titrating to 0.6 is documented practice, 0.8 is outside the documents).",
      "[default] \"gradually titrated\" gives no number; a step larger than 0.100 mg/kg/h between consecutive rates is flagged (a clinic default, editable).",
      "One session is the whole multi-day infusion: shorter than 4 days (5760 min) or longer than 5 days (7200 min), measured from the first start to the stop, is flagged.",
      "\"may repeat every 3-6 months\": a new session less than 90 days (2160 h, the short end read as 3 × 30 days) after the previous one's start is flagged; one session per series by default.",
      DEFAULT_HARD_LIMITS_TEXT,
      VITALS_TEXT,
    ].join(" "),
  },
  {
    name: "CRPS outpatient 0.35 mg/kg/h",
    indication: "Complex regional pain syndrome (CRPS)",
    route: "IV",
    limits: {
      ...baseLimits("RATE_PER_KG"),
      softMinRateUgPerKgPerH: crpsOutpatientRate.low,
      softMaxRateUgPerKgPerH: crpsOutpatientRate.high,
      maxCumulativeUgPerKg: crpsOutpatientCumulative,
      minDurationMin: crpsOutpatientDuration.low,
      maxDurationMin: crpsOutpatientDuration.high,
    },
    sourceDocument: SOURCE_003,
    sourceWording:
      "For moderate CRPS improvement, researchers have used different methods, including a protocol involving an infusion of 22 mg/h or 0.35 mg/kg/h repeated over four hours.",
    limitRationale: [
      "A documented point, not a span, so a tolerance of ±10% is applied (docs/clinical-brief.md): rate 0.315-0.385 mg/kg/h (315-385 µg/kg/h) for the start and every later rate; duration 4 h ±10% = 216-264 min;",
      "session total derived from the two tolerances so they cannot contradict each other: the highest rate for the longest time, 0.385 mg/kg/h × 264 min / 60 = 1.694 mg/kg (1694 µg/kg); a session inside the rate and duration tolerances is inside the total (the documented point is 0.35 × 4 = 1.400 mg/kg).",
      "\"22 mg/h\" is the same regimen as a fixed rate (0.35 mg/kg/h at about 63 kg); the app charts it weight-based. A fixed 22 mg/h variant would be a separate protocol.",
      "\"repeated over four hours\" is read as infused over four hours; no schedule between sessions is documented.",
      DEFAULT_HARD_LIMITS_TEXT,
      VITALS_TEXT,
    ].join(" "),
  },
  {
    name: "CRPS 80 mg over 5 hours",
    indication: "Complex regional pain syndrome (CRPS)",
    route: "IV",
    limits: {
      ...baseLimits("FIXED_TOTAL"),
      maxCumulativeUg: eightyMgCeilingUg,
      minDurationMin: fiveHours.low,
      maxDurationMin: fiveHours.high,
    },
    sourceDocument: SOURCE_003,
    sourceWording: "Another approach utilized a total dose of 80 mg infused over five hours.",
    limitRationale: [
      "A documented fixed total, so a tolerance of ±10% is applied: a session total above 88.000 mg (88000 µg) is flagged (no field flags a total below 72 mg; the summary shows the total);",
      "duration 5 h ±10% = 270-330 min.",
      "The total is not weight-based, so no per-kg rate range is documented; rates are held only against the hard limit.",
      DEFAULT_HARD_LIMITS_TEXT,
      VITALS_TEXT,
    ].join(" "),
  },
  {
    name: "Practice-guideline start 80 mg",
    indication: "Chronic pain, initiation",
    route: "IV",
    limits: {
      ...baseLimits("FIXED_TOTAL"),
      maxCumulativeUg: eightyMgCeilingUg,
      minDurationMin: 120,
      defaultPlannedSessions: 1,
    },
    sourceDocument: SOURCE_003,
    sourceWording:
      "However, despite the heterogeneity of the evidence, practice guidelines recommend initiating therapy with an 80 mg ketamine infusion over a minimum of two hours. Subsequent dosing will be determined based on the patient’s clinical response.",
    limitRationale: [
      "A documented fixed total, so a tolerance of ±10% is applied: a session total above 88.000 mg (88000 µg) is flagged.",
      "\"over a minimum of two hours\" is itself a bound, so no tolerance below it: a session shorter than 120 min is flagged; no maximum is documented.",
      "\"Subsequent dosing will be determined based on the patient's clinical response\": one planned session; later sessions belong to a protocol the physician chooses.",
      DEFAULT_HARD_LIMITS_TEXT,
      VITALS_TEXT,
    ].join(" "),
  },
  {
    name: "Fibromyalgia 0.5 mg/kg over 40 minutes",
    indication: "Fibromyalgia",
    route: "IV",
    limits: {
      ...baseLimits("AMOUNT_PER_KG"),
      softMinRateUgPerKgPerH: fibroRate.low,
      softMaxRateUgPerKgPerH: fibroRate.high,
      maxCumulativeUgPerKg: fibroCumulative,
      minDurationMin: fibroDuration.low,
      maxDurationMin: fibroDuration.high,
      defaultPlannedSessions: 8,
      maxSessionsPer7Days: 2,
    },
    sourceDocument: SOURCE_000,
    sourceWording:
      "A typical outpatient protocol might involve a 0.5 mg/kg intravenous ketamine infusion over 40 minutes, once or twice weekly for 3-4 weeks, with monthly infusions for maintenance.",
    limitRationale: [
      "0.5 mg/kg over 40 minutes is a rate of 0.5 / (40/60) = 0.750 mg/kg/h. A documented point, so a tolerance of ±10% is applied:",
      "rate 0.675-0.825 mg/kg/h (675-825 µg/kg/h) for the start and every later rate; duration 40 min ±10% = 36-44 min; session total derived from those two so they cannot contradict each other: 0.825 mg/kg/h × 44 min / 60 = 0.605 mg/kg (605 µg/kg; the documented point is 0.500 mg/kg).",
      "\"once or twice weekly\": a third session within 7 days is flagged. \"for 3-4 weeks\": 8 planned sessions by default (twice weekly for 4 weeks, the most the induction documents); monthly maintenance is a new series.",
      DEFAULT_HARD_LIMITS_TEXT,
      VITALS_TEXT,
    ].join(" "),
  },
  {
    name: "Chronic neuropathic pain 0.1-0.3 mg/kg/h",
    indication: "Chronic neuropathic pain",
    route: "IV",
    limits: {
      ...baseLimits("RATE_PER_KG"),
      softMinRateUgPerKgPerH: 100,
      softMaxRateUgPerKgPerH: 300,
      maxCumulativeUgPerKg: 1200,
      minDurationMin: 120,
      maxDurationMin: 240,
      defaultPlannedSessions: 5,
      minIntervalHours: 20,
      maxSessionsPer7Days: 5,
    },
    sourceDocument: SOURCE_000,
    sourceWording:
      "A regimen might involve 0.1-0.3 mg/kg/hr intravenous ketamine infusions over 2-4 hours, for 3-5 consecutive days, repeated every 4-6 weeks.",
    limitRationale: [
      "Documented range 0.100-0.300 mg/kg/h (100-300 µg/kg/h) is the soft range for every rate, the start included; duration 120-240 min;",
      "session total at most 0.3 mg/kg/h × 4 h = 1.200 mg/kg (1200 µg/kg), the documented maximum rate for the documented maximum time.",
      "\"for 3-5 consecutive days\": 5 planned sessions by default, more than 5 within 7 days is flagged, and [default] a session less than 20 h after the previous one's start is flagged (one a day, with room for the clinic's day to shift).",
      "\"repeated every 4-6 weeks\" spaces blocks of sessions; a new block is a new series (no per-session field expresses it).",
      DEFAULT_HARD_LIMITS_TEXT,
      VITALS_TEXT,
    ].join(" "),
  },
  {
    name: "Guideline summary 0.1-1.0 mg/kg over 1-4 hours",
    indication: "Chronic pain syndromes (CRPS, fibromyalgia, neuropathic, central sensitization)",
    route: "IV",
    limits: {
      ...baseLimits("AMOUNT_PER_KG"),
      maxCumulativeUgPerKg: 1000,
      minDurationMin: 60,
      maxDurationMin: 240,
      defaultPlannedSessions: 6,
      minIntervalHours: 20,
      maxSessionsPer7Days: 6,
    },
    sourceDocument: SOURCE_002,
    sourceWording:
      "Ketamine is typically administered as intravenous infusions at sub-anesthetic doses ranging from 0.1-1.0 mg/kg over 1-4 hours, with treatment protocols often involving a series of 4-6 infusions over 1-2 weeks.",
    limitRationale: [
      "The range is an amount per session: a session total above 1.000 mg/kg (1000 µg/kg) is flagged (docs/clinical-brief.md); the 0.1 mg/kg lower end is shown in the wording. Duration 60-240 min.",
      "No rate range is documented (0.1-1.0 mg/kg over 1-4 h spans 0.025-1.000 mg/kg/h), so rates are held only against the hard limit.",
      "The one corner of that span that meets the hard limit is 1.0 mg/kg given in exactly 1 h (1.000 mg/kg/h, the anaesthetic edge): it needs a physician's override; 1.0 mg/kg over more than 1 h, or less than 1.0 mg/kg in 1 h, does not.",
      "\"a series of 4-6 infusions over 1-2 weeks\": 6 planned sessions by default, more than 6 within 7 days is flagged, and [default] a session less than 20 h after the previous one's start is flagged (one a day).",
      DEFAULT_HARD_LIMITS_TEXT,
      VITALS_TEXT,
    ].join(" "),
  },
];
