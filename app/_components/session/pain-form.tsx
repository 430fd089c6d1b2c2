"use client";
import { hasReason, isBackTimed, REASON_LENGTH_HINT } from "@/lib/domain/charting";
import { useId, useRef, useState } from "react";
import { integrateDose } from "@/lib/domain/dose";
import { PAIN_BOUNDS, type PainScale } from "@/lib/domain/pain";
import { PainSchema } from "@/lib/validation/session";
import { useNow, useNowReader } from "./clock";
import { formatHm, toLocalInputValue } from "./clinic-time";
import { CorrectionBanner } from "./correction-banner";
import { FormAlert, TextField } from "@/app/_components/forms/fields";
import { doseRowToPoint, effectiveRows, evaluationNow, fieldErrorsOf, FUTURE_SKEW_MS, PAIN_PHASE_LABELS, readNumber, type PainRow } from "./rows";
import { useSession } from "./session-context";
import { resolveTime, TimeField } from "./time-field";
import { useMutation } from "@/app/_components/data/use-mutation";

type Phase = PainRow["phase"];
const PHASES: Phase[] = ["PRE", "INTRA", "POST", "FOLLOW_UP"];

export function PainForm() {
  const { correction } = useSession();
  const correcting = correction?.kind === "pain" ? correction.row : null;
  const [generation, setGeneration] = useState(0);
  return <PainFormInner key={`${correcting?.id ?? "new"}-${generation}`} correcting={correcting} onDone={() => setGeneration((g) => g + 1)} />;
}

function PainFormInner({ correcting, onDone }: { correcting: PainRow | null; onDone: () => void }) {
  const { chart, timeZone, onSaved, cancelCorrection, isRefreshing } = useSession();
  const formId = useId();
  const nowMs = useNow(15_000);
  const readNow = useNowReader();
  const { submit, pending, fieldErrors: serverErrors, formError, error: submitError } = useMutation();
  const correctionRef = useRef<HTMLInputElement & HTMLTextAreaElement>(null);

  // the phase follows the infusion: before the start PRE, while it runs INTRA, after the stop POST
  const infusionState = integrateDose(effectiveRows(chart.doseEvents).map(doseRowToPoint), chart.weightG, evaluationNow(chart, nowMs)).state;
  const autoPhase: Phase = infusionState === "NOT_STARTED" ? "PRE" : infusionState === "STOPPED" || chart.status !== "IN_PROGRESS" ? "POST" : "INTRA";

  const initialAt = correcting ? toLocalInputValue(Date.parse(correcting.at), timeZone) : null;
  const [scale, setScale] = useState<PainScale>(correcting?.scale ?? "NRS");
  const [scoreText, setScoreText] = useState(correcting ? String(correcting.score) : "");
  const [chosenPhase, setChosenPhase] = useState<Phase | null>(correcting?.phase ?? null);
  const [atText, setAtText] = useState<string | null>(initialAt);
  const [backTimeReason, setBackTimeReason] = useState("");
  const [correctionReason, setCorrectionReason] = useState("");
  const [submitted, setSubmitted] = useState(false);
  const [touched, setTouched] = useState(false);
  const phase = chosenPhase ?? autoPhase;
  const isFollowUp = phase === "FOLLOW_UP";

  const openedAtMs = Date.parse(chart.openedAt);
  const pinnedMs = correcting && atText === initialAt ? Date.parse(correcting.at) : null;
  const time = pinnedMs !== null ? { atMs: pinnedMs, isBackTimed: isBackTimed(nowMs, pinnedMs), error: undefined } : resolveTime(atText, nowMs, timeZone, openedAtMs, FUTURE_SKEW_MS);
  const atMs = time.atMs ?? nowMs;
  const score = readNumber(scoreText);

  const buildBody = (stampMs: number) => {
    const backTimed = !isFollowUp && (isBackTimed(nowMs, stampMs) || !!serverErrors.backTimeReason);
    return {
      at: new Date(stampMs).toISOString(),
      ...(score !== undefined ? { score } : {}),
      scale,
      phase,
      ...(backTimed ? { backTimeReason: correcting ? `Correction: ${correctionReason.trim()}`.slice(0, 1000) : backTimeReason.trim() } : {}),
      ...(correcting ? { correctsId: correcting.id, correctionReason: correctionReason.trim() } : {}),
    };
  };
  const parsed = PainSchema.safeParse(buildBody(atMs));
  const errors: Record<string, string> = parsed.success ? {} : fieldErrorsOf(parsed.error.issues);
  if (score === undefined) errors.score = `choose a score ${PAIN_BOUNDS[scale].min}-${PAIN_BOUNDS[scale].max}`;
  if (time.error) errors.at = time.error;
  // follow-up scores are recorded days later by design: no back-timing reason
  if (time.isBackTimed && !isFollowUp && !correcting && !hasReason(backTimeReason)) errors.backTimeReason = `give a reason for charting this late (${REASON_LENGTH_HINT})`;
  if (correcting && !hasReason(correctionReason)) errors.correctionReason = `give a reason for the correction (${REASON_LENGTH_HINT})`;
  const shown = (f: string) => serverErrors[f] ?? (submitted || (f === "score" && touched) ? errors[f] : undefined);

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (Object.keys(errors).length > 0) return;
    const stampedNow = atText === null && !correcting;
    const body = buildBody(stampedNow ? readNow() : atMs);
    const result = await submit<{ flags: { code: string; severity: string }[] }>(
      `/api/sessions/${chart.id}/pain`, body, { schema: PainSchema, intent: stampedNow ? { ...body, at: "now" } : body },
    );
    if (!result?.ok) return;
    onSaved(`${correcting ? "Pain score correction saved" : "Pain score saved"}: ${score}/${scale === "NRS" ? "10 NRS" : "100 mm VAS"}, ${PAIN_PHASE_LABELS[phase]}.`, result.data.flags);
    if (correcting) cancelCorrection();
    onDone();
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby={`${formId}-h`} className="card space-y-4">
      <h2 id={`${formId}-h`} className="text-lg font-semibold">{correcting ? "Correct pain" : "Pain"}</h2>
      {correcting && (
        <CorrectionBanner
          what={`pain score at ${formatHm(Date.parse(correcting.at), timeZone)}`} by={correcting.enteredBy}
          reason={correctionReason} onReason={setCorrectionReason} error={shown("correctionReason")} onCancel={cancelCorrection} inputRef={correctionRef}
        />
      )}
      <fieldset>
        <legend className="field-label mb-1">Phase</legend>
        <div className="seg">
          {PHASES.map((p) => (
            <label key={p} className="seg-item">
              <input type="radio" name={`${formId}-phase`} checked={phase === p} onChange={() => setChosenPhase(p)} />
              <span>{PAIN_PHASE_LABELS[p]}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend className="field-label mb-1">Scale</legend>
        <div className="seg">
          <label className="seg-item">
            <input type="radio" name={`${formId}-scale`} checked={scale === "NRS"} onChange={() => { setScale("NRS"); setScoreText(""); }} />
            <span>NRS 0–10</span>
          </label>
          <label className="seg-item">
            <input type="radio" name={`${formId}-scale`} checked={scale === "VAS"} onChange={() => { setScale("VAS"); setScoreText(""); }} />
            <span>VAS 0–100 mm</span>
          </label>
        </div>
      </fieldset>
      {scale === "NRS" && (
        <div className="grid grid-cols-6 gap-2" role="group" aria-label="Tap a number: 0 no pain to 10 worst imaginable">
          {Array.from({ length: 11 }, (_, n) => (
            <button
              // touch targets; the keyboard route is the "Pain score" field below, so Tab skips these 11 stops
              key={n} type="button" tabIndex={-1} className="score-btn" aria-pressed={score === n}
              onClick={() => { setScoreText(String(n)); setTouched(true); }}
            >
              {n}
            </button>
          ))}
        </div>
      )}
      <TextField
        label="Pain score" value={scoreText} onChange={setScoreText} onBlur={() => setTouched(true)} inputMode="numeric"
        unit={scale === "NRS" ? "/ 10" : "mm / 100"} error={shown("score")}
        hint={scale === "NRS" ? "0 = no pain, 10 = worst imaginable. Tap a number or type it." : "Millimetres from the left end of the 100 mm line."}
      />
      <TimeField
        value={pinnedMs !== null ? initialAt : atText} onChange={setAtText} timeZone={timeZone} error={shown("at")}
        backTimeReason={backTimeReason} onBackTimeReason={setBackTimeReason} backTimeError={shown("backTimeReason")}
        needsBackTimeReason={(time.isBackTimed || !!serverErrors.backTimeReason) && !isFollowUp} hideBackTime={!!correcting}
      />
      <FormAlert message={formError} error={submitError} />
      <button type="submit" className="btn-primary min-h-12 px-6 text-base" disabled={pending || isRefreshing}>{pending ? "Saving…" : "Save pain score"}</button>
    </form>
  );
}
