"use client";
import { useId, useState } from "react";
import { completionBlockers, SESSION_ACTION_PERMISSION, signBlocker } from "@/lib/domain/charting";
import { integrateDose } from "@/lib/domain/dose";
import { can } from "@/lib/permissions";
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
  const hasPostPainScore = effectiveRows(chart.painScores).some((p) => p.phase === "POST");
  // the server's preconditions, worded for the bedside
  const pendingDeviceReadings = chart.deviceReadings.filter((r) => r.status === "PENDING").length;
  const blockers = completionBlockers({ infusionState: state, hasPostPainScore, pendingDeviceReadings }).map((b) => b.bedsideText);
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
  // canSign (decision 0009): a resolved flag is not open, acknowledged or not
  const openHard = chart.flags.filter((f) => f.severity === "HARD" && !f.acknowledgedAt && !f.resolvedAt).length;
  const openSoft = chart.flags.filter((f) => f.severity === "SOFT" && !f.acknowledgedAt && !f.resolvedAt).length;
  const signBlockedBy = signBlocker(openHard);
  async function onSign() {
    const result = await submit(`/api/sessions/${chart.id}/sign`, { rowVersion: chart.rowVersion }, { schema: SignSessionSchema });
    if (result?.ok) onSaved("Session signed.");
  }
  return (
    <section aria-labelledby={`${id}-h`} className="card space-y-3">
      <h2 id={`${id}-h`} className="text-lg font-semibold">Sign session</h2>
      <p className="text-sm">After signing, entries can no longer be charted or corrected; addenda can still be added.</p>
      {signBlockedBy && (
        <p id={`${id}-why`} className="flag-box-hard font-semibold">
          {signBlockedBy}
        </p>
      )}
      {!signBlockedBy && openSoft > 0 && (
        <p className="text-sm text-slate-700">{openSoft} soft flag{openSoft > 1 ? "s" : ""} still open: a physician can acknowledge them after signing.</p>
      )}
      <FormAlert message={formError} error={submitError} />
      <button
        type="button" className="btn-primary min-h-12 px-6 text-base" onClick={onSign} disabled={pending || isRefreshing || signBlockedBy !== null}
        aria-describedby={signBlockedBy ? `${id}-why` : undefined}
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
  const canWrite = can({ role }, SESSION_ACTION_PERMISSION.addendum);
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
