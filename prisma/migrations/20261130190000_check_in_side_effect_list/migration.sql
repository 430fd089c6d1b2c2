-- The clinic's list of side effects a patient is asked about on a check-in [default: every
-- patient-reportable kind], editable in the clinic settings (decision 0020).
ALTER TABLE "Clinic" ADD COLUMN "checkInSideEffectKinds" TEXT[] NOT NULL
  DEFAULT ARRAY['DISSOCIATION', 'HALLUCINATIONS', 'VIVID_DREAMS', 'NAUSEA_VOMITING', 'ELEVATED_BP', 'DROWSINESS', 'DIZZINESS', 'CONFUSION', 'ANXIETY', 'COGNITIVE_IMPAIRMENT', 'URINARY_CYSTITIS', 'OTHER']::TEXT[];
