"use client";
import { useId, useState } from "react";
import { integrateDose } from "@/lib/domain/dose";
import { useNow } from "./clock";
import { formatDateHm } from "./clinic-time";
import { CheckboxField, FormAlert, TextField } from "@/app/_components/forms/fields";
import { AddendumSchema, CompleteSessionSchema, SignSessionSchema } from "@/lib/validation/session";
import { doseRowToPoint, effectiveRows, evaluationNow } from "./rows";
import { useSession } from "./session-context";
import { useMutation } from "@/app/_components/data/use-mutation";

/** Completion: the discharge check, after the STOP and the post-infusion pain score. */
export function CompletePanel() {
  const { chart, onSaved, isRefreshing } = useSession();
  const id = useId();
  const nowMs = useNow(5_000);
  const [dischargeReady, setDischargeReady] = useState(false);
  const [note, setNote] = useState("");
  const [submitted, setSubmitted] = useState(false);
  const { submit, pending, formError, fieldErrors, error: submitError } = useMutation();
  const state = integrateDose(effectiveRows(chart.doseEvents).map(doseRowToPoint), chart.weightG, evaluationNow(chart, nowMs)).state;
  const stillRunning = state === "RUNNING" || state === "PAUSED";
  const hasPostPain = effectiveRows(chart.painScores).some((p) => p.phase === "POST");
  const blockers = [
    ...(stillRunning ? [`The infusion is still ${state === "PAUSED" ? "paused" : "running"}: chart STOP first.`] : []),
    ...(hasPostPain ? [] : ["No post-infusion (POST) pain score yet: record it first."]),
  ];
  const checkError = fieldErrors.dischargeReady ?? (submitted && !dischargeReady ? "confirm the discharge check" : undefined);

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (!dischargeReady || blockers.length > 0) return;
    const result = await submit<{ flags: { code: string; severity: string }[] }>(`/api/sessions/${chart.id}/complete`, {
      dischargeReady: true,
      ...(note.trim() ? { dischargeNote: note.trim() } : {}),
      rowVersion: chart.rowVersion,
    }, { schema: CompleteSessionSchema });
    if (result?.ok) onSaved("Session completed.", result.data.flags);
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby={`${id}-h`} className="card space-y-3">
      <h2 id={`${id}-h`} className="text-lg font-semibold">Complete session</h2>
      {blockers.length > 0 && (
        <ul id={`${id}-blockers`} className="space-y-1 text-sm font-semibold text-[#7c3a06]">
          {blockers.map((b) => <li key={b}>▲ {b}</li>)}
        </ul>
      )}
      <CheckboxField
        label="Discharge check completed" checked={dischargeReady} onChange={setDischargeReady} error={checkError}
        hint="Alert and oriented, vitals near baseline, escort present, instructions given."
      />
      <TextField label="Discharge comments" value={note} onChange={setNote} multiline error={fieldErrors.dischargeNote} />
      <FormAlert message={formError} error={submitError} />
      <button
        type="submit" className="btn-primary min-h-12 px-6 text-base" disabled={pending || isRefreshing || blockers.length > 0}
        aria-describedby={blockers.length ? `${id}-blockers` : undefined}
      >
        {pending ? "Saving…" : "Complete session"}
      </button>
    </form>
  );
}

/** Signing a completed session; blocked while hard-limit flags wait for a physician. */
export function SignPanel() {
  const { chart, onSaved, isRefreshing } = useSession();
  const id = useId();
  const { submit, pending, formError, error: submitError } = useMutation();
  const openHard = chart.flags.filter((f) => f.severity === "HARD" && !f.acknowledgedAt).length;
  const openSoft = chart.flags.filter((f) => f.severity === "SOFT" && !f.acknowledgedAt).length;
  async function onSign() {
    const result = await submit(`/api/sessions/${chart.id}/sign`, { rowVersion: chart.rowVersion }, { schema: SignSessionSchema });
    if (result?.ok) onSaved("Session signed.");
  }
  return (
    <section aria-labelledby={`${id}-h`} className="card space-y-3">
      <h2 id={`${id}-h`} className="text-lg font-semibold">Sign session</h2>
      <p className="text-sm">After signing, entries can no longer be charted or corrected; addenda can still be added.</p>
      {openHard > 0 && (
        <p id={`${id}-why`} className="flag-box-hard font-semibold">
          {openHard} hard-limit flag{openHard > 1 ? "s" : ""} must be acknowledged by a physician before signing.
        </p>
      )}
      {openHard === 0 && openSoft > 0 && (
        <p className="text-sm text-slate-700">{openSoft} soft flag{openSoft > 1 ? "s" : ""} still open: a physician can acknowledge them after signing.</p>
      )}
      <FormAlert message={formError} error={submitError} />
      <button
        type="button" className="btn-primary min-h-12 px-6 text-base" onClick={onSign} disabled={pending || isRefreshing || openHard > 0}
        aria-describedby={openHard > 0 ? `${id}-why` : undefined}
      >
        {pending ? "Signing…" : "Sign session"}
      </button>
    </section>
  );
}

/** Signed sessions take addenda only. */
export function AddendaPanel() {
  const { chart, onSaved, timeZone, role } = useSession();
  const id = useId();
  const [text, setText] = useState("");
  const [submitted, setSubmitted] = useState(false);
  const { submit, pending, formError, fieldErrors, error: submitError } = useMutation();
  const error = fieldErrors.text ?? (submitted && text.trim().length === 0 ? "write the addendum" : undefined);
  const canWrite = role === "NURSE" || role === "PHYSICIAN";
  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (text.trim().length === 0) return;
    const result = await submit(`/api/sessions/${chart.id}/addenda`, { text: text.trim() }, { schema: AddendumSchema });
    if (result?.ok) {
      onSaved("Addendum added.");
      setText("");
      setSubmitted(false);
    }
  }
  return (
    <section aria-labelledby={`${id}-h`} className="card space-y-3">
      <h2 id={`${id}-h`} className="text-lg font-semibold">Addenda</h2>
      <p className="text-sm">
        Signed by <strong>{chart.signedBy}</strong>{chart.signedAt ? ` at ${formatDateHm(Date.parse(chart.signedAt), timeZone)}` : ""}. The chart is closed: later information is added as an addendum.
      </p>
      {chart.addenda.length === 0 ? (
        <p className="text-sm text-slate-600">No addenda.</p>
      ) : (
        <ol className="space-y-2">
          {chart.addenda.map((a) => (
            <li key={a.id} className="rounded-md border border-slate-200 p-2 text-sm">
              <p className="whitespace-pre-wrap">{a.text}</p>
              <p className="mt-1 text-xs text-slate-600">{a.author ?? "—"}, {formatDateHm(Date.parse(a.createdAt), timeZone)}</p>
            </li>
          ))}
        </ol>
      )}
      {canWrite && (
        <form onSubmit={onSubmit} noValidate className="no-print space-y-2">
          <TextField label="Addendum" value={text} onChange={setText} multiline error={error} required />
          <FormAlert message={formError} error={submitError} />
          <button type="submit" className="btn-primary min-h-12 px-6" disabled={pending}>{pending ? "Saving…" : "Add addendum"}</button>
        </form>
      )}
    </section>
  );
}
