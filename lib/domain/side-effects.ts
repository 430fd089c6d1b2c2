// Side effects and interventions the nurse records (docs/clinical-brief.md "What is monitored"; sources
// 000, 002, 004 list them). Codes are stored in SideEffect.kind / SideEffect.intervention.

export const SIDE_EFFECT_KINDS = [
  { code: "DISSOCIATION", label: "Dissociation" },
  { code: "HALLUCINATIONS", label: "Hallucinations" },
  { code: "VIVID_DREAMS", label: "Vivid dreams / nightmares" },
  { code: "NAUSEA_VOMITING", label: "Nausea / vomiting" },
  { code: "ELEVATED_BP", label: "Elevated blood pressure" },
  { code: "DROWSINESS", label: "Drowsiness / somnolence" },
  { code: "DIZZINESS", label: "Dizziness" },
  { code: "CONFUSION", label: "Confusion" },
  { code: "ANXIETY", label: "Anxiety" },
  { code: "COGNITIVE_IMPAIRMENT", label: "Cognitive impairment" },
  // rarer (source 002: "delirium, nightmares, and laryngospasm")
  { code: "DELIRIUM", label: "Delirium" },
  { code: "LARYNGOSPASM", label: "Laryngospasm" },
  // long-term (source 004: cystitis; source 002: hepatoxicity, bladder complications)
  { code: "URINARY_CYSTITIS", label: "Urinary symptoms / cystitis" },
  { code: "HEPATOTOXICITY", label: "Hepatotoxicity" },
  { code: "OTHER", label: "Other" },
] as const;

export type SideEffectKind = (typeof SIDE_EFFECT_KINDS)[number]["code"];

/**
 * How the patient's check-in page asks about each side effect: plain words a patient at home
 * can recognise, not the bedside term ("Dissociation" means little to most patients). Kinds
 * with no entry are clinical findings a patient cannot report from home (laryngospasm happens
 * in the chair; hepatotoxicity is a laboratory finding; delirium is asked as confusion).
 */
export const PATIENT_SIDE_EFFECT_WORDING: Partial<Record<SideEffectKind, string>> = {
  DISSOCIATION: "Feeling detached, unreal or outside your body",
  HALLUCINATIONS: "Seeing or hearing things that were not there",
  VIVID_DREAMS: "Vivid dreams or nightmares",
  NAUSEA_VOMITING: "Feeling sick or being sick (vomiting)",
  ELEVATED_BP: "A high blood pressure reading at home",
  DROWSINESS: "Very sleepy or drowsy",
  DIZZINESS: "Dizziness or feeling unsteady",
  CONFUSION: "Confusion",
  ANXIETY: "Anxiety or feeling on edge",
  COGNITIVE_IMPAIRMENT: "Trouble thinking, concentrating or remembering",
  URINARY_CYSTITIS: "Pain or burning when passing urine, or needing to go more often",
  OTHER: "Something else (please say what in the note)",
};

/** The kinds a patient can be asked about (those with patient wording), in the bedside order. */
export const PATIENT_REPORTABLE_KINDS: readonly SideEffectKind[] = SIDE_EFFECT_KINDS.map((k) => k.code).filter((code) => PATIENT_SIDE_EFFECT_WORDING[code] !== undefined);

/** [default] The clinic's list for check-ins: every patient-reportable kind (a clinic setting). */
export const DEFAULT_CHECK_IN_SIDE_EFFECT_KINDS: readonly SideEffectKind[] = PATIENT_REPORTABLE_KINDS;

/**
 * The check-in page's list: the clinic's chosen kinds in the bedside order, each in the
 * patient's words. Unknown or non-reportable codes in the setting are dropped, never shown raw.
 */
export function checkInSideEffectChoices(clinicKinds: readonly string[]): { code: SideEffectKind; label: string }[] {
  const chosen = new Set(clinicKinds);
  return PATIENT_REPORTABLE_KINDS.filter((code) => chosen.has(code)).map((code) => ({ code, label: PATIENT_SIDE_EFFECT_WORDING[code]! }));
}

// Benzodiazepines (midazolam, lorazepam) are listed for distressing dissociation, but the
// sources say they may blunt ketamine's effect (source 001: "it is believed that this drug
// class counters Ketamine's therapeutic action"), so the form should show that note.
export const INTERVENTIONS = [
  { code: "NONE", label: "None" },
  { code: "RATE_SLOWED", label: "Infusion rate slowed" },
  { code: "INFUSION_PAUSED", label: "Infusion paused" },
  { code: "INFUSION_STOPPED", label: "Infusion stopped" },
  { code: "ONDANSETRON", label: "Ondansetron" },
  { code: "MIDAZOLAM", label: "Midazolam (benzodiazepine: may blunt ketamine's effect)" },
  { code: "LORAZEPAM", label: "Lorazepam (benzodiazepine: may blunt ketamine's effect)" },
  { code: "CLONIDINE", label: "Clonidine" },
  { code: "LABETALOL", label: "Labetalol" },
  { code: "REASSURANCE", label: "Reassurance" },
  { code: "OTHER", label: "Other" },
] as const;

export type Intervention = (typeof INTERVENTIONS)[number]["code"];

/** Interventions the sources say may blunt ketamine's effect (source 001, source 002). */
export const BENZODIAZEPINE_INTERVENTIONS: readonly Intervention[] = ["MIDAZOLAM", "LORAZEPAM"];

/** Index = recorded severity 0-3. */
export const SEVERITY_LABELS = ["none", "mild", "moderate", "severe"] as const;

/** Severity at or above which a side effect raises SEVERE_SIDE_EFFECT. */
export const SEVERE_SIDE_EFFECT_SEVERITY = 3;

export function sideEffectLabel(code: string): string {
  return SIDE_EFFECT_KINDS.find((kind) => kind.code === code)?.label ?? code;
}

export function interventionLabel(code: string): string {
  return INTERVENTIONS.find((intervention) => intervention.code === code)?.label ?? code;
}
