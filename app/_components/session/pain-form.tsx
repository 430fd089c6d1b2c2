"use client";
import { useState } from "react";
import { integrateDose } from "@/lib/domain/dose";
import { PAIN_BOUNDS, type PainScale } from "@/lib/domain/pain";
import { PainSchema } from "@/lib/validation/session";
import { TextField } from "@/app/_components/forms/fields";
import type { QueuedEntry } from "@/lib/client/offline-queue";
import { ChartEntryFrame, CorrectableEntry, correctionWhat, useChartEntry, type ChartedEntry } from "./chart-entry";
import { queuedFieldText } from "./queued-entry-text";
import { doseRowToPoint, effectiveRows, evaluationNow, fieldErrorsOf, PAIN_PHASE_LABELS, readNumber, type PainRow } from "./rows";

type Phase = PainRow["phase"];
const PHASES: Phase[] = ["PRE", "INTRA", "POST", "FOLLOW_UP"];

export function PainForm() {
  return (
    <CorrectableEntry kind="pain">
      {({ correcting, recharting, onDone }) => <PainFormInner correcting={correcting} recharting={recharting} onDone={onDone} />}
    </CorrectableEntry>
  );
}

const isPainScale = (v: string): v is PainScale => v === "NRS" || v === "VAS";
const isPhase = (v: string): v is Phase => (PHASES as string[]).includes(v);

function PainFormInner({ correcting, recharting, onDone }: { correcting: PainRow | null; recharting: QueuedEntry | null; onDone: () => void }) {
  const entry = useChartEntry({ correcting, recharting, onDone });
  const { chart, formId, nowMs, timeZone } = entry;

  // the phase follows the infusion: before the start PRE, while it runs INTRA, after the stop POST
  const infusionState = integrateDose(effectiveRows(chart.doseEvents).map(doseRowToPoint), chart.weightG, evaluationNow(chart, nowMs)).state;
  const autoPhase: Phase = infusionState === "NOT_STARTED" ? "PRE" : infusionState === "STOPPED" || chart.status !== "IN_PROGRESS" ? "POST" : "INTRA";

  // a refused entry charted again: its score, scale and phase as sent
  const queuedScale = queuedFieldText(recharting, "scale");
  const queuedPhase = queuedFieldText(recharting, "phase");
  const [scale, setScale] = useState<PainScale>(correcting?.scale ?? (isPainScale(queuedScale) ? queuedScale : "NRS"));
  const [scoreText, setScoreText] = useState(correcting ? String(correcting.score) : queuedFieldText(recharting, "score"));
  const [chosenPhase, setChosenPhase] = useState<Phase | null>(correcting?.phase ?? (isPhase(queuedPhase) ? queuedPhase : null));
  const phase = chosenPhase ?? autoPhase;
  // follow-up scores are recorded days later by design: no late-charting reason
  const timing = { lateByDesign: phase === "FOLLOW_UP" };
  const score = readNumber(scoreText);

  const buildBody = (stampMs: number) => ({ ...entry.timingFields(stampMs, timing), ...(score !== undefined ? { score } : {}), scale, phase });
  const parsed = PainSchema.safeParse(buildBody(entry.atMs));
  const errors: Record<string, string> = { ...(parsed.success ? {} : fieldErrorsOf(parsed.error.issues)), ...entry.timingErrors(timing) };
  if (score === undefined) errors.score = `choose a score ${PAIN_BOUNDS[scale].min}-${PAIN_BOUNDS[scale].max}`;

  const onSubmit = (e: React.FormEvent) => entry.save<ChartedEntry>(e, {
    url: `/api/sessions/${chart.id}/pain`, schema: PainSchema, errors, body: buildBody,
    announce: () => `${correcting ? "Pain score correction saved" : "Pain score saved"}: ${score}/${scale === "NRS" ? "10 NRS" : "100 mm VAS"}, ${PAIN_PHASE_LABELS[phase]}.`,
  });

  return (
    <ChartEntryFrame
      entry={entry} errors={errors} onSubmit={onSubmit} title="Pain" correctionTitle="Correct pain" submitLabel="Save pain score" lateByDesign={timing.lateByDesign}
      correcting={correcting && correctionWhat("pain score", correcting, timeZone)}
    >
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
              onClick={() => { setScoreText(String(n)); entry.touch("score"); }}
            >
              {n}
            </button>
          ))}
        </div>
      )}
      <TextField
        label="Pain score" value={scoreText} onChange={setScoreText} onBlur={() => entry.touch("score")} inputMode="numeric"
        unit={scale === "NRS" ? "/ 10" : "mm / 100"} error={entry.shown(errors, "score")}
        hint={scale === "NRS" ? "0 = no pain, 10 = worst imaginable. Tap a number or type it." : "Millimetres from the left end of the 100 mm line."}
      />
    </ChartEntryFrame>
  );
}
