"use client";
import { useId } from "react";
import { useNow } from "./clock";
import { formatHm, fromLocalInputValue, toLocalInputValue } from "./clinic-time";
import { FieldError, TextField } from "@/app/_components/forms/fields";
import { BACK_TIME_GRACE_MS, isBackTimed } from "@/lib/domain/charting";

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
  const [datePart = "", timePart = ""] = shown.split("T");
  return (
    <div className="space-y-2">
      <fieldset aria-describedby={`${id}-hint ${id}-err`}>
        <legend className="field-label">When</legend>
        <div className="flex flex-wrap items-end gap-2">
          <div>
            <label htmlFor={`${id}-date`} className="text-xs text-slate-600">Date</label>
            <input
              id={`${id}-date`}
              type="date"
              value={datePart}
              onChange={(e) => onChange(`${e.target.value}T${timePart}`)}
              aria-invalid={error ? true : undefined}
              className="field-input"
            />
          </div>
          <div>
            {/* A text field, not type="time": the browser would show a 12-hour clock on many
                tablets, and an AM/PM slip charts a dose twelve hours off. */}
            <label htmlFor={`${id}-time`} className="text-xs text-slate-600">Time (24 h)</label>
            <input
              id={`${id}-time`}
              type="text"
              inputMode="numeric"
              autoComplete="off"
              placeholder="HH:MM"
              maxLength={5}
              value={timePart}
              onChange={(e) => onChange(`${datePart}T${normalizeTyped(e.target.value)}`)}
              aria-invalid={error ? true : undefined}
              className="field-input w-24 font-mono"
            />
          </div>
          <button type="button" className="btn-secondary shrink-0" onClick={() => onChange(null)} disabled={value === null}>
            Now
          </button>
        </div>
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
          {value === null ? "Now: stamped when saved." : "Fixed time"} · clinic time ({timeZone}), 24-hour clock
        </p>
        <FieldError id={`${id}-err`} message={error} />
      </fieldset>
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

/** "0930" → "09:30" as the nurse types four digits; anything else is kept as typed. */
function normalizeTyped(text: string): string {
  const digits = /^(\d{2})(\d{2})$/.exec(text.trim());
  return digits ? `${digits[1]}:${digits[2]}` : text.trim();
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
  if (atMs === null) return { atMs: null, error: "enter a date and a 24-hour time (HH:MM, 00:00-23:59)", isBackTimed: false };
  if (atMs > nowMs + futureSkewMs) return { atMs, error: "must not be in the future", isBackTimed: false };
  // The form has minute precision: the minute the session opened is allowed, and sent as the opening instant.
  if (atMs < openedAtMs - 59_999) return { atMs, error: `must be at or after the session opened (${formatHm(openedAtMs, timeZone)})`, isBackTimed: false };
  return { atMs: Math.max(atMs, openedAtMs), isBackTimed: isBackTimed(nowMs, atMs) };
}
