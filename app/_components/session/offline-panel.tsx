"use client";
import { useState } from "react";
import { discardEntry, retryEntry, useOfflineQueue, type DiscardedEntry } from "@/app/_components/data/offline-queue";
import { canChartAgainInForm, isOwnedBy, ownEntries, waitingText, type QueuedEntry } from "@/lib/client/offline-queue";
import { formatDateHm, formatHm } from "./clinic-time";
import { RECHARTING_BANNER_ID } from "./correction-banner";
import { QUEUED_KIND_LABEL as KIND_LABEL, queuedValuesText as valuesText } from "./queued-entry-text";
import { useSession } from "./session-context";

/** "1 offline entry discarded and 1 refused offline entry charted again from the form on this device" */
function takenOutText(discarded: readonly DiscardedEntry[]): string {
  const n = (k: number, what: string) => `${k} ${what} ${k === 1 ? "entry" : "entries"}`;
  const replaced = discarded.filter((d) => d.replacedBy).length;
  const dropped = discarded.length - replaced;
  return [
    dropped > 0 ? `${n(dropped, "offline")} discarded` : null,
    replaced > 0 ? `${n(replaced, "refused offline")} charted again from the form` : null,
  ].filter(Boolean).join(" and ") + " on this device";
}

/** Where a refused entry went: discarded (not charted), or replaced by the entry charted again from its form. */
function takenOutFate(d: DiscardedEntry, timeZone: string): string {
  const by = `${d.discardedBy || "you"} at ${formatDateHm(d.discardedAtMs, timeZone)}`;
  const refusal = d.entry.refusal ? `, after the server refused it: ${d.entry.refusal.message}` : "";
  if (!d.replacedBy) return `discarded by ${by}${refusal}. Not charted.`;
  const where = d.replacedBy.state === "stored" ? "the server stored the edited entry" : "the edited entry was saved on this device to sync";
  return `charted again from the form by ${by}${refusal}; ${where}. This version was not charted.`;
}

/** "3 entries waiting to sync", compact, for the live header. */
export function SyncBadge({ sessionId }: { sessionId: string }) {
  const q = useOfflineQueue();
  const mine = ownEntries(q.entries, q.owner).filter((e) => e.sessionId === sessionId);
  if (mine.length === 0) return null;
  const attention = mine.filter((e) => e.state === "needs-attention").length;
  return (
    <span className={`state-pill ${attention ? "bg-hard-50 text-hard" : "bg-soft-50 text-soft"}`} data-testid="sync-badge">
      ⟳ {mine.length} waiting to sync{attention ? ` · ${attention} need${attention === 1 ? "s" : ""} attention` : ""}
    </span>
  );
}

/**
 * What waits on this device for this session (docs/decisions/0017-offline-charting.md): the
 * count, said aloud as it changes; the entries the server refused, with its words and the
 * nurse's choices; entries of another user (count only); what the nurse discarded.
 */
export function OfflinePanel({ sessionId, timeZone }: { sessionId: string; timeZone: string }) {
  const q = useOfflineQueue();
  const mine = ownEntries(q.entries, q.owner).filter((e) => e.sessionId === sessionId);
  const refused = mine.filter((e) => e.state === "needs-attention");
  const othersWaiting = q.entries.filter((e) => !isOwnedBy(e, q.owner)).length;
  const discarded = q.discarded.filter((d) => isOwnedBy(d.entry, q.owner) && d.entry.sessionId === sessionId);

  return (
    <div className="space-y-2 no-print" data-testid="offline-panel" data-offline-ready={q.offlineReady ? "true" : "false"} data-from-cache={q.pageFromCache ? "true" : "false"}>
      {q.pageFromCache && (
        <p className="rounded-md border-2 border-soft bg-soft-50 px-4 py-2 text-sm font-semibold" data-testid="offline-copy">
          No network: this is the copy of the chart saved on this device. Entries made on other devices since then are not shown.
        </p>
      )}
      <div role="status" aria-live="polite" data-testid="sync-status" className={mine.length ? "rounded-md border-2 border-soft bg-soft-50 px-4 py-2 font-semibold" : "sr-only"}>
        {mine.length > 0 ? `${waitingText(mine.length)}. They are sent in order by themselves when the network returns.` : ""}
        {q.signedOut && mine.length > 0 && (
          <span className="block text-sm" data-testid="sync-signed-out">
            Your sign-in has ended: <a className="underline" href={`/login?callbackUrl=${encodeURIComponent(`/sessions/${sessionId}`)}`} target="_blank" rel="noreferrer">sign in again</a> (in a new tab) to send them. They are kept on this device.
          </span>
        )}
      </div>
      {othersWaiting > 0 && (
        <p className="rounded-md bg-slate-100 px-4 py-2 text-sm" data-testid="sync-other-user">
          {othersWaiting} {othersWaiting === 1 ? "entry" : "entries"} of another user {othersWaiting === 1 ? "is" : "are"} waiting on this device. They are sent when that user signs in here.
        </p>
      )}
      {refused.length > 0 && (
        <section aria-labelledby="needs-attention-h" className="card border-2 border-hard" data-testid="needs-attention">
          <h2 id="needs-attention-h" className="text-base font-semibold text-hard">Needs attention: the server refused {refused.length === 1 ? "an entry" : `${refused.length} entries`} charted offline</h2>
          <p className="text-sm">Nothing is lost: each stays here until you decide. Entries of this session charted after it wait behind it. To chart it differently, edit it in its form: its values and its time are loaded there, and saving replaces it.</p>
          <ul className="mt-2 space-y-3">
            {refused.map((e) => (
              <li key={e.key} className="rounded-md bg-hard-50 p-3 text-sm" data-testid="refused-entry">
                <p className="font-semibold">{KIND_LABEL[e.kind]} at {formatHm(Date.parse(e.body.at), timeZone)} <span className="font-normal">(saved on this device {formatDateHm(e.queuedAtMs, timeZone)})</span></p>
                <p>{valuesText(e)}</p>
                <p className="mt-1 font-semibold text-hard" data-testid="refusal-message">Server: {e.refusal?.message}</p>
                {e.refusal && Object.keys(e.refusal.fields).length > 0 && (
                  <ul className="list-disc pl-5">{Object.entries(e.refusal.fields).map(([f, m]) => <li key={f}>{f}: {m}</li>)}</ul>
                )}
                <RefusedEntryChoices entry={e} timeZone={timeZone} />
              </li>
            ))}
          </ul>
        </section>
      )}
      {discarded.length > 0 && (
        <details className="text-sm" data-testid="discarded-entries">
          <summary>{takenOutText(discarded)}</summary>
          <ul className="list-disc pl-5">
            {discarded.map((d) => (
              <li key={`${d.entry.key}`} data-testid={d.replacedBy ? "replaced-entry" : "discarded-entry"}>
                {KIND_LABEL[d.entry.kind]} at {formatHm(Date.parse(d.entry.body.at), timeZone)} ({valuesText(d.entry)}): {takenOutFate(d, timeZone)}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

/**
 * The nurse's choices for one refused entry: edit it in its form (its values and time loaded
 * there; saving replaces it), send it again as it is, or discard it after confirming. While it
 * is being edited in the form, only the way back to that form is offered: sending or discarding
 * it meanwhile would leave the form charting an entry that is gone.
 */
function RefusedEntryChoices({ entry: e, timeZone }: { entry: QueuedEntry; timeZone: string }) {
  const { recharting, startRecharting, formKinds } = useSession();
  const [isConfirming, setConfirming] = useState(false);
  const canEdit = canChartAgainInForm(e) && formKinds.has(e.kind);
  if (recharting?.key === e.key) {
    return (
      <p className="mt-2 flex flex-wrap items-center gap-2 font-semibold" data-testid="recharting-note">
        Being charted again in the {KIND_LABEL[e.kind].toLowerCase()} form: save it there, or cancel there to keep this entry as it is.
        <button type="button" className="btn-secondary" onClick={() => document.getElementById(RECHARTING_BANNER_ID)?.focus()}>Go to the form</button>
      </p>
    );
  }
  return (
    <>
      <div className="mt-2 flex flex-wrap gap-2">
        {canEdit && (
          <button
            type="button" className="btn-primary"
            aria-label={`Edit in the form: ${KIND_LABEL[e.kind]} at ${formatHm(Date.parse(e.body.at), timeZone)}, ${valuesText(e)}`}
            onClick={() => { setConfirming(false); startRecharting(e); }}
          >
            Edit in the form
          </button>
        )}
        <button type="button" className="btn-secondary" onClick={() => void retryEntry(e.key)}>Send again as it is</button>
        {isConfirming ? (
          <>
            <span className="self-center font-semibold">Discard this entry? It will not be charted.</span>
            <button type="button" className="btn-danger" onClick={() => { setConfirming(false); void discardEntry(e.key); }}>Yes, discard it</button>
            <button type="button" className="btn-secondary" onClick={() => setConfirming(false)}>Keep it</button>
          </>
        ) : (
          <button type="button" className="btn-secondary" onClick={() => setConfirming(true)}>Discard…</button>
        )}
      </div>
      {!canChartAgainInForm(e) && <p className="mt-1">A correction: to chart it differently, correct the entry again from the chart log, then discard this one.</p>}
      {canChartAgainInForm(e) && !formKinds.has(e.kind) && <p className="mt-1">Its form is closed for this session (its status or your role), so it cannot be charted again here.</p>}
    </>
  );
}
