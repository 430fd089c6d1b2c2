"use client";
import { useId } from "react";
import { useNow } from "./clock";
import { formatHm, fromLocalInputValue, toLocalInputValue } from "./clinic-time";
import { FieldError, TextField } from "./fields";
import { BACK_TIME_GRACE_MS } from "./rows";

/**
 * When an entry happened. `value` null means "now": the field follows the clock and the
 * entry is stamped at the moment it is saved. Typing a time fixes it; "Now" goes back.
 */
export function TimeField({
  value, onChange, timeZone, error, backTimeReason, onBackTimeReason, backTimeError, needsBackTimeReason, hideBackTime,
}: {
  value: string | null;
  onChange: (v: string | null) => void;
  timeZone: string;
  error?: string;
  backTimeReason: string;
  onBackTimeReason: (v: string) => void;
  backTimeError?: string;
  needsBackTimeReason: boolean;
  /** corrections and follow-ups explain their timing elsewhere */
  hideBackTime?: boolean;
}) {
  const id = useId();
  const nowMs = useNow(15_000);
  const shown = value ?? toLocalInputValue(nowMs, timeZone);
  return (
    <div className="space-y-2">
      <div>
        <label htmlFor={id} className="field-label">Time</label>
        <div className="flex items-center gap-2">
          <input
            id={id}
            type="datetime-local"
            step={60}
            value={shown}
            onChange={(e) => onChange(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={`${id}-hint ${id}-err`}
            className="field-input"
          />
          <button type="button" className="btn-secondary mt-1 shrink-0" onClick={() => onChange(null)} disabled={value === null}>
            Now
          </button>
        </div>
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
          {value === null ? "Now: stamped when saved." : "Fixed time"} · clinic time ({timeZone})
        </p>
        <FieldError id={`${id}-err`} message={error} />
      </div>
      {needsBackTimeReason && !hideBackTime && (
        <TextField
          label="Back-timing reason"
          value={backTimeReason}
          onChange={onBackTimeReason}
          error={backTimeError}
          required
          tone="soft"
          hint={`More than ${BACK_TIME_GRACE_MS / 60_000} minutes in the past: say why it is charted late.`}
        />
      )}
    </div>
  );
}

export interface ResolvedTime {
  atMs: number | null;
  error?: string;
  isBackTimed: boolean;
}

/** The instant a TimeField value names, checked like the server checks it. */
export function resolveTime(value: string | null, nowMs: number, timeZone: string, openedAtMs: number, futureSkewMs: number): ResolvedTime {
  if (value === null) return { atMs: nowMs, isBackTimed: false };
  const atMs = fromLocalInputValue(value, timeZone);
  if (atMs === null) return { atMs: null, error: "enter a date and time", isBackTimed: false };
  if (atMs > nowMs + futureSkewMs) return { atMs, error: "must not be in the future", isBackTimed: false };
  // The form has minute precision: the minute the session opened is allowed, and sent as the opening instant.
  if (atMs < openedAtMs - 59_999) return { atMs, error: `must be at or after the session opened (${formatHm(openedAtMs, timeZone)})`, isBackTimed: false };
  return { atMs: Math.max(atMs, openedAtMs), isBackTimed: nowMs - atMs > BACK_TIME_GRACE_MS };
}
