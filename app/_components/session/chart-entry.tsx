"use client";
/**
 * The shell every bedside entry form shares (dose event, vitals, pain, side effect): when
 * it happened (stamped "now" at the press, or a typed time with its late-charting reason),
 * the correction of an earlier entry (its reason, the original instant kept to the second),
 * one submit per intent through the client data layer, and the saved announcement. Each
 * form keeps only its own fields and its own live flags.
 *
 * The timing rules themselves live in lib/domain/charting (`isBackTimed`, `hasReason`);
 * this file only wires them to React state, so a form cannot drift from the server's
 * reading of the same entry (docs/decisions/0004-flags-and-charting.md).
 */
import { Fragment, useEffect, useId, useRef, useState, type ReactNode } from "react";
import type { ZodType } from "zod";
import { hasReason, isBackTimed, REASON_LENGTH_HINT } from "@/lib/domain/charting";
import { FormAlert } from "@/app/_components/forms/fields";
import { isQueuedAnswer } from "@/app/_components/data/offline-queue";
import { useMutation } from "@/app/_components/data/use-mutation";
import { useNow, useNowReader } from "./clock";
import { formatHm, toLocalInputValue } from "./clinic-time";
import { CorrectionBanner } from "./correction-banner";
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
 * entry lingers) and when a correction of its kind starts or ends.
 */
export function CorrectableEntry<K extends CorrectionKind>({
  kind, children,
}: {
  kind: K;
  children: (slot: { correcting: RowOf<K> | null; onDone: () => void; generation: number }) => ReactNode;
}) {
  const { correction } = useSession();
  const correcting = correction?.kind === kind ? (correction.row as RowOf<K>) : null;
  const [generation, setGeneration] = useState(0);
  const mountKey = `${correcting?.id ?? "new"}-${generation}`;
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
      <Fragment key={mountKey}>{children({ correcting, onDone: () => setGeneration((g) => g + 1), generation })}</Fragment>
    </div>
  );
}

/** The first control of a form, in document order: a radio group is entered at its checked radio. */
const FIRST_CONTROL = "input[type=radio]:checked, input:not([type=radio]):not([type=hidden]):not(:disabled), select:not(:disabled), textarea:not(:disabled)";

export interface ChartEntryOptions {
  correcting: { id: string; at: string } | null;
  onDone: () => void;
  /** how often the form's "now" moves (the dose form's live badge follows the clock closely) */
  nowIntervalMs?: number;
}

/** Per call: an entry charted late on purpose (a follow-up pain score days later) needs no late-charting reason. */
export interface TimingOptions {
  lateByDesign?: boolean;
}

export function useChartEntry({ correcting, onDone, nowIntervalMs = 15_000 }: ChartEntryOptions) {
  const { chart, timeZone, onSaved, onQueued, cancelCorrection, isRefreshing } = useSession();
  const formId = useId();
  const nowMs = useNow(nowIntervalMs);
  const readNow = useNowReader();
  const mutation = useMutation();
  const correctionRef = useRef<EntryInput>(null);

  const initialAt = correcting ? toLocalInputValue(Date.parse(correcting.at), timeZone) : null;
  const [atText, setAtText] = useState<string | null>(initialAt);
  const [backTimeReason, setBackTimeReason] = useState("");
  const [correctionReason, setCorrectionReason] = useState("");
  const [submitted, setSubmitted] = useState(false);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const serverErrors = mutation.fieldErrors;

  // a correction keeps the original instant (seconds included) unless the nurse changes the time
  const pinnedMs = correcting && atText === initialAt ? Date.parse(correcting.at) : null;
  const time = pinnedMs !== null
    ? { atMs: pinnedMs, isBackTimed: isBackTimed(nowMs, pinnedMs), error: undefined }
    : resolveTime(atText, nowMs, timeZone, Date.parse(chart.openedAt), FUTURE_SKEW_MS);
  const atMs = time.atMs ?? nowMs;

  const needsBackTimeReason = (opts: TimingOptions = {}) => !opts.lateByDesign && (time.isBackTimed || !!serverErrors.backTimeReason);

  /** The timing and correction part of the body, for an entry stamped at `stampMs`. */
  function timingFields(stampMs: number, opts: TimingOptions = {}) {
    const backTimed = !opts.lateByDesign && (isBackTimed(nowMs, stampMs) || !!serverErrors.backTimeReason);
    return {
      at: new Date(stampMs).toISOString(),
      // a correction's reason explains its timing as well (decision 0012)
      ...(backTimed ? { backTimeReason: correcting ? `Correction: ${correctionReason.trim()}`.slice(0, 1000) : backTimeReason.trim() } : {}),
      ...(correcting ? { correctsId: correcting.id, correctionReason: correctionReason.trim() } : {}),
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
    const result = await mutation.submit<T>(url, sent, { schema, intent: stampedNow ? { ...sent, at: "now" } : sent, queue: { pressedAtMs } });
    if (!result?.ok) return;
    if (isQueuedAnswer(result.data)) {
      onQueued(`Saved on this device at ${formatHm(pressedAtMs, timeZone)}, waiting to sync: no network. It is sent by itself when the network returns.`);
    } else {
      onSaved(announce(result.data), result.data.flags);
    }
    if (correcting) cancelCorrection();
    onDone();
  }

  return {
    chart, timeZone, formId, nowMs, correcting, correctionRef, cancelCorrection,
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
    <form onSubmit={onSubmit} noValidate aria-labelledby={`${formId}-h`} className="card space-y-4">
      <h2 id={`${formId}-h`} className="text-lg font-semibold">{correcting ? correctionTitle : title}</h2>
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
