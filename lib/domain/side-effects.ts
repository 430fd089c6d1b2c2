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
