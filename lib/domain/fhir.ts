// FHIR R4 resources for a session export, from plain charted data (rows in force only:
// corrections applied, retractions removed). Codes from docs/clinical-brief.md "Codes for exchange":
// LOINC for vitals and pain, UCUM units, RxNorm 6130 for ketamine. Every reference inside a
// Bundle is a urn:uuid fullUrl; the caller supplies `uuidOf`, which must give the same UUID
// for the same (resource type, source id) so the Patient of many sessions is referenced,
// not repeated.

import { isLateEntry } from "./guards";
import { isoWithOffset } from "./time";
import { formatScaled } from "./units";
import { sideEffectLabel, interventionLabel, SEVERITY_LABELS } from "./side-effects";
import type { DoseEventType } from "./dose";
import type { PainScale } from "./pain";

export const LOINC = "http://loinc.org";
export const UCUM = "http://unitsofmeasure.org";
export const RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm";
export const SNOMED = "http://snomed.info/sct";
const OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category";
const V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203";
const ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
const FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category";
/** Titrate's own code systems (side-effect kinds, flag codes, dose event types): URNs, no invented URLs. */
export const TITRATE_SYSTEM = {
  mrn: "urn:titrate:mrn",
  session: "urn:titrate:session",
  sideEffect: "urn:titrate:side-effect-kind",
  flag: "urn:titrate:flag-code",
  doseEvent: "urn:titrate:dose-event-type",
  /** the vital-signs set an Observation was charted in: its BP panel, HR, SpO2, RR and temperature share it */
  vitalSigns: "urn:titrate:vital-signs",
} as const;

/** LOINC codes and UCUM units of docs/clinical-brief.md. */
export const VITAL_CODES = {
  bpPanel: { code: "85354-9", display: "Blood pressure panel with all children optional" },
  systolic: { code: "8480-6", display: "Systolic blood pressure", unit: "mm[Hg]", ucum: "mm[Hg]" },
  diastolic: { code: "8462-4", display: "Diastolic blood pressure", unit: "mm[Hg]", ucum: "mm[Hg]" },
  heartRate: { code: "8867-4", display: "Heart rate", unit: "/min", ucum: "/min" },
  spo2: { code: "59408-5", display: "Oxygen saturation in Arterial blood by Pulse oximetry", unit: "%", ucum: "%" },
  respRate: { code: "9279-1", display: "Respiratory rate", unit: "/min", ucum: "/min" },
  temperature: { code: "8310-5", display: "Body temperature", unit: "Cel", ucum: "Cel" },
  weight: { code: "29463-7", display: "Body weight", unit: "kg", ucum: "kg" },
  pain: { code: "72514-3", display: "Pain severity - 0-10 verbal numeric rating [Score] - Reported" },
} as const;

export const KETAMINE = { system: RXNORM, code: "6130", display: "ketamine" } as const;
/** SNOMED CT route codes for the protocol routes. */
export const ROUTE_CODES = {
  IV: { system: SNOMED, code: "47625008", display: "Intravenous route" },
  PO: { system: SNOMED, code: "26643006", display: "Oral route" },
  IN: { system: SNOMED, code: "46713006", display: "Nasal route" },
} as const;

export type FhirResource = { resourceType: string; id: string } & Record<string, unknown>;
export interface BundleEntry {
  fullUrl: string;
  resource: FhirResource;
}
export type UuidOf = (resourceType: string, sourceId: string) => string;

export interface FhirPatientInput {
  id: string;
  mrn: string;
  givenName: string;
  familyName: string;
  /** YYYY-MM-DD */
  birthDate: string;
  sex: "FEMALE" | "MALE" | "OTHER" | "UNKNOWN";
}

export interface FhirSessionInput {
  timeZone: string;
  clinicName: string;
  patient: FhirPatientInput;
  session: {
    id: string;
    status: "IN_PROGRESS" | "COMPLETED" | "SIGNED";
    openedAtMs: number;
    /** when the chart was really opened, and why it was opened late (late documentation) */
    enteredAtMs?: number;
    lateEntryReason?: string | null;
    /** STOP or completion; null while running */
    endMs: number | null;
    weightG: number;
    concentrationUgPerMl: number;
    protocolName: string;
    protocolVersion: number;
    route: "IV" | "PO" | "IN";
    nurseName: string;
    physicianName: string;
    signedByName: string | null;
  };
  /** rows in force, in time order */
  // enteredAtMs: when each row was charted (Observation.issued); atMs is its clinical time
  doseEvents: { id: string; type: DoseEventType; atMs: number; enteredAtMs?: number; queuedAtMs?: number | null; rateUgPerKgPerH: number | null; bolusUg: number | null }[];
  vitals: {
    id: string; atMs: number; enteredAtMs?: number; queuedAtMs?: number | null; systolicMmHg: number; diastolicMmHg: number; heartRatePerMin: number; spo2Pct: number;
    respRatePerMin: number; temperatureDeciC: number | null;
  }[];
  /** reportedBy PATIENT: a score the patient sent from a check-in (decision 0020) */
  pain: { id: string; atMs: number; enteredAtMs?: number; queuedAtMs?: number | null; score: number; scale: PainScale; phase: "PRE" | "INTRA" | "POST" | "FOLLOW_UP"; reportedBy?: "STAFF" | "PATIENT" }[];
  sideEffects: { id: string; atMs: number; enteredAtMs?: number; queuedAtMs?: number | null; kind: string; severity: number; intervention: string | null; note: string | null }[];
  flags: {
    id: string; code: string; severity: "SOFT" | "HARD"; message: string; valueText: string; limitText: string;
    reason: string | null; raisedAtMs: number; acknowledgedAtMs: number | null; acknowledgedByName: string | null; ackReason: string | null;
    /** set when its condition went away (decision 0009) */
    resolvedAtMs?: number | null; resolution?: string | null;
  }[];
}

const ref = (uuid: string) => ({ reference: `urn:uuid:${uuid}` });
const entry = (resource: FhirResource): BundleEntry => ({ fullUrl: `urn:uuid:${resource.id}`, resource });
/** An exact decimal from an integer in a smaller unit (350 µg/kg/h -> 0.35), never float arithmetic. */
const scaled = (value: number, unitShift: number) => Number(formatScaled(value, unitShift, unitShift));
const quantity = (value: number, unit: string, ucum: string) => ({ value, unit, system: UCUM, code: ucum });
const vitalCategory = [{ coding: [{ system: OBS_CATEGORY, code: "vital-signs", display: "Vital Signs" }] }];

/** The Patient resource (once per export, however many sessions it has). */
export function buildPatient(p: FhirPatientInput, uuidOf: UuidOf): FhirResource {
  const gender = ({ FEMALE: "female", MALE: "male", OTHER: "other", UNKNOWN: "unknown" } as const)[p.sex];
  return {
    resourceType: "Patient",
    id: uuidOf("Patient", p.id),
    identifier: [{ type: { coding: [{ system: V2_0203, code: "MR", display: "Medical record number" }] }, system: TITRATE_SYSTEM.mrn, value: p.mrn }],
    name: [{ use: "official", family: p.familyName, given: [p.givenName] }],
    gender,
    birthDate: p.birthDate,
  };
}

/**
 * Everything of one session except the Patient: an Encounter, the weight used, a
 * MedicationAdministration per dose event, vitals and pain Observations, side effects as
 * Observations (they carry the intervention as a note, which AdverseEvent R4 cannot) and
 * the session's flags as Flag resources.
 */
export function buildSessionEntries(input: FhirSessionInput, uuidOf: UuidOf): BundleEntry[] {
  const { session: s, timeZone } = input;
  const at = (ms: number) => isoWithOffset(ms, timeZone);
  const patient = ref(uuidOf("Patient", input.patient.id));
  const encounterId = uuidOf("Encounter", s.id);
  const encounter = ref(encounterId);
  const out: BundleEntry[] = [];
  // Late documentation (decision 0009): an Observation's effectiveDateTime is its clinical
  // time and `issued` when it was recorded; an entry recorded more than 10 minutes after its
  // time also says "Late entry" in a note, on every resource that has one.
  const issued = (r: { enteredAtMs?: number }) => (r.enteredAtMs === undefined ? {} : { issued: at(r.enteredAtMs) });
  // An entry charted offline (decision 0017: saved on the device while the network was down,
  // sent when it returned) says so in a note too, with both times: a plain Annotation, which
  // every FHIR R4 reader keeps, rather than an extension a receiver would have to know.
  const lateNotes = (r: { atMs: number; enteredAtMs?: number; queuedAtMs?: number | null }) => [
    ...(r.enteredAtMs !== undefined && isLateEntry(r.atMs, r.enteredAtMs)
      ? [{ text: `Late entry: recorded ${at(r.enteredAtMs)}, ${Math.round((r.enteredAtMs - r.atMs) / 60_000)} min after its clinical time.` }]
      : []),
    ...(r.queuedAtMs != null
      ? [{ text: `Charted offline: saved on the device at ${at(r.queuedAtMs)}${r.enteredAtMs !== undefined ? `, received by the server at ${at(r.enteredAtMs)}` : ""}.` }]
      : []),
  ];
  const withLateNotes = (r: { atMs: number; enteredAtMs?: number; queuedAtMs?: number | null }) => {
    const notes = lateNotes(r);
    return notes.length ? { note: notes } : {};
  };

  out.push(entry({
    resourceType: "Encounter",
    id: encounterId,
    identifier: [{ system: TITRATE_SYSTEM.session, value: s.id }],
    status: s.status === "IN_PROGRESS" ? "in-progress" : "finished",
    class: { system: ACT_CODE, code: "AMB", display: "ambulatory" },
    type: [{ text: `Ketamine infusion: ${s.protocolName} (protocol version ${s.protocolVersion})` }],
    subject: patient,
    participant: [
      { type: [{ text: "nurse" }], individual: { display: s.nurseName } },
      { type: [{ text: "ordering physician" }], individual: { display: s.physicianName } },
      ...(s.signedByName ? [{ type: [{ text: "signed by" }], individual: { display: s.signedByName } }] : []),
    ],
    period: { start: at(s.openedAtMs), ...(s.endMs !== null ? { end: at(s.endMs) } : {}) },
    serviceProvider: { display: input.clinicName },
  }));

  out.push(entry({
    resourceType: "Observation",
    id: uuidOf("Observation", `weight:${s.id}`),
    status: "final",
    category: vitalCategory,
    code: { coding: [{ system: LOINC, code: VITAL_CODES.weight.code, display: VITAL_CODES.weight.display }], text: "Body weight used for dosing" },
    subject: patient,
    encounter,
    effectiveDateTime: at(s.openedAtMs),
    ...issued(s),
    ...(s.lateEntryReason ? { note: [{ text: `Session documented late: ${s.lateEntryReason}` }] } : {}),
    valueQuantity: quantity(scaled(s.weightG, 3), "kg", "kg"),
  }));

  // Rate events carry the rate in force from then on; PAUSE and STOP set it to 0.
  let rateInForce = 0;
  const route = ROUTE_CODES[s.route];
  input.doseEvents.forEach((e, i) => {
    const next = input.doseEvents.slice(i + 1).find((n) => n.type !== "BOLUS");
    const id = uuidOf("MedicationAdministration", e.id);
    const base = {
      resourceType: "MedicationAdministration",
      id,
      identifier: [{ system: TITRATE_SYSTEM.doseEvent, value: e.id }],
      category: { coding: [{ system: TITRATE_SYSTEM.doseEvent, code: e.type }], text: e.type.toLowerCase().replace("_", " ") },
      medicationCodeableConcept: { coding: [KETAMINE], text: "ketamine" },
      subject: patient,
      context: encounter,
      ...withLateNotes(e),
    };
    if (e.type === "BOLUS") {
      out.push(entry({
        ...base,
        status: "completed",
        effectiveDateTime: at(e.atMs),
        dosage: { text: `Bolus ${formatScaled(e.bolusUg ?? 0, 3, 3)} mg`, route: { coding: [route] }, dose: quantity(scaled(e.bolusUg ?? 0, 3), "mg", "mg") },
      }));
      return;
    }
    if (e.type === "START" || e.type === "RATE_CHANGE") rateInForce = e.rateUgPerKgPerH ?? rateInForce;
    const running = e.type === "START" || e.type === "RATE_CHANGE" || e.type === "RESUME";
    const rateUg = running ? rateInForce : 0;
    const endMs = running ? next?.atMs ?? s.endMs : null;
    out.push(entry({
      ...base,
      status: running ? (endMs === null ? "in-progress" : "completed") : e.type === "PAUSE" ? "on-hold" : "completed",
      ...(running
        ? { effectivePeriod: { start: at(e.atMs), ...(endMs !== null && endMs !== undefined ? { end: at(endMs) } : {}) } }
        : { effectiveDateTime: at(e.atMs) }),
      dosage: {
        text: running ? `${e.type.toLowerCase().replace("_", " ")}: ${formatScaled(rateUg, 3, 3)} mg/kg/h` : e.type.toLowerCase(),
        route: { coding: [route] },
        rateQuantity: quantity(scaled(rateUg, 3), "mg/kg/h", "mg/kg/h"),
      },
    }));
  });

  for (const v of input.vitals) {
    const common = {
      resourceType: "Observation", identifier: [{ system: TITRATE_SYSTEM.vitalSigns, value: v.id }], status: "final", category: vitalCategory, subject: patient, encounter, effectiveDateTime: at(v.atMs),
      ...issued(v), ...withLateNotes(v),
    };
    const simple = (key: "heartRate" | "spo2" | "respRate" | "temperature", value: number) => {
      const c = VITAL_CODES[key];
      out.push(entry({
        ...common,
        id: uuidOf("Observation", `${key}:${v.id}`),
        code: { coding: [{ system: LOINC, code: c.code, display: c.display }], text: c.display },
        valueQuantity: quantity(value, c.unit, c.ucum),
      }));
    };
    out.push(entry({
      ...common,
      id: uuidOf("Observation", `bp:${v.id}`),
      code: { coding: [{ system: LOINC, code: VITAL_CODES.bpPanel.code, display: VITAL_CODES.bpPanel.display }], text: "Blood pressure" },
      component: (["systolic", "diastolic"] as const).map((k) => ({
        code: { coding: [{ system: LOINC, code: VITAL_CODES[k].code, display: VITAL_CODES[k].display }] },
        valueQuantity: quantity(k === "systolic" ? v.systolicMmHg : v.diastolicMmHg, "mm[Hg]", "mm[Hg]"),
      })),
    }));
    simple("heartRate", v.heartRatePerMin);
    simple("spo2", v.spo2Pct);
    simple("respRate", v.respRatePerMin);
    if (v.temperatureDeciC !== null) simple("temperature", scaled(v.temperatureDeciC, 1));
  }

  for (const p of input.pain) {
    // LOINC 72514-3 is the 0-10 numeric scale; a VAS score (0-100 mm) is not that code, so it
    // travels with its scale in the text and millimetres as unit.
    const isNrs = p.scale === "NRS";
    out.push(entry({
      resourceType: "Observation",
      id: uuidOf("Observation", `pain:${p.id}`),
      status: "final",
      category: vitalCategory,
      code: isNrs
        ? { coding: [{ system: LOINC, code: VITAL_CODES.pain.code, display: VITAL_CODES.pain.display }], text: `Pain NRS 0-10 (${p.phase.toLowerCase().replace("_", "-")})` }
        : { text: `Pain VAS 0-100 mm (${p.phase.toLowerCase().replace("_", "-")})` },
      subject: patient,
      encounter,
      effectiveDateTime: at(p.atMs),
      ...issued(p),
      // a patient's own report from home names the patient as its performer, so a reader never
      // takes it for a score a nurse charted at the bedside
      ...(p.reportedBy === "PATIENT" ? { performer: [patient] } : {}),
      ...withLateNotes(p),
      valueQuantity: isNrs ? quantity(p.score, "{score}", "{score}") : quantity(p.score, "mm", "mm"),
    }));
  }

  for (const e of input.sideEffects) {
    const severityLabel = SEVERITY_LABELS[e.severity] ?? String(e.severity);
    const notes = [
      e.intervention && e.intervention !== "NONE" ? `Intervention: ${interventionLabel(e.intervention)}` : null,
      e.note ? e.note : null,
      ...lateNotes(e).map((n) => n.text),
    ].filter((x): x is string => x !== null);
    out.push(entry({
      resourceType: "Observation",
      id: uuidOf("Observation", `side-effect:${e.id}`),
      status: "final",
      category: [{ text: "Side effect" }],
      code: { coding: [{ system: TITRATE_SYSTEM.sideEffect, code: e.kind, display: sideEffectLabel(e.kind) }], text: `Side effect: ${sideEffectLabel(e.kind)}` },
      subject: patient,
      encounter,
      effectiveDateTime: at(e.atMs),
      ...issued(e),
      valueInteger: e.severity,
      interpretation: [{ text: `severity ${e.severity}/3 (${severityLabel})` }],
      ...(notes.length ? { note: notes.map((text) => ({ text })) } : {}),
    }));
  }

  for (const f of input.flags) {
    const ack = f.acknowledgedAtMs !== null
      ? ` Acknowledged${f.acknowledgedByName ? ` by ${f.acknowledgedByName}` : ""} at ${at(f.acknowledgedAtMs)}${f.ackReason ? `: ${f.ackReason}` : ""}.`
      : " Not yet acknowledged.";
    const resolvedAtMs = f.resolvedAtMs ?? null;
    const resolved = resolvedAtMs !== null ? ` Resolved at ${at(resolvedAtMs)}${f.resolution ? `: ${f.resolution}` : ""}.` : "";
    out.push(entry({
      resourceType: "Flag",
      id: uuidOf("Flag", f.id),
      status: f.acknowledgedAtMs === null && resolvedAtMs === null ? "active" : "inactive",
      category: [{ coding: [{ system: FLAG_CATEGORY, code: "clinical", display: "Clinical" }] }],
      code: {
        coding: [{ system: TITRATE_SYSTEM.flag, code: f.code }],
        text: `${f.severity} ${f.message} (value ${f.valueText}, limit ${f.limitText}).${f.reason ? ` Reason: ${f.reason}.` : ""}${ack}${resolved}`,
      },
      subject: patient,
      encounter,
      period: { start: at(f.raisedAtMs), ...(resolvedAtMs !== null ? { end: at(resolvedAtMs) } : f.acknowledgedAtMs !== null ? { end: at(f.acknowledgedAtMs) } : {}) },
    }));
  }
  return out;
}

/** A whole collection Bundle in memory (tests, small exports); the server streams the same shape. */
export function buildBundle(sessions: FhirSessionInput[], uuidOf: UuidOf, bundleId: string, timestampIso: string) {
  const seen = new Set<string>();
  const entries: BundleEntry[] = [];
  for (const s of sessions) {
    if (!seen.has(s.patient.id)) {
      seen.add(s.patient.id);
      entries.push(entry(buildPatient(s.patient, uuidOf)));
    }
    entries.push(...buildSessionEntries(s, uuidOf));
  }
  return { resourceType: "Bundle" as const, id: bundleId, type: "collection" as const, timestamp: timestampIso, entry: entries };
}
