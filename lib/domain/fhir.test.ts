import { beforeAll, describe, expect, it } from "vitest";
import { fhirErrors, fhirJsErrors, loadValidators, medplumErrors } from "@/test/fhir-validator";
import { sessionTotals } from "./charting-totals";
import { FhirReadError, readSessionsFromBundle } from "./fhir-read";
import { buildBundle, buildSessionEntries, KETAMINE, LOINC, RXNORM, UCUM, type FhirResource, type FhirSessionInput } from "./fhir";

const T0 = Date.parse("2026-03-02T14:00:00Z");
const min = (m: number) => T0 + m * 60_000;

/** A counter-based uuidOf: deterministic, and distinct per (type, id). */
function uuids() {
  const seen = new Map<string, string>();
  return (type: string, id: string) => {
    const key = `${type}:${id}`;
    if (!seen.has(key)) seen.set(key, `00000000-0000-4000-8000-${String(seen.size + 1).padStart(12, "0")}`);
    return seen.get(key)!;
  };
}

function session(over: Partial<FhirSessionInput> = {}): FhirSessionInput {
  return {
    timeZone: "America/New_York",
    clinicName: "Demo Pain Clinic",
    patient: { id: "pat1", mrn: "MRN-001", givenName: "Zoë", familyName: "Ngô", birthDate: "1980-05-01", sex: "FEMALE" },
    session: {
      id: "ses1", status: "SIGNED", openedAtMs: min(-5), endMs: min(120), weightG: 70_400, concentrationUgPerMl: 1000,
      protocolName: "Chronic neuropathic", protocolVersion: 2, route: "IV", nurseName: "Nina Nurse", physicianName: "Dr Paula", signedByName: "Nina Nurse",
    },
    doseEvents: [
      { id: "d1", type: "START", atMs: min(0), rateUgPerKgPerH: 100, bolusUg: null },
      { id: "d2", type: "BOLUS", atMs: min(10), rateUgPerKgPerH: null, bolusUg: 7_040 },
      { id: "d3", type: "RATE_CHANGE", atMs: min(30), rateUgPerKgPerH: 350, bolusUg: null },
      { id: "d4", type: "PAUSE", atMs: min(60), rateUgPerKgPerH: null, bolusUg: null },
      { id: "d5", type: "RESUME", atMs: min(70), rateUgPerKgPerH: null, bolusUg: null },
      { id: "d6", type: "STOP", atMs: min(120), rateUgPerKgPerH: null, bolusUg: null },
    ],
    vitals: [
      { id: "v1", atMs: min(0), systolicMmHg: 124, diastolicMmHg: 78, heartRatePerMin: 72, spo2Pct: 98, respRatePerMin: 14, temperatureDeciC: 368 },
      { id: "v2", atMs: min(15), systolicMmHg: 162, diastolicMmHg: 96, heartRatePerMin: 88, spo2Pct: 96, respRatePerMin: 16, temperatureDeciC: null },
    ],
    pain: [
      { id: "p1", atMs: min(-2), score: 8, scale: "NRS", phase: "PRE" },
      { id: "p2", atMs: min(125), score: 3, scale: "NRS", phase: "POST" },
      { id: "p3", atMs: min(126), score: 35, scale: "VAS", phase: "FOLLOW_UP" },
    ],
    sideEffects: [{ id: "s1", atMs: min(20), kind: "NAUSEA_VOMITING", severity: 2, intervention: "ONDANSETRON", note: "resolved" }],
    flags: [
      { id: "f1", code: "VITALS_SBP_HIGH", severity: "SOFT", message: "SBP 162 mmHg at or above 160", valueText: "162 mmHg", limitText: "160 mmHg", reason: null, raisedAtMs: min(15), acknowledgedAtMs: min(200), acknowledgedByName: "Dr Paula", ackReason: "transient" },
      { id: "f2", code: "RATE_ABOVE_SOFT", severity: "HARD", message: "rate high", valueText: "1.000 mg/kg/h", limitText: "1.000 mg/kg/h", reason: "override", raisedAtMs: min(30), acknowledgedAtMs: null, acknowledgedByName: null, ackReason: null },
    ],
    ...over,
  };
}

const byType = (entries: { resource: FhirResource }[], type: string) => entries.map((e) => e.resource).filter((r) => r.resourceType === type);
const loincOf = (r: FhirResource) => ((r.code as { coding?: { system: string; code: string }[] }).coding ?? []).find((c) => c.system === LOINC)?.code;

describe("FHIR R4 session export builder", () => {
  const bundle = buildBundle([session()], uuids(), "bundle-1", "2026-03-02T20:00:00Z");
  beforeAll(loadValidators, 180_000);

  it("the whole bundle validates with both validators (medplum's StructureDefinitions, FHIR.js with the R4 value sets)", async () => {
    expect(await fhirErrors(bundle)).toEqual([]);
    for (const e of bundle.entry) expect(await fhirErrors(e.resource), e.resource.resourceType).toEqual([]);
  });

  it("the validator is not vacuous: it rejects a broken resource of the same shape", async () => {
    const obs = structuredClone(byType(bundle.entry, "Observation")[0]!);
    (obs as Record<string, unknown>).valueQuantity = { value: "98", unit: "%" };
    expect((await fhirErrors(obs)).length).toBeGreaterThan(0);
    expect((await fhirErrors({ ...bundle, type: undefined })).length).toBeGreaterThan(0);
  });

  it("each validator rejects on its own: medplum a wrong JSON type and a missing required element, FHIR.js a binding violation", async () => {
    const obs = structuredClone(byType(bundle.entry, "Observation")[0]!);
    expect(await medplumErrors(obs)).toEqual([]);
    // medplum alone, not through fhirErrors: a decimal written as a string, then no status (1..1)
    const stringValue = { ...obs, valueQuantity: { value: "98", unit: "%", system: "http://unitsofmeasure.org", code: "%" } };
    // (a rejection also lists medplum's warnings, here the references that resolve only inside the bundle)
    expect(await medplumErrors(stringValue)).toContainEqual("Invalid JSON type: expected number, but got string Observation.value[x].value");
    const { status: _status, ...noStatus } = obs;
    expect(await medplumErrors(noStatus)).toContainEqual(expect.stringMatching(/^Missing required property Observation\.status$/));
    // FHIR.js alone: a code outside a required value set (Flag.status is 1..1, bound to flag-status)
    const flag = byType(bundle.entry, "Flag")[0]!;
    expect(fhirJsErrors(flag)).toEqual([]);
    expect(fhirJsErrors({ ...flag, status: "open" })).toEqual([expect.stringMatching(/^Flag\.status: Code "open" not found in value set$/)]);
  });

  it("every reference resolves to a fullUrl inside the bundle", () => {
    const urls = new Set(bundle.entry.map((e) => e.fullUrl));
    const refs = JSON.stringify(bundle).match(/"reference":"([^"]+)"/g)!.map((r) => r.slice(13, -1));
    expect(refs.length).toBeGreaterThan(10);
    for (const r of refs) expect(urls, r).toContain(r);
    for (const e of bundle.entry) expect(e.fullUrl).toBe(`urn:uuid:${e.resource.id}`);
    expect(new Set(bundle.entry.map((e) => e.fullUrl)).size).toBe(bundle.entry.length);
  });

  it("Patient carries the MRN, name, gender and birth date; one Patient for many sessions", () => {
    const [p] = byType(bundle.entry, "Patient");
    expect(p).toMatchObject({ gender: "female", birthDate: "1980-05-01", name: [{ family: "Ngô", given: ["Zoë"] }] });
    expect((p!.identifier as { value: string }[])[0]!.value).toBe("MRN-001");
    const two = buildBundle([session(), session({ session: { ...session().session, id: "ses2" } })], uuids(), "b", "2026-03-02T20:00:00Z");
    expect(byType(two.entry, "Patient")).toHaveLength(1);
    expect(byType(two.entry, "Encounter")).toHaveLength(2);
  });

  it("Encounter: finished, ambulatory, period with the clinic's offset", () => {
    const [enc] = byType(bundle.entry, "Encounter");
    expect(enc).toMatchObject({ status: "finished", class: { code: "AMB" }, period: { start: "2026-03-02T08:55:00-05:00", end: "2026-03-02T11:00:00-05:00" } });
    const running = buildSessionEntries(session({ session: { ...session().session, status: "IN_PROGRESS", endMs: null } }), uuids());
    expect(byType(running, "Encounter")[0]).toMatchObject({ status: "in-progress" });
    expect((byType(running, "Encounter")[0]!.period as object)).not.toHaveProperty("end");
  });

  it("one MedicationAdministration per dose event: RxNorm 6130, rate in mg/kg/h (UCUM), bolus as dose in mg", () => {
    const meds = byType(bundle.entry, "MedicationAdministration");
    expect(meds).toHaveLength(6);
    for (const m of meds) expect(m.medicationCodeableConcept).toMatchObject({ coding: [{ system: RXNORM, code: "6130" }] });
    expect(KETAMINE.code).toBe("6130");
    const dosage = (i: number) => meds[i]!.dosage as Record<string, { value: number; unit: string; system: string; code: string }>;
    expect(dosage(0).rateQuantity).toEqual({ value: 0.1, unit: "mg/kg/h", system: UCUM, code: "mg/kg/h" });
    expect(dosage(1).dose).toEqual({ value: 7.04, unit: "mg", system: UCUM, code: "mg" });
    expect(dosage(1)).not.toHaveProperty("rateQuantity");
    expect(dosage(2).rateQuantity!.value).toBe(0.35);
    expect(meds[3]).toMatchObject({ status: "on-hold", effectiveDateTime: "2026-03-02T10:00:00-05:00" });
    expect(dosage(3).rateQuantity!.value).toBe(0);
    // RESUME runs at the rate in force before the pause, until the STOP
    expect(dosage(4).rateQuantity!.value).toBe(0.35);
    expect(meds[4]).toMatchObject({ status: "completed", effectivePeriod: { start: "2026-03-02T10:10:00-05:00", end: "2026-03-02T11:00:00-05:00" } });
    // START's period ends at the next rate event, not at the bolus
    expect(meds[0]!.effectivePeriod).toEqual({ start: "2026-03-02T09:00:00-05:00", end: "2026-03-02T09:30:00-05:00" });
  });

  it("vitals: BP as panel 85354-9 with 8480-6/8462-4 components; HR, SpO2, RR, temperature with their LOINC and UCUM", () => {
    const obs = byType(bundle.entry, "Observation");
    const bp = obs.filter((o) => loincOf(o) === "85354-9");
    expect(bp).toHaveLength(2);
    expect(bp[1]!.component).toEqual([
      { code: { coding: [{ system: LOINC, code: "8480-6", display: "Systolic blood pressure" }] }, valueQuantity: { value: 162, unit: "mm[Hg]", system: UCUM, code: "mm[Hg]" } },
      { code: { coding: [{ system: LOINC, code: "8462-4", display: "Diastolic blood pressure" }] }, valueQuantity: { value: 96, unit: "mm[Hg]", system: UCUM, code: "mm[Hg]" } },
    ]);
    const unitOf = (code: string) => obs.filter((o) => loincOf(o) === code).map((o) => (o.valueQuantity as { code: string; value: number }));
    expect(unitOf("8867-4")).toEqual([expect.objectContaining({ code: "/min", value: 72 }), expect.objectContaining({ code: "/min", value: 88 })]);
    expect(unitOf("59408-5")[0]).toMatchObject({ code: "%", value: 98 });
    expect(unitOf("9279-1")[0]).toMatchObject({ code: "/min", value: 14 });
    expect(unitOf("8310-5")).toEqual([expect.objectContaining({ code: "Cel", value: 36.8 })]); // only the set with a temperature
    expect(unitOf("29463-7")).toEqual([expect.objectContaining({ code: "kg", value: 70.4 })]);
    for (const o of obs.filter((x) => loincOf(x) && loincOf(x) !== "72514-3"))
      expect(o.category).toEqual([{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/observation-category", code: "vital-signs", display: "Vital Signs" }] }]);
  });

  it("pain: NRS as 72514-3; a VAS score is not given the 0-10 code", () => {
    const obs = byType(bundle.entry, "Observation");
    const nrs = obs.filter((o) => loincOf(o) === "72514-3");
    expect(nrs.map((o) => (o.valueQuantity as { value: number }).value)).toEqual([8, 3]);
    const vas = obs.find((o) => (o.code as { text?: string }).text?.startsWith("Pain VAS"));
    expect(vas).toBeDefined();
    expect(loincOf(vas!)).toBeUndefined();
    expect(vas!.valueQuantity).toMatchObject({ value: 35, code: "mm" });
  });

  it("a patient-reported follow-up score names the patient as performer; a staff score names no one; the bundle validates", async () => {
    const reported = buildBundle([session({
      pain: [
        { id: "p-staff", atMs: min(70), score: 4, scale: "NRS", phase: "POST", reportedBy: "STAFF" },
        { id: "p-home", atMs: min(60 * 24), score: 5, scale: "NRS", phase: "FOLLOW_UP", reportedBy: "PATIENT" },
      ],
    })], uuids(), "b-reported", "2026-03-04T20:00:00Z");
    expect(await fhirErrors(reported)).toEqual([]);
    const pain = byType(reported.entry, "Observation").filter((o) => loincOf(o) === "72514-3");
    const patientUrl = reported.entry.find((e) => e.resource.resourceType === "Patient")!.fullUrl;
    expect(pain.map((o) => [(o.valueQuantity as { value: number }).value, o.performer])).toEqual([[4, undefined], [5, [{ reference: patientUrl }]]]);
  });

  it("side effects as Observations with severity and intervention; flags as Flag with acknowledgement", () => {
    const se = byType(bundle.entry, "Observation").find((o) => (o.code as { text: string }).text.startsWith("Side effect"));
    expect(se).toMatchObject({ valueInteger: 2, note: [{ text: "Intervention: Ondansetron" }, { text: "resolved" }] });
    const flags = byType(bundle.entry, "Flag");
    expect(flags.map((f) => f.status)).toEqual(["inactive", "active"]);
    expect((flags[0]!.code as { text: string }).text).toContain("Acknowledged by Dr Paula");
    expect((flags[1]!.code as { text: string }).text).toContain("Not yet acknowledged");
  });

  it("a resolved flag is inactive, ends at its resolution and says what resolved it (decision 0009)", async () => {
    const f2 = session().flags[1]!;
    const resolved = buildBundle([session({ flags: [{ ...f2, resolvedAtMs: min(40), resolution: "corrected" }] })], uuids(), "b", "2026-03-02T20:00:00Z");
    expect(await fhirErrors(resolved)).toEqual([]);
    const [flag] = byType(resolved.entry, "Flag");
    expect(flag!.status).toBe("inactive");
    // not acknowledged, resolved 40 min after T0 (T0 + 30 min raised)
    expect((flag!.code as { text: string }).text).toMatch(/Not yet acknowledged\. Resolved at .*: corrected\.$/);
    expect((flag!.period as { end?: string }).end).toBeDefined();
  });

  it("an entry charted offline (queuedAt, decision 0017) says so in a note with both times, on each kind; the bundle still validates", async () => {
    const offline = buildBundle([session({
      doseEvents: [{ id: "d1", type: "START", atMs: min(0), enteredAtMs: min(20), queuedAtMs: min(0), rateUgPerKgPerH: 100, bolusUg: null }],
      vitals: [{ id: "v1", atMs: min(5), enteredAtMs: min(20), queuedAtMs: min(5), systolicMmHg: 124, diastolicMmHg: 78, heartRatePerMin: 72, spo2Pct: 98, respRatePerMin: 14, temperatureDeciC: null }],
      pain: [{ id: "p1", atMs: min(6), enteredAtMs: min(7), queuedAtMs: null, score: 5, scale: "NRS", phase: "INTRA" }],
      sideEffects: [{ id: "s1", atMs: min(8), enteredAtMs: min(20), queuedAtMs: min(8), kind: "NAUSEA_VOMITING", severity: 1, intervention: null, note: null }],
      flags: [],
    })], uuids(), "b-offline", "2026-03-02T20:00:00Z");
    expect(await fhirErrors(offline)).toEqual([]);
    const notesOf = (r: FhirResource) => ((r.note as { text: string }[] | undefined) ?? []).map((n) => n.text);
    const offlineNote = (r: FhirResource) => notesOf(r).find((t) => t.startsWith("Charted offline"));
    const [dose] = byType(offline.entry, "MedicationAdministration");
    expect(offlineNote(dose!)).toBe("Charted offline: saved on the device at 2026-03-02T09:00:00-05:00, received by the server at 2026-03-02T09:20:00-05:00.");
    // recorded 20 min after its time: the late-entry note stays beside it (the server's receipt is what "recorded" means there)
    expect(notesOf(dose!).some((t) => t.startsWith("Late entry"))).toBe(true);
    const observations = byType(offline.entry, "Observation");
    const sideEffect = observations.find((o) => (o.category as { text?: string }[])[0]?.text === "Side effect")!;
    expect(offlineNote(sideEffect)).toContain("saved on the device at 2026-03-02T09:08:00-05:00");
    const heartRate = observations.find((o) => loincOf(o) === "8867-4")!;
    expect(offlineNote(heartRate)).toContain("saved on the device at 2026-03-02T09:05:00-05:00");
    // the pain score was not queued: no such note
    const painObs = observations.filter((o) => loincOf(o) === "72514-3");
    expect(painObs.length).toBeGreaterThan(0);
    for (const o of painObs) expect(offlineNote(o)).toBeUndefined();
  });

  it("an empty session (no events) still validates", async () => {
    const empty = buildBundle([session({ doseEvents: [], vitals: [], pain: [], sideEffects: [], flags: [] })], uuids(), "b", "2026-03-02T20:00:00Z");
    expect(await fhirErrors(empty)).toEqual([]);
    expect(byType(empty.entry, "Encounter")).toHaveLength(1);
  });
});

describe("FHIR bundle read back (fhir-read.ts)", () => {
  const input = session();
  const bundle = buildBundle([input], uuids(), "bundle-1", "2026-03-02T20:00:00Z");

  it("FHIR.js with the R4 value sets rejects a bogus Observation.status that medplum accepts", async () => {
    const obs = structuredClone(byType(bundle.entry, "Observation")[0]!);
    expect(await medplumErrors(obs)).toEqual([]);
    expect(fhirJsErrors(obs)).toEqual([]);
    obs.status = "bogus";
    expect(await medplumErrors(obs)).toEqual([]); // medplum checks no value set
    expect(fhirJsErrors(obs)).toEqual([expect.stringMatching(/^Observation\.status: Code "bogus" not found in value set$/)]);
    // inside a Bundle too, and an unknown property is an error, not a warning
    expect(fhirJsErrors({ ...bundle, entry: [{ fullUrl: `urn:uuid:${obs.id}`, resource: obs }] }).length).toBe(1);
    expect(fhirJsErrors({ ...byType(bundle.entry, "Flag")[0]!, priority: "high" })).toEqual([expect.stringContaining("Unexpected property")]);
    expect(fhirJsErrors({ ...byType(bundle.entry, "Encounter")[0]!, status: "done" })).toEqual([expect.stringContaining('Code "done" not found')]);
  });

  it("reconstructs the session's dose events, weight and totals exactly (the app's own integral of the input)", () => {
    const [read, ...more] = readSessionsFromBundle(JSON.parse(JSON.stringify(bundle)));
    expect(more).toEqual([]);
    expect(read!.sessionId).toBe("ses1");
    expect(read!.patient).toEqual({ mrn: "MRN-001", familyName: "Ngô", givenName: "Zoë", birthDate: "1980-05-01" });
    expect(read!.weightG).toBe(input.session.weightG);
    expect(read!.doseEvents).toEqual(input.doseEvents.map((e) => ({ type: e.type, atMs: e.atMs, rateUgPerKgPerH: e.type === "START" || e.type === "RATE_CHANGE" ? e.rateUgPerKgPerH : null, bolusUg: e.bolusUg })));
    const expected = sessionTotals(input.doseEvents, input.session.weightG, input.session.endMs!, input.session.openedAtMs, input.session.endMs);
    expect(read!.totals).toEqual(expected);
    // not vacuous: 0.1 mg/kg/h 30 min + 0.35 mg/kg/h 30 min + 0.35 mg/kg/h 50 min, plus the 7.04 mg bolus
    expect(read!.totals.totalUgPerKg).toBe(50 + 175 + 292 + 100);
    expect(read!.totals.peakRateUgPerKgPerH).toBe(350);
  });

  it("reconstructs every vital-signs set and every flag with its acknowledgement and resolution", () => {
    const f2 = input.flags[1]!;
    const withResolved = buildBundle([session({ flags: [input.flags[0]!, { ...f2, resolvedAtMs: min(40), resolution: "corrected" }] })], uuids(), "b", "2026-03-02T20:00:00Z");
    const [read] = readSessionsFromBundle(withResolved);
    expect(read!.vitals).toEqual(input.vitals.map(({ id, atMs, systolicMmHg, diastolicMmHg, heartRatePerMin, spo2Pct, respRatePerMin, temperatureDeciC }) =>
      ({ id, atMs, systolicMmHg, diastolicMmHg, heartRatePerMin, spo2Pct, respRatePerMin, temperatureDeciC })));
    expect(read!.flags).toEqual([
      { code: "VITALS_SBP_HIGH", severity: "SOFT", raisedAtMs: min(15), acknowledgedAtMs: min(200), resolvedAtMs: null, active: false },
      { code: "RATE_ABOVE_SOFT", severity: "HARD", raisedAtMs: min(30), acknowledgedAtMs: null, resolvedAtMs: min(40), active: false },
    ]);
    const [open] = readSessionsFromBundle(bundle);
    expect(open!.flags[1]).toMatchObject({ acknowledgedAtMs: null, resolvedAtMs: null, active: true });
  });

  it("a running session is integrated to the bundle's timestamp; a broken bundle is an error, not a guess", () => {
    const running = session({ session: { ...input.session, status: "IN_PROGRESS", endMs: null }, doseEvents: input.doseEvents.slice(0, 3) });
    const [read] = readSessionsFromBundle(buildBundle([running], uuids(), "b", new Date(min(90)).toISOString()));
    expect(read!.endMs).toBeNull();
    expect(read!.totals).toEqual(sessionTotals(running.doseEvents, running.session.weightG, min(90), running.session.openedAtMs, null));
    const broken = structuredClone(bundle);
    const med = broken.entry.find((e) => e.resource.resourceType === "MedicationAdministration")!.resource as unknown as { dosage: { rateQuantity: { value: number } } };
    med.dosage.rateQuantity.value = 0.1234;
    expect(() => readSessionsFromBundle(broken)).toThrow(FhirReadError);
    expect(() => readSessionsFromBundle({ resourceType: "Patient" })).toThrow(FhirReadError);
  });
});
