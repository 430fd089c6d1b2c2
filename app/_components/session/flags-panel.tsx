"use client";
import { hasReason, REASON_LENGTH_HINT } from "@/lib/domain/charting";
import { can } from "@/lib/permissions";
import { useId, useState } from "react";
import { formatDateHm } from "./clinic-time";
import { FormAlert, TextField } from "@/app/_components/forms/fields";
import { AcknowledgeFlagSchema, AcknowledgeFlagsSchema } from "@/lib/validation/session";
import { SeverityBadge, flagLabel } from "./flag-display";
import type { FlagRow } from "./rows";
import { useSession } from "./session-context";
import { useMutation } from "@/app/_components/data/use-mutation";

const SOURCE_TEXT: Record<string, string> = {
  DoseEvent: "dose event",
  VitalSigns: "vitals",
  SideEffect: "side effect",
  InfusionSession: "session",
  Series: "series",
};

/**
 * Every flag of the session with its state. Physicians acknowledge (one by one or in bulk,
 * with a reason); everyone else sees who acknowledged what and why. Open flags first (HARD
 * first), then acknowledged, then resolved ones struck through with what resolved them
 * (docs/decisions/0009-flags-over-the-timeline.md): a resolved flag is never open.
 */
export function FlagsPanel() {
  const { chart, role, timeZone } = useSession();
  const canAcknowledge = can({ role }, "flag:acknowledge");
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const order = (f: FlagRow) => (f.resolvedAt ? 3 : f.acknowledgedAt ? 2 : f.severity === "HARD" ? 0 : 1);
  const flags = [...chart.flags].sort((a, b) => order(a) - order(b) || a.raisedAt.localeCompare(b.raisedAt));
  const open = flags.filter((f) => !f.acknowledgedAt && !f.resolvedAt);
  const resolvedCount = flags.filter((f) => f.resolvedAt).length;
  const openHard = open.filter((f) => f.severity === "HARD").length;
  const when = (iso: string) => formatDateHm(Date.parse(iso), timeZone);
  const toggle = (id: string, on: boolean) => setSelected((s) => { const n = new Set(s); if (on) n.add(id); else n.delete(id); return n; });
  const selectedOpen = open.filter((f) => selected.has(f.id));

  return (
    <section aria-labelledby="flags-h" className="card space-y-3" data-testid="flags-panel">
      <h2 id="flags-h" className="text-lg font-semibold">
        Flags{" "}
        <span className="text-sm font-normal text-slate-600">
          ({chart.flags.length} total, {open.length} open{openHard > 0 ? `, ${openHard} hard` : ""}{resolvedCount > 0 ? `, ${resolvedCount} resolved` : ""})
        </span>
      </h2>
      {flags.length === 0 && <p className="text-sm text-slate-600">No flags raised in this session.</p>}
      {canAcknowledge && open.length >= 2 && (
        <BulkAcknowledge
          openIds={open.map((f) => f.id)} selectedIds={selectedOpen.map((f) => f.id)}
          onSelectAll={(on) => setSelected(on ? new Set(open.map((f) => f.id)) : new Set())}
          onDone={() => setSelected(new Set())}
        />
      )}
      <ul className="space-y-3">
        {flags.map((f) => (
          <li
            key={f.id}
            className={f.resolvedAt || f.acknowledgedAt ? "rounded-md border border-slate-200 p-3" : f.severity === "HARD" ? "flag-box-hard" : "flag-box-soft"}
            data-flag-code={f.code} data-state={f.resolvedAt ? "resolved" : f.acknowledgedAt ? "acknowledged" : "open"}
          >
            <div className="flex flex-wrap items-center gap-2">
              {canAcknowledge && !f.acknowledgedAt && !f.resolvedAt && open.length >= 2 && (
                <input
                  type="checkbox" className="h-6 w-6 accent-[#0f5c73]" checked={selected.has(f.id)} onChange={(e) => toggle(f.id, e.target.checked)}
                  aria-label="Select for bulk acknowledgement" aria-describedby={`flag-${f.id}-title`}
                />
              )}
              <SeverityBadge severity={f.severity} />
              <span id={`flag-${f.id}-title`} className={`font-semibold ${f.resolvedAt ? "line-through" : ""}`}>{flagLabel(f.code)}</span>
              <span className={`ml-auto rounded px-2 py-0.5 text-xs font-bold uppercase ${f.resolvedAt || f.acknowledgedAt ? "bg-slate-200 text-slate-700" : "bg-white text-ink ring-1 ring-current"}`}>
                {f.resolvedAt ? "Resolved" : f.acknowledgedAt ? "Acknowledged" : "Open"}
              </span>
            </div>
            {f.resolvedAt && (
              <p className="mt-1 text-sm font-semibold" data-testid="flag-resolution">Resolved {when(f.resolvedAt)}: {f.resolution ?? "condition no longer holds"}</p>
            )}
            <div className={f.resolvedAt ? "text-slate-600 line-through" : undefined}>
              <p className="mt-1 text-sm tabular-nums"><strong>{f.valueText}</strong> · limit {f.limitText}</p>
              <p className="mt-1 text-sm">{f.message}</p>
            </div>
            <p className="mt-1 text-xs">
              Reason given: {f.reason ? <q>{f.reason}</q> : <em>none</em>} · raised by {f.raisedBy ?? "—"} at {when(f.raisedAt)}
              {f.sourceType ? ` (${SOURCE_TEXT[f.sourceType] ?? f.sourceType})` : ""}
            </p>
            {f.acknowledgedAt ? (
              <p className="mt-1 text-xs font-semibold">
                Acknowledged by {f.acknowledgedBy ?? "—"} at {when(f.acknowledgedAt)}: <q>{f.ackReason}</q>
              </p>
            ) : f.resolvedAt ? null : canAcknowledge ? (
              <AcknowledgeOne flagId={f.id} label={flagLabel(f.code)} />
            ) : (
              <p className="mt-1 text-xs">Awaiting a physician&apos;s acknowledgement.</p>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function AcknowledgeOne({ flagId, label }: { flagId: string; label: string }) {
  const { onSaved } = useSession();
  const [reason, setReason] = useState("");
  const [submitted, setSubmitted] = useState(false);
  const { submit, pending, formError, fieldErrors, error: submitError } = useMutation();
  const error = fieldErrors.reason ?? (submitted && !hasReason(reason) ? `give a reason (${REASON_LENGTH_HINT})` : undefined);
  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (!hasReason(reason)) return;
    const result = await submit(`/api/flags/${flagId}/acknowledge`, { reason: reason.trim() }, { schema: AcknowledgeFlagSchema });
    if (result?.ok) onSaved(`Flag acknowledged: ${label}.`);
  }
  return (
    <form onSubmit={onSubmit} noValidate className="no-print mt-2 flex flex-wrap items-end gap-2">
      <TextField className="min-w-48 flex-1" label="Acknowledgement reason" value={reason} onChange={setReason} error={error} required />
      <button type="submit" className="btn-primary mb-[2px]" disabled={pending}>{pending ? "Saving…" : "Acknowledge"}</button>
      <div className="w-full"><FormAlert message={formError} error={submitError} /></div>
    </form>
  );
}

function BulkAcknowledge({ openIds, selectedIds, onSelectAll, onDone }: { openIds: string[]; selectedIds: string[]; onSelectAll: (on: boolean) => void; onDone: () => void }) {
  const { onSaved } = useSession();
  const id = useId();
  const [reason, setReason] = useState("");
  const [submitted, setSubmitted] = useState(false);
  const { submit, pending, formError, fieldErrors, error: submitError } = useMutation();
  const error = fieldErrors.reason ?? (submitted && !hasReason(reason) ? `give a reason (${REASON_LENGTH_HINT})` : undefined);
  const allSelected = selectedIds.length === openIds.length;
  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (!hasReason(reason) || selectedIds.length === 0) return;
    const result = await submit(`/api/flags/acknowledge`, { flagIds: selectedIds, reason: reason.trim() }, { schema: AcknowledgeFlagsSchema });
    if (result?.ok) {
      onSaved(`${selectedIds.length} flag${selectedIds.length > 1 ? "s" : ""} acknowledged.`);
      onDone();
    }
  }
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Acknowledge selected flags" className="no-print space-y-2 rounded-md bg-slate-50 p-3">
      <div className="flex items-center gap-3">
        <input id={`${id}-all`} type="checkbox" className="h-6 w-6 accent-[#0f5c73]" checked={allSelected} onChange={(e) => onSelectAll(e.target.checked)} />
        <label htmlFor={`${id}-all`} className="text-sm font-medium">Select all open flags ({openIds.length})</label>
      </div>
      {selectedIds.length > 0 && (
        <div className="flex flex-wrap items-end gap-2">
          <TextField className="min-w-48 flex-1" label="Acknowledgement reason" value={reason} onChange={setReason} error={error} required />
          <button type="submit" className="btn-primary mb-[2px]" disabled={pending}>{pending ? "Saving…" : `Acknowledge selected (${selectedIds.length})`}</button>
        </div>
      )}
      <FormAlert message={formError} error={submitError} />
    </form>
  );
}
