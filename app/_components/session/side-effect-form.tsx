"use client";
import { useState } from "react";
import { evaluateSideEffect } from "@/lib/domain/flags";
import { BENZODIAZEPINE_INTERVENTIONS, INTERVENTIONS, SEVERITY_LABELS, SIDE_EFFECT_KINDS, sideEffectLabel, type Intervention } from "@/lib/domain/side-effects";
import { SideEffectSchema } from "@/lib/validation/session";
import { SelectField, TextField } from "@/app/_components/forms/fields";
import type { QueuedEntry } from "@/lib/client/offline-queue";
import { ChartEntryFrame, CorrectableEntry, correctionWhat, useChartEntry, type ChartedEntry } from "./chart-entry";
import { queuedFieldText } from "./queued-entry-text";
import { LiveFlags } from "./flag-display";
import { fieldErrorsOf, type SideEffectRow } from "./rows";

export function SideEffectForm() {
  return (
    <CorrectableEntry kind="side-effects">
      {({ correcting, recharting, onDone }) => <SideEffectFormInner correcting={correcting} recharting={recharting} onDone={onDone} />}
    </CorrectableEntry>
  );
}

function SideEffectFormInner({ correcting, recharting, onDone }: { correcting: SideEffectRow | null; recharting: QueuedEntry | null; onDone: () => void }) {
  const entry = useChartEntry({ correcting, recharting, onDone });
  const { chart, formId, timeZone } = entry;

  // a correction starts from the charted row, a refused entry charted again from its body as sent
  const queued = (field: string) => queuedFieldText(recharting, field);
  const [kind, setKind] = useState(correcting?.kind ?? queued("kind"));
  const [severity, setSeverity] = useState(correcting ? String(correcting.severity) : queued("severity"));
  const [intervention, setIntervention] = useState(correcting?.intervention ?? queued("intervention"));
  const [note, setNote] = useState(correcting?.note ?? queued("note"));

  const buildBody = (stampMs: number) => ({
    ...entry.timingFields(stampMs),
    ...(kind ? { kind } : {}),
    ...(severity !== "" ? { severity: Number(severity) } : {}),
    ...(intervention ? { intervention } : {}),
    ...(note.trim() ? { note: note.trim() } : {}),
  });
  const parsed = SideEffectSchema.safeParse(buildBody(entry.atMs));
  const errors: Record<string, string> = { ...(parsed.success ? {} : fieldErrorsOf(parsed.error.issues)), ...entry.timingErrors() };
  if (!kind) errors.kind = "choose the side effect";
  if (severity === "") errors.severity = "choose a severity";
  const flags = kind && severity !== "" ? evaluateSideEffect({ kind, severity: Number(severity) }) : [];
  const isBenzo = (BENZODIAZEPINE_INTERVENTIONS as readonly string[]).includes(intervention as Intervention);

  const onSubmit = (e: React.FormEvent) => entry.save<ChartedEntry>(e, {
    url: `/api/sessions/${chart.id}/side-effects`, schema: SideEffectSchema, errors, body: buildBody,
    announce: () => `${correcting ? "Side effect correction saved" : "Side effect saved"}: ${sideEffectLabel(kind)}, ${SEVERITY_LABELS[Number(severity)] ?? severity}.`,
  });

  return (
    <ChartEntryFrame
      entry={entry} errors={errors} onSubmit={onSubmit} title="Side-effects" correctionTitle="Correct a side-effect entry" submitLabel="Save side effect"
      correcting={correcting && correctionWhat(sideEffectLabel(correcting.kind), correcting, timeZone)}
      afterTime={<LiveFlags flags={flags} />}
    >
      <div className="grid gap-3 sm:grid-cols-2">
        <SelectField id={`${formId}-kind`} label="Side effect" value={kind} onChange={setKind} error={entry.shown(errors, "kind")}>
          <option value="">Choose…</option>
          {SIDE_EFFECT_KINDS.map((k) => <option key={k.code} value={k.code}>{k.label}</option>)}
        </SelectField>
        <SelectField id={`${formId}-sev`} label="Severity" value={severity} onChange={setSeverity} error={entry.shown(errors, "severity")}>
          <option value="">Choose…</option>
          {SEVERITY_LABELS.map((label, n) => <option key={n} value={String(n)}>{n} – {label}</option>)}
        </SelectField>
      </div>
      <SelectField
        id={`${formId}-int`} label="Intervention" value={intervention} onChange={setIntervention} error={entry.shown(errors, "intervention")}
        hint={isBenzo ? <strong className="text-soft">Note: the sources say benzodiazepines may blunt ketamine&apos;s effect (sources 001, 002).</strong> : undefined}
      >
        <option value="">Not recorded</option>
        {INTERVENTIONS.map((i) => <option key={i.code} value={i.code}>{i.label}</option>)}
      </SelectField>
      <TextField label="Note" value={note} onChange={setNote} multiline error={entry.shown(errors, "note")} />
    </ChartEntryFrame>
  );
}
