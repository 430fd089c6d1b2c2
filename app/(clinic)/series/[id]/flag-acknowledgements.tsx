"use client";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { useMutation } from "@/app/_components/data/use-mutation";
import { FieldError } from "@/app/_components/forms/fields";
import { SeverityMark } from "@/app/_components/session/flag-display";
import { AcknowledgeFlagSchema, AcknowledgeFlagsSchema } from "@/lib/validation/session";

export interface ReviewFlag {
  id: string;
  label: string;
  severity: "SOFT" | "HARD";
  message: string;
  valueText: string;
  limitText: string;
  reason: string | null;
  raisedAt: string;
  raisedBy: string | null;
  sessionId: string | null;
  sessionSequence: number | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  ackReason: string | null;
  /** set when its condition went away (decision 0009): listed struck through, never open */
  resolvedAt: string | null;
  resolution: string | null;
}

/**
 * Open flags of the series, acknowledged one by one or in bulk, each with a reason (the
 * server checks the role; this list is read-only for anyone without flag:acknowledge).
 */
export function FlagAcknowledgements({ flags, canAcknowledge, when }: { flags: ReviewFlag[]; canAcknowledge: boolean; when: Record<string, string> }) {
  const router = useRouter();
  const open = flags.filter((f) => !f.acknowledgedAt && !f.resolvedAt).sort((a, b) => (a.severity === b.severity ? a.raisedAt.localeCompare(b.raisedAt) : a.severity === "HARD" ? -1 : 1));
  const acked = flags.filter((f) => f.acknowledgedAt && !f.resolvedAt);
  const resolved = flags.filter((f) => f.resolvedAt).sort((a, b) => (a.severity === b.severity ? a.raisedAt.localeCompare(b.raisedAt) : a.severity === "HARD" ? -1 : 1));
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulkReason, setBulkReason] = useState("");
  // one key per acknowledgement intent: a retry after a lost connection stores it once
  const bulk = useMutation();
  const bulkId = useId();

  async function acknowledgeSelected() {
    const res = await bulk.submit("/api/flags/acknowledge", { flagIds: [...selected], reason: bulkReason }, { schema: AcknowledgeFlagsSchema });
    if (!res?.ok) return;
    setSelected(new Set());
    setBulkReason("");
    router.refresh();
  }

  const toggle = (id: string) => setSelected((s) => { const n = new Set(s); if (n.has(id)) n.delete(id); else n.add(id); return n; });
  const bulkError = bulk.fieldErrors.reason ?? bulk.fieldErrors.flagIds ?? bulk.formError;
  return (
    <div className="space-y-3">
      {open.length === 0 ? <p className="text-sm text-slate-600">No open flags.</p> : (
        <ul className="space-y-2" aria-label="Open flags">
          {open.map((f) => (
            <li key={f.id} className={f.severity === "HARD" ? "flag-box-hard" : "flag-box-soft"} data-testid="open-flag">
              <div className="flex flex-wrap items-start gap-2">
                {canAcknowledge && (
                  <input type="checkbox" className="mt-1 h-4 w-4" checked={selected.has(f.id)} onChange={() => toggle(f.id)} aria-label={`Select ${f.label}${f.sessionSequence ? ` (session ${f.sessionSequence})` : ""}`} />
                )}
                <span className={f.severity === "HARD" ? "sev-hard" : "sev-soft"} data-flag-severity={f.severity}><SeverityMark severity={f.severity} />{f.severity.toLowerCase()}</span>
                <div className="min-w-0 flex-1">
                  <p className="font-semibold">{f.label}{f.sessionSequence ? ` · session ${f.sessionSequence}` : " · series"} <span className="font-normal tabular-nums">({f.valueText}; limit {f.limitText})</span></p>
                  <p>{f.message}</p>
                  <p className="text-xs">Raised {when[f.id]}{f.raisedBy ? ` by ${f.raisedBy}` : ""}{f.reason ? ` · reason: ${f.reason}` : ""}</p>
                </div>
              </div>
              {canAcknowledge && <AcknowledgeOne flag={f} disabled={bulk.pending} onDone={() => router.refresh()} />}
            </li>
          ))}
        </ul>
      )}
      {canAcknowledge && open.length > 1 && (
        <form className="card flex flex-wrap items-end gap-2" onSubmit={(e) => { e.preventDefault(); void acknowledgeSelected(); }}>
          <div className="flex w-full flex-wrap gap-2">
            <button type="button" className="btn-secondary" onClick={() => setSelected(new Set(open.map((f) => f.id)))}>Select all {open.length}</button>
            <button type="button" className="btn-secondary" onClick={() => setSelected(new Set())}>Clear</button>
          </div>
          <label className="min-w-0 flex-1" htmlFor={bulkId}>
            <span className="field-label">Reason for the {selected.size} selected</span>
            <input id={bulkId} className="field-input h-10" value={bulkReason} onChange={(e) => setBulkReason(e.target.value)}
              aria-invalid={bulkError ? true : undefined} aria-describedby={bulkError ? `${bulkId}-error` : undefined} />
          </label>
          <button type="submit" className="btn-primary" disabled={bulk.pending || selected.size === 0}>Acknowledge selected ({selected.size})</button>
          <FieldError id={`${bulkId}-error`} className="w-full" message={bulkError ?? undefined} />
        </form>
      )}
      {acked.length > 0 && (
        <details>
          <summary className="cursor-pointer text-sm font-semibold">Acknowledged flags ({acked.length})</summary>
          <div className="overflow-x-auto"><table className="table-dense mt-2">
            <thead><tr><th>Flag</th><th>Session</th><th>By</th><th>When</th><th>Reason</th></tr></thead>
            <tbody>
              {acked.map((f) => (
                <tr key={f.id} data-testid="acked-flag">
                  <td><span className={f.severity === "HARD" ? "sev-hard" : "sev-soft"} data-flag-severity={f.severity}><SeverityMark severity={f.severity} />{f.severity.toLowerCase()}</span> {f.label}</td>
                  <td>{f.sessionSequence ?? "series"}</td>
                  <td>{f.acknowledgedBy}</td>
                  <td className="tabular-nums">{when[`ack-${f.id}`]}</td>
                  <td>{f.ackReason}</td>
                </tr>
              ))}
            </tbody>
          </table></div>
        </details>
      )}
      {resolved.length > 0 && (
        <details>
          <summary className="cursor-pointer text-sm font-semibold">Resolved flags ({resolved.length})</summary>
          <ul className="mt-2 space-y-1 text-sm" aria-label="Resolved flags">
            {resolved.map((f) => (
              <li key={f.id} data-testid="resolved-flag">
                <span className="text-slate-600 line-through">
                  <span className={f.severity === "HARD" ? "sev-hard" : "sev-soft"} data-flag-severity={f.severity}><SeverityMark severity={f.severity} />{f.severity.toLowerCase()}</span> {f.label} ({f.valueText})
                </span>{" "}
                <span className="font-semibold">
                  {f.sessionSequence ? `session ${f.sessionSequence}: ` : ""}Resolved {when[`res-${f.id}`]}: {f.resolution ?? "condition no longer holds"}
                </span>
                {f.acknowledgedAt ? <span> (acknowledged by {f.acknowledgedBy}: <q>{f.ackReason}</q>)</span> : null}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

/** The reason form of one open flag, with its own intent (its own Idempotency-Key). */
function AcknowledgeOne({ flag: f, disabled, onDone }: { flag: ReviewFlag; disabled: boolean; onDone: () => void }) {
  const [reason, setReason] = useState("");
  const { submit, pending, fieldErrors, formError } = useMutation();
  const error = fieldErrors.reason ?? formError;
  const errorId = `err-${f.id}`;
  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    const res = await submit(`/api/flags/${f.id}/acknowledge`, { reason }, { schema: AcknowledgeFlagSchema });
    if (res?.ok) onDone();
  }
  return (
    <form className="mt-2 flex flex-wrap items-end gap-2" onSubmit={(e) => void onSubmit(e)}>
      <label className="min-w-0 flex-1">
        <span className="field-label">Reason</span>
        <input className="field-input h-10" value={reason} onChange={(e) => setReason(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined} aria-label={`Reason for acknowledging ${f.label}${f.sessionSequence ? ` (session ${f.sessionSequence})` : ""}`} />
      </label>
      <button type="submit" className="btn-secondary" disabled={pending || disabled}>Acknowledge</button>
      <FieldError id={errorId} className="w-full" message={error ?? undefined} />
    </form>
  );
}
