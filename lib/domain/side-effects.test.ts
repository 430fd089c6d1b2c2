import { describe, expect, it } from "vitest";
import { checkInSideEffectChoices, DEFAULT_CHECK_IN_SIDE_EFFECT_KINDS, INTERVENTIONS, PATIENT_REPORTABLE_KINDS, SEVERITY_LABELS, SIDE_EFFECT_KINDS, interventionLabel, sideEffectLabel } from "./side-effects";

describe("side-effect vocabulary", () => {
  it("has the 15 kinds of docs/clinical-brief.md, unique codes", () => {
    const codes = SIDE_EFFECT_KINDS.map((k) => k.code);
    expect(codes).toEqual([
      "DISSOCIATION", "HALLUCINATIONS", "VIVID_DREAMS", "NAUSEA_VOMITING", "ELEVATED_BP", "DROWSINESS",
      "DIZZINESS", "CONFUSION", "ANXIETY", "COGNITIVE_IMPAIRMENT", "DELIRIUM", "LARYNGOSPASM",
      "URINARY_CYSTITIS", "HEPATOTOXICITY", "OTHER",
    ]);
    expect(new Set(codes).size).toBe(codes.length);
  });
  it("has the interventions, unique codes", () => {
    const codes = INTERVENTIONS.map((k) => k.code);
    expect(codes).toEqual([
      "NONE", "RATE_SLOWED", "INFUSION_PAUSED", "INFUSION_STOPPED", "ONDANSETRON", "MIDAZOLAM", "LORAZEPAM",
      "CLONIDINE", "LABETALOL", "REASSURANCE", "OTHER",
    ]);
  });
  it.each<[number, string]>([[0, "none"], [1, "mild"], [2, "moderate"], [3, "severe"]])("severity %d is %s", (i, label) => {
    expect(SEVERITY_LABELS[i]).toBe(label);
  });
  it.each<[string, string]>([
    ["NAUSEA_VOMITING", "Nausea / vomiting"],
    ["UNKNOWN_CODE", "UNKNOWN_CODE"],
  ])("labels %s", (code, label) => {
    expect(sideEffectLabel(code)).toBe(label);
  });
  it("labels benzodiazepines with the blunting note", () => {
    expect(interventionLabel("MIDAZOLAM")).toMatch(/blunt/);
    expect(interventionLabel("ONDANSETRON")).toBe("Ondansetron");
  });
});

describe("the patient's side-effect list (check-ins)", () => {
  it("asks about everything a patient can notice at home, in the bedside order, not the clinical findings", () => {
    expect(PATIENT_REPORTABLE_KINDS).toEqual([
      "DISSOCIATION", "HALLUCINATIONS", "VIVID_DREAMS", "NAUSEA_VOMITING", "ELEVATED_BP", "DROWSINESS",
      "DIZZINESS", "CONFUSION", "ANXIETY", "COGNITIVE_IMPAIRMENT", "URINARY_CYSTITIS", "OTHER",
    ]);
    expect(DEFAULT_CHECK_IN_SIDE_EFFECT_KINDS).toEqual(PATIENT_REPORTABLE_KINDS);
  });
  it("words each choice plainly, in the clinic's chosen subset, in the bedside order whatever the setting's order", () => {
    expect(checkInSideEffectChoices(["OTHER", "NAUSEA_VOMITING", "DISSOCIATION"])).toEqual([
      { code: "DISSOCIATION", label: "Feeling detached, unreal or outside your body" },
      { code: "NAUSEA_VOMITING", label: "Feeling sick or being sick (vomiting)" },
      { code: "OTHER", label: "Something else (please say what in the note)" },
    ]);
  });
  it("drops unknown and clinical-only codes rather than showing them raw", () => {
    expect(checkInSideEffectChoices(["LARYNGOSPASM", "HEPATOTOXICITY", "NOT_A_CODE", "DIZZINESS"]).map((c) => c.code)).toEqual(["DIZZINESS"]);
    expect(checkInSideEffectChoices([])).toEqual([]);
  });
});
