"use client";
import { useState } from "react";
import { discardEntry, retryEntry, useOfflineQueue } from "@/app/_components/data/offline-queue";
import { isOwnedBy, ownEntries, waitingText, type QueuedEntry } from "@/lib/client/offline-queue";
import { formatDateHm, formatHm } from "./clinic-time";

const KIND_LABEL: Record<QueuedEntry["kind"], string> = { "dose-events": "Dose event", vitals: "Vitals", pain: "Pain score", "side-effects": "Side effect" };

/** The values of a queued entry in words, for the nurse deciding what to do with it. */
function valuesText(e: QueuedEntry): string {
  const b = e.body;
  const v = (k: string) => (b[k] === undefined || b[k] === null ? null : String(b[k]));
  switch (e.kind) {
    case "dose-events":
      return [v("type"), v("rateMgPerKgPerH") && `${v("rateMgPerKgPerH")} mg/kg/h`, v("bolusMg") && `bolus ${v("bolusMg")} mg`].filter(Boolean).join(" · ");
    case "vitals":
      return [`BP ${v("systolicMmHg")}/${v("diastolicMmHg")}`, `HR ${v("heartRatePerMin")}`, `SpO2 ${v("spo2Pct")}%`, `RR ${v("respRatePerMin")}`, v("temperatureC") && `${v("temperatureC")} °C`, v("sedationRass") && `RASS ${v("sedationRass")}`].filter(Boolean).join(" · ");
    case "pain":
      return `${v("score")} (${v("scale")}), ${v("phase")}`;
    case "side-effects":
      return `${v("kind")}, severity ${v("severity")}${v("note") ? ` — ${v("note")}` : ""}`;
  }
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
  const [confirming, setConfirming] = useState<string | null>(null);

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
          <p className="text-sm">Nothing is lost: each stays here until you decide. Entries of this session charted after it wait behind it. To chart it differently, chart it again in the form (with its time), then discard this one.</p>
          <ul className="mt-2 space-y-3">
            {refused.map((e) => (
              <li key={e.key} className="rounded-md bg-hard-50 p-3 text-sm" data-testid="refused-entry">
                <p className="font-semibold">{KIND_LABEL[e.kind]} at {formatHm(Date.parse(e.body.at), timeZone)} <span className="font-normal">(saved on this device {formatDateHm(e.queuedAtMs, timeZone)})</span></p>
                <p>{valuesText(e)}</p>
                <p className="mt-1 font-semibold text-hard" data-testid="refusal-message">Server: {e.refusal?.message}</p>
                {e.refusal && Object.keys(e.refusal.fields).length > 0 && (
                  <ul className="list-disc pl-5">{Object.entries(e.refusal.fields).map(([f, m]) => <li key={f}>{f}: {m}</li>)}</ul>
                )}
                <div className="mt-2 flex flex-wrap gap-2">
                  <button type="button" className="btn-secondary" onClick={() => void retryEntry(e.key)}>Send again as it is</button>
                  {confirming === e.key ? (
                    <>
                      <span className="self-center font-semibold">Discard this entry? It will not be charted.</span>
                      <button type="button" className="btn-danger" onClick={() => { setConfirming(null); void discardEntry(e.key); }}>Yes, discard it</button>
                      <button type="button" className="btn-secondary" onClick={() => setConfirming(null)}>Keep it</button>
                    </>
                  ) : (
                    <button type="button" className="btn-secondary" onClick={() => setConfirming(e.key)}>Discard…</button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}
      {discarded.length > 0 && (
        <details className="text-sm" data-testid="discarded-entries">
          <summary>{discarded.length} offline {discarded.length === 1 ? "entry" : "entries"} discarded on this device</summary>
          <ul className="list-disc pl-5">
            {discarded.map((d) => (
              <li key={`${d.entry.key}`}>
                {KIND_LABEL[d.entry.kind]} at {formatHm(Date.parse(d.entry.body.at), timeZone)} ({valuesText(d.entry)}): discarded by {d.discardedBy || "you"} at {formatDateHm(d.discardedAtMs, timeZone)}
                {d.entry.refusal ? `, after the server refused it: ${d.entry.refusal.message}` : ""}. Not charted.
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
