"use client";
/**
 * The shell every bedside entry form shares (dose event, vitals, pain, side effect): when
 * it happened (stamped "now" at the press, or a typed time with its late-charting reason),
 * the correction of an earlier entry (its reason, the original instant kept to the second),
 * an entry the server refused at sync charted again (its values, its instant and its offline
 * press kept: docs/decisions/0017-offline-charting.md), one submit per intent through the
 * client data layer, and the saved announcement. Each form keeps only its own fields and its
 * own live flags.
 *
 * The timing rules themselves live in lib/domain/charting (`isBackTimed`, `hasReason`);
 * this file only wires them to React state, so a form cannot drift from the server's
 * reading of the same entry (docs/decisions/0004-flags-and-charting.md).
 */
import { Fragment, useEffect, useId, useRef, useState, type ReactNode } from "react";
import type { ZodType } from "zod";
import { carriedPressMs, hasReason, isBackTimedAt, REASON_LENGTH_HINT } from "@/lib/domain/charting";
import type { QueuedEntry } from "@/lib/client/offline-queue";
import { FormAlert } from "@/app/_components/forms/fields";
import { isQueuedAnswer } from "@/app/_components/data/offline-queue";
import { useMutation } from "@/app/_components/data/use-mutation";
import { useNow, useNowReader } from "./clock";
import { formatHm, toLocalInputValue } from "./clinic-time";
import { CorrectionBanner, RechartingBanner } from "./correction-banner";
import { queuedFieldText } from "./queued-entry-text";
import { FUTURE_SKEW_MS, type Correction } from "./rows";
import { useSession } from "./session-context";
import { resolveTime, TimeField } from "./time-field";

type CorrectionKind = Correction["kind"];
type RowOf<K extends CorrectionKind> = Extract<Correction, { kind: K }>["row"];
type EntryInput = HTMLInputElement & HTMLTextAreaElement;

/** What the server answers for every charted entry: the flags it raised. */
export interface ChartedEntry {
  flags: { code: string; severity: string }[];
}

/**
 * Where a bedside form sits: the form is mounted fresh after each save (nothing of the last
 * entry lingers) and when a correction, or the charting again of a refused offline entry, of
 * its kind starts or ends.
 */
export function CorrectableEntry<K extends CorrectionKind>({
  kind, children,
}: {
  kind: K;
  children: (slot: { correcting: RowOf<K> | null; recharting: QueuedEntry | null; onDone: () => void; generation: number }) => ReactNode;
}) {
  const { correction, recharting: anyRecharting } = useSession();
  const correcting = correction?.kind === kind ? (correction.row as RowOf<K>) : null;
  const recharting = anyRecharting?.kind === kind ? anyRecharting : null;
  const [generation, setGeneration] = useState(0);
  const mountKey = `${correcting?.id ?? (recharting ? `queued:${recharting.key}` : "new")}-${generation}`;
  const frame = useRef<HTMLDivElement>(null);
  const firstMount = useRef(true);
  // The remount removes the button that had the focus, which would drop a keyboard user at
  // the top of the page after every save: the focus goes to the fresh form's first control
  // instead, unless the form placed it itself (docs/decisions/0016-accessibility.md).
  useEffect(() => {
    if (firstMount.current) { firstMount.current = false; return; }
    const root = frame.current;
    const active = document.activeElement;
    if (!root || (active && active !== document.body && document.contains(active))) return;
    root.querySelector<HTMLElement>(FIRST_CONTROL)?.focus();
  }, [mountKey]);
  return (
    <div ref={frame}>
      <Fragment key={mountKey}>{children({ correcting, recharting, onDone: () => setGeneration((g) => g + 1), generation })}</Fragment>
    </div>
  );
}

/** The first control of a form, in document order: a radio group is entered at its checked radio. */
const FIRST_CONTROL = "input[type=radio]:checked, input:not([type=radio]):not([type=hidden]):not(:disabled), select:not(:disabled), textarea:not(:disabled)";

export interface ChartEntryOptions {
  correcting: { id: string; at: string } | null;
  /** an entry the server refused at sync, loaded back to be charted again (decision 0017) */
  recharting?: QueuedEntry | null;
  onDone: () => void;
  /** how often the form's "now" moves (the dose form's live badge follows the clock closely) */
  nowIntervalMs?: number;
}

/** Per call: an entry charted late on purpose (a follow-up pain score days later) needs no late-charting reason. */
export interface TimingOptions {
  lateByDesign?: boolean;
}

export function useChartEntry({ correcting, recharting = null, onDone, nowIntervalMs = 15_000 }: ChartEntryOptions) {
  const { chart, timeZone, onSaved, onQueued, cancelCorrection, cancelRecharting, isRefreshing } = useSession();
  const formId = useId();
  const nowMs = useNow(nowIntervalMs);
  const readNow = useNowReader();
  const mutation = useMutation();
  const correctionRef = useRef<EntryInput>(null);

  // the instant of the entry re-entered here: the row corrected, or the refused entry charted again
  const reenteredAt = correcting?.at ?? recharting?.body.at ?? null;
  const initialAt = reenteredAt !== null ? toLocalInputValue(Date.parse(reenteredAt), timeZone) : null;
  const [atText, setAtText] = useState<string | null>(initialAt);
  const [backTimeReason, setBackTimeReason] = useState(queuedFieldText(recharting, "backTimeReason"));
  const [correctionReason, setCorrectionReason] = useState("");
  const [submitted, setSubmitted] = useState(false);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  // The refusal's field messages mark the refused entry's fields until the nurse changes
  // anything or sends it: they were said of the values as refused.
  const [isEdited, setEdited] = useState(false);
  const [hasSent, setSent] = useState(false);
  const refusalFields = recharting?.refusal?.fields ?? {};
  const serverErrors = { ...(isEdited || hasSent ? {} : refusalFields), ...mutation.fieldErrors };

  // a re-entered entry keeps its original instant (seconds included) unless the nurse changes the time
  const pinnedMs = reenteredAt !== null && atText === initialAt ? Date.parse(reenteredAt) : null;
  // A refused offline entry's press travels with the time given at it: lateness is judged at
  // that press, here as on the server (lib/domain/charting-entry carriedPressMs, isBackTimedAt).
  const pressFor = (stampMs: number): number | null => recharting
    ? carriedPressMs({ atMs: stampMs, refusedAtMs: Date.parse(recharting.body.at), refusedPressMs: Date.parse(recharting.body.queuedAt) })
    : null;
  const time = pinnedMs !== null
    ? { atMs: pinnedMs, isBackTimed: isBackTimedAt(nowMs, pinnedMs, pressFor(pinnedMs)), error: undefined }
    : resolveTime(atText, nowMs, timeZone, Date.parse(chart.openedAt), FUTURE_SKEW_MS);
  const atMs = time.atMs ?? nowMs;
  // the server asked for a late-charting reason: asked again, while the time it was asked of is kept
  const isReasonAsked = !!serverErrors.backTimeReason || (pinnedMs !== null && pressFor(pinnedMs) !== null && !!refusalFields.backTimeReason);

  const needsBackTimeReason = (opts: TimingOptions = {}) => !opts.lateByDesign && (time.isBackTimed || isReasonAsked);

  /** The timing and correction part of the body, for an entry stamped at `stampMs`. */
  function timingFields(stampMs: number, opts: TimingOptions = {}) {
    const queuedAtMs = pressFor(stampMs);
    const backTimed = !opts.lateByDesign && (isBackTimedAt(nowMs, stampMs, queuedAtMs) || isReasonAsked);
    return {
      at: new Date(stampMs).toISOString(),
      // a correction's reason explains its timing as well (decision 0012)
      ...(backTimed ? { backTimeReason: correcting ? `Correction: ${correctionReason.trim()}`.slice(0, 1000) : backTimeReason.trim() } : {}),
      ...(correcting ? { correctsId: correcting.id, correctionReason: correctionReason.trim() } : {}),
      // the original offline press: the server judges lateness at it too (decision 0017)
      ...(queuedAtMs !== null ? { queuedAt: new Date(queuedAtMs).toISOString() } : {}),
    };
  }

  /** The errors of the timing and correction part, before anything is sent. */
  function timingErrors(opts: TimingOptions = {}): Record<string, string> {
    const errors: Record<string, string> = {};
    if (time.error) errors.at = time.error;
    if (time.isBackTimed && !opts.lateByDesign && !correcting && !hasReason(backTimeReason)) errors.backTimeReason = `give a reason for charting this late (${REASON_LENGTH_HINT})`;
    if (correcting && !hasReason(correctionReason)) errors.correctionReason = `give a reason for the correction (${REASON_LENGTH_HINT})`;
    return errors;
  }

  /** A field's message: the server's, else ours once the field was left or save was pressed. */
  const shown = (errors: Record<string, string>, field: string, force = false) =>
    serverErrors[field] ?? (submitted || touched[field] || force ? errors[field] : undefined);
  const touch = (field: string) => setTouched((t) => (t[field] ? t : { ...t, [field]: true }));

  /**
   * Saves the entry. An entry with no typed time is stamped at the press, but pressing again
   * after a lost connection is the same intent ("now"), so it resends the first body, its
   * time included, under the same Idempotency-Key. Without a network the entry waits in the
   * offline queue with that key and the press time (docs/decisions/0017-offline-charting.md).
   */
  async function save<T extends ChartedEntry>(
    e: React.FormEvent,
    { url, schema, errors, body, announce, onInvalid }: {
      url: string;
      schema: ZodType;
      errors: Record<string, string>;
      body: (stampMs: number) => Record<string, unknown>;
      announce: (data: T) => string;
      onInvalid?: () => void;
    },
  ): Promise<void> {
    e.preventDefault();
    setSubmitted(true);
    if (Object.keys(errors).length > 0) {
      onInvalid?.();
      return;
    }
    const stampedNow = atText === null && !correcting;
    const pressedAtMs = readNow();
    const sent = body(stampedNow ? pressedAtMs : atMs);
    setSent(true);
    // charting a refused entry again replaces it in the queue once stored or queued (send.ts)
    const queue = { pressedAtMs, ...(recharting ? { replacesKey: recharting.key } : {}) };
    const result = await mutation.submit<T>(url, sent, { schema, intent: stampedNow ? { ...sent, at: "now" } : sent, queue });
    if (!result?.ok) return;
    const replaced = recharting ? " It replaces the entry the server refused." : "";
    if (isQueuedAnswer(result.data)) {
      onQueued(`Saved on this device at ${formatHm(pressedAtMs, timeZone)}, waiting to sync: no network. It is sent by itself when the network returns.${replaced}`);
    } else {
      onSaved(`${announce(result.data)}${replaced}`, result.data.flags);
    }
    if (correcting) cancelCorrection();
    if (recharting) cancelRecharting();
    onDone();
  }

  return {
    chart, timeZone, formId, nowMs, correcting, correctionRef, cancelCorrection, recharting, cancelRecharting, markEdited: () => setEdited(true),
    time, atMs, atText, setAtText, timeValue: pinnedMs !== null ? initialAt : atText,
    backTimeReason, setBackTimeReason, correctionReason, setCorrectionReason,
    needsBackTimeReason, timingFields, timingErrors, shown, touch, touched, submitted, save,
    serverErrors, pending: mutation.pending, isRefreshing, formError: mutation.formError, submitError: mutation.error,
  };
}

export type ChartEntry = ReturnType<typeof useChartEntry>;

/**
 * The frame of a bedside form: heading, the correction banner, the form's own fields, when,
 * what follows the time (live flags, reasons), the error and the save button.
 */
export function ChartEntryFrame({
  entry, title, correctionTitle, correcting, errors, onSubmit, children, afterTime, submitLabel, danger, submitNote, lateByDesign,
}: {
  entry: ChartEntry;
  title: string;
  correctionTitle: string;
  /** what is being corrected, as the banner names it ("vitals at 10:15") */
  correcting: { what: string; by: string | null } | null;
  errors: Record<string, string>;
  onSubmit: (e: React.FormEvent) => void;
  children: ReactNode;
  afterTime?: ReactNode;
  submitLabel: string;
  danger?: boolean;
  submitNote?: ReactNode;
  lateByDesign?: boolean;
}) {
  const { formId, timeZone } = entry;
  return (
    <form onSubmit={onSubmit} onChange={entry.recharting ? entry.markEdited : undefined} noValidate aria-labelledby={`${formId}-h`} className="card space-y-4">
      <h2 id={`${formId}-h`} className="text-lg font-semibold">{correcting ? correctionTitle : entry.recharting ? `${title}: charting a refused entry again` : title}</h2>
      {entry.recharting && <RechartingBanner entry={entry.recharting} timeZone={timeZone} onCancel={entry.cancelRecharting} />}
      {correcting && (
        <CorrectionBanner
          what={correcting.what} by={correcting.by}
          reason={entry.correctionReason} onReason={entry.setCorrectionReason} error={entry.shown(errors, "correctionReason")}
          onCancel={entry.cancelCorrection} inputRef={entry.correctionRef}
        />
      )}
      {children}
      <TimeField
        value={entry.timeValue} onChange={entry.setAtText} timeZone={timeZone} error={entry.shown(errors, "at")}
        backTimeReason={entry.backTimeReason} onBackTimeReason={entry.setBackTimeReason} backTimeError={entry.shown(errors, "backTimeReason")}
        needsBackTimeReason={entry.needsBackTimeReason({ lateByDesign })} hideBackTime={!!correcting}
      />
      {afterTime}
      <FormAlert message={entry.formError} error={entry.submitError} />
      <div className="flex flex-wrap gap-2">
        {/* waits for the reloaded chart after a save: the live flags must be computed on the rows the server has */}
        <button type="submit" className={`${danger ? "btn-danger" : "btn-primary"} min-h-12 px-6 text-base`} disabled={entry.pending || entry.isRefreshing}>
          {entry.pending ? "Saving…" : submitLabel}
        </button>
        {submitNote}
      </div>
    </form>
  );
}

/** "vitals at 10:15" for the correction banner */
export function correctionWhat(label: string, row: { at: string; enteredBy: string | null }, timeZone: string) {
  return { what: `${label} at ${formatHm(Date.parse(row.at), timeZone)}`, by: row.enteredBy };
}
