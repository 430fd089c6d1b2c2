"use client";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { newIdempotencyKey, postJson } from "@/app/_components/api";
import { hasReason, REASON_LENGTH_HINT } from "@/lib/domain/charting";

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
}

/**
 * Open flags of the series, acknowledged one by one or in bulk, each with a reason (the
 * server checks the role; this list is read-only for anyone without flag:acknowledge).
 */
export function FlagAcknowledgements({ flags, canAcknowledge, when }: { flags: ReviewFlag[]; canAcknowledge: boolean; when: Record<string, string> }) {
  const router = useRouter();
  const open = flags.filter((f) => !f.acknowledgedAt).sort((a, b) => (a.severity === b.severity ? a.raisedAt.localeCompare(b.raisedAt) : a.severity === "HARD" ? -1 : 1));
  const acked = flags.filter((f) => f.acknowledgedAt);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [bulkReason, setBulkReason] = useState("");
  const [error, setError] = useState<{ id: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const bulkId = useId();

  async function acknowledge(flagIds: string[], reason: string, errorKey: string) {
    if (!hasReason(reason)) {
      setError({ id: errorKey, message: `Give a reason (${REASON_LENGTH_HINT}).` });
      return;
    }
    setBusy(true);
    setError(null);
    const res = flagIds.length === 1
      ? await postJson(`/api/flags/${flagIds[0]}/acknowledge`, { reason }, { idempotencyKey: newIdempotencyKey("ack"), signedOut: "redirect" })
      : await postJson(`/api/flags/acknowledge`, { flagIds, reason }, { idempotencyKey: newIdempotencyKey("ack"), signedOut: "redirect" });
    setBusy(false);
    if (!res.ok) {
      setError({ id: errorKey, message: res.error.message });
      return;
    }
    setSelected(new Set());
    setBulkReason("");
    router.refresh();
  }

  const toggle = (id: string) => setSelected((s) => { const n = new Set(s); if (n.has(id)) n.delete(id); else n.add(id); return n; });
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
                <span className={f.severity === "HARD" ? "sev-hard" : "sev-soft"}>{f.severity.toLowerCase()}</span>
                <div className="min-w-0 flex-1">
                  <p className="font-semibold">{f.label}{f.sessionSequence ? ` · session ${f.sessionSequence}` : " · series"} <span className="font-normal tabular-nums">({f.valueText}; limit {f.limitText})</span></p>
                  <p>{f.message}</p>
                  <p className="text-xs">Raised {when[f.id]}{f.raisedBy ? ` by ${f.raisedBy}` : ""}{f.reason ? ` · reason: ${f.reason}` : ""}</p>
                </div>
              </div>
              {canAcknowledge && (
                <form className="mt-2 flex flex-wrap items-end gap-2" onSubmit={(e) => { e.preventDefault(); void acknowledge([f.id], reasons[f.id] ?? "", f.id); }}>
                  <label className="min-w-0 flex-1">
                    <span className="field-label">Reason</span>
                    <input className="field-input h-10" value={reasons[f.id] ?? ""} onChange={(e) => setReasons((r) => ({ ...r, [f.id]: e.target.value }))}
                      aria-describedby={error?.id === f.id ? `err-${f.id}` : undefined} aria-label={`Reason for acknowledging ${f.label}${f.sessionSequence ? ` (session ${f.sessionSequence})` : ""}`} />
                  </label>
                  <button type="submit" className="btn-secondary" disabled={busy}>Acknowledge</button>
                  {error?.id === f.id && <p id={`err-${f.id}`} className="field-error w-full" aria-live="polite">{error.message}</p>}
                </form>
              )}
            </li>
          ))}
        </ul>
      )}
      {canAcknowledge && open.length > 1 && (
        <form className="card flex flex-wrap items-end gap-2" onSubmit={(e) => { e.preventDefault(); void acknowledge([...selected], bulkReason, "bulk"); }}>
          <div className="flex w-full flex-wrap gap-2">
            <button type="button" className="btn-secondary" onClick={() => setSelected(new Set(open.map((f) => f.id)))}>Select all {open.length}</button>
            <button type="button" className="btn-secondary" onClick={() => setSelected(new Set())}>Clear</button>
          </div>
          <label className="min-w-0 flex-1" htmlFor={bulkId}>
            <span className="field-label">Reason for the {selected.size} selected</span>
            <input id={bulkId} className="field-input h-10" value={bulkReason} onChange={(e) => setBulkReason(e.target.value)} />
          </label>
          <button type="submit" className="btn-primary" disabled={busy || selected.size === 0}>Acknowledge selected ({selected.size})</button>
          {error?.id === "bulk" && <p className="field-error w-full" aria-live="polite">{error.message}</p>}
        </form>
      )}
      {acked.length > 0 && (
        <details>
          <summary className="cursor-pointer text-sm font-semibold">Acknowledged flags ({acked.length})</summary>
          <table className="table-dense mt-2">
            <thead><tr><th>Flag</th><th>Session</th><th>By</th><th>When</th><th>Reason</th></tr></thead>
            <tbody>
              {acked.map((f) => (
                <tr key={f.id} data-testid="acked-flag">
                  <td><span className={f.severity === "HARD" ? "sev-hard" : "sev-soft"}>{f.severity.toLowerCase()}</span> {f.label}</td>
                  <td>{f.sessionSequence ?? "series"}</td>
                  <td>{f.acknowledgedBy}</td>
                  <td className="tabular-nums">{when[`ack-${f.id}`]}</td>
                  <td>{f.ackReason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </div>
  );
}
