"use client";
import { hasReason, isBackTimed, REASON_LENGTH_HINT } from "@/lib/domain/charting";
import { useId, useRef, useState } from "react";
import { evaluateSideEffect } from "@/lib/domain/flags";
import { BENZODIAZEPINE_INTERVENTIONS, INTERVENTIONS, SEVERITY_LABELS, SIDE_EFFECT_KINDS, sideEffectLabel, type Intervention } from "@/lib/domain/side-effects";
import { SideEffectSchema } from "@/lib/validation/session";
import { useNow, useNowReader } from "./clock";
import { formatHm, toLocalInputValue } from "./clinic-time";
import { CorrectionBanner } from "./correction-banner";
import { FormAlert, SelectField, TextField } from "@/app/_components/forms/fields";
import { LiveFlags } from "./flag-display";
import { fieldErrorsOf, FUTURE_SKEW_MS, type SideEffectRow } from "./rows";
import { useSession } from "./session-context";
import { resolveTime, TimeField } from "./time-field";
import { useMutation } from "@/app/_components/data/use-mutation";

export function SideEffectForm() {
  const { correction } = useSession();
  const correcting = correction?.kind === "side-effects" ? correction.row : null;
  const [generation, setGeneration] = useState(0);
  return <SideEffectFormInner key={`${correcting?.id ?? "new"}-${generation}`} correcting={correcting} onDone={() => setGeneration((g) => g + 1)} />;
}

function SideEffectFormInner({ correcting, onDone }: { correcting: SideEffectRow | null; onDone: () => void }) {
  const { chart, timeZone, onSaved, cancelCorrection } = useSession();
  const formId = useId();
  const nowMs = useNow(15_000);
  const readNow = useNowReader();
  const { submit, pending, fieldErrors: serverErrors, formError, error: submitError } = useMutation();
  const correctionRef = useRef<HTMLInputElement & HTMLTextAreaElement>(null);

  const initialAt = correcting ? toLocalInputValue(Date.parse(correcting.at), timeZone) : null;
  const [kind, setKind] = useState(correcting?.kind ?? "");
  const [severity, setSeverity] = useState(correcting ? String(correcting.severity) : "");
  const [intervention, setIntervention] = useState(correcting?.intervention ?? "");
  const [note, setNote] = useState(correcting?.note ?? "");
  const [atText, setAtText] = useState<string | null>(initialAt);
  const [backTimeReason, setBackTimeReason] = useState("");
  const [correctionReason, setCorrectionReason] = useState("");
  const [submitted, setSubmitted] = useState(false);

  const openedAtMs = Date.parse(chart.openedAt);
  const pinnedMs = correcting && atText === initialAt ? Date.parse(correcting.at) : null;
  const time = pinnedMs !== null ? { atMs: pinnedMs, isBackTimed: isBackTimed(nowMs, pinnedMs), error: undefined } : resolveTime(atText, nowMs, timeZone, openedAtMs, FUTURE_SKEW_MS);
  const atMs = time.atMs ?? nowMs;

  const buildBody = (stampMs: number) => {
    const backTimed = isBackTimed(nowMs, stampMs) || !!serverErrors.backTimeReason;
    return {
      at: new Date(stampMs).toISOString(),
      ...(kind ? { kind } : {}),
      ...(severity !== "" ? { severity: Number(severity) } : {}),
      ...(intervention ? { intervention } : {}),
      ...(note.trim() ? { note: note.trim() } : {}),
      ...(backTimed ? { backTimeReason: correcting ? `Correction: ${correctionReason.trim()}`.slice(0, 1000) : backTimeReason.trim() } : {}),
      ...(correcting ? { correctsId: correcting.id, correctionReason: correctionReason.trim() } : {}),
    };
  };
  const parsed = SideEffectSchema.safeParse(buildBody(atMs));
  const errors: Record<string, string> = parsed.success ? {} : fieldErrorsOf(parsed.error.issues);
  if (!kind) errors.kind = "choose the side effect";
  if (severity === "") errors.severity = "choose a severity";
  if (time.error) errors.at = time.error;
  if (time.isBackTimed && !correcting && !hasReason(backTimeReason)) errors.backTimeReason = `give a reason for charting this late (${REASON_LENGTH_HINT})`;
  if (correcting && !hasReason(correctionReason)) errors.correctionReason = `give a reason for the correction (${REASON_LENGTH_HINT})`;
  const shown = (f: string) => serverErrors[f] ?? (submitted ? errors[f] : undefined);
  const flags = kind && severity !== "" ? evaluateSideEffect({ kind, severity: Number(severity) }) : [];
  const isBenzo = (BENZODIAZEPINE_INTERVENTIONS as readonly string[]).includes(intervention as Intervention);

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (Object.keys(errors).length > 0) return;
    const stampedNow = atText === null && !correcting;
    const body = buildBody(stampedNow ? readNow() : atMs);
    const result = await submit<{ flags: { code: string; severity: string }[] }>(
      `/api/sessions/${chart.id}/side-effects`, body, { schema: SideEffectSchema, intent: stampedNow ? { ...body, at: "now" } : body },
    );
    if (!result?.ok) return;
    onSaved(`${correcting ? "Side effect correction saved" : "Side effect saved"}: ${sideEffectLabel(kind)}, ${SEVERITY_LABELS[Number(severity)] ?? severity}.`, result.data.flags);
    if (correcting) cancelCorrection();
    onDone();
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby={`${formId}-h`} className="card space-y-4">
      <h2 id={`${formId}-h`} className="text-lg font-semibold">{correcting ? "Correct a side-effect entry" : "Side-effects"}</h2>
      {correcting && (
        <CorrectionBanner
          what={`${sideEffectLabel(correcting.kind)} at ${formatHm(Date.parse(correcting.at), timeZone)}`} by={correcting.enteredBy}
          reason={correctionReason} onReason={setCorrectionReason} error={shown("correctionReason")} onCancel={cancelCorrection} inputRef={correctionRef}
        />
      )}
      <div className="grid gap-3 sm:grid-cols-2">
        <SelectField id={`${formId}-kind`} label="Side effect" value={kind} onChange={setKind} error={shown("kind")}>
          <option value="">Choose…</option>
          {SIDE_EFFECT_KINDS.map((k) => <option key={k.code} value={k.code}>{k.label}</option>)}
        </SelectField>
        <SelectField id={`${formId}-sev`} label="Severity" value={severity} onChange={setSeverity} error={shown("severity")}>
          <option value="">Choose…</option>
          {SEVERITY_LABELS.map((label, n) => <option key={n} value={String(n)}>{n} – {label}</option>)}
        </SelectField>
      </div>
      <SelectField
        id={`${formId}-int`} label="Intervention" value={intervention} onChange={setIntervention} error={shown("intervention")}
        hint={isBenzo ? <strong className="text-soft">Note: the sources say benzodiazepines may blunt ketamine&apos;s effect (sources 001, 002).</strong> : undefined}
      >
        <option value="">Not recorded</option>
        {INTERVENTIONS.map((i) => <option key={i.code} value={i.code}>{i.label}</option>)}
      </SelectField>
      <TextField label="Note" value={note} onChange={setNote} multiline error={shown("note")} />
      <TimeField
        value={pinnedMs !== null ? initialAt : atText} onChange={setAtText} timeZone={timeZone} error={shown("at")}
        backTimeReason={backTimeReason} onBackTimeReason={setBackTimeReason} backTimeError={shown("backTimeReason")}
        needsBackTimeReason={time.isBackTimed || !!serverErrors.backTimeReason} hideBackTime={!!correcting}
      />
      <LiveFlags flags={flags} />
      <FormAlert message={formError} error={submitError} />
      <button type="submit" className="btn-primary min-h-12 px-6 text-base" disabled={pending}>{pending ? "Saving…" : "Save side effect"}</button>
    </form>
  );
}
