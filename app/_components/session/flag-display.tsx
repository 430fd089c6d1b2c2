"use client";
// How a flag reads on screen: the severity badge, the label, and the live flags of an entry.
import type { FlagDraft, FlagSeverity } from "@/lib/domain/flags";
import { FLAG_LABELS, type FlagCode } from "@/lib/domain/flags";

/**
 * The shape of a severity (■ hard, ▲ soft), beside its word: colour is never the only carrier
 * of a flag's meaning (WCAG 1.4.1, docs/decisions/0016-accessibility.md). Decorative: the
 * word beside it is what a screen reader reads.
 */
export function SeverityMark({ severity }: { severity: FlagSeverity | string }) {
  return <span aria-hidden="true" data-testid="severity-mark">{severity === "HARD" ? "■" : "▲"}</span>;
}

export function SeverityBadge({ severity }: { severity: FlagSeverity }) {
  return severity === "HARD"
    ? <span className="sev-hard" data-flag-severity="HARD"><SeverityMark severity="HARD" />Hard limit</span>
    : <span className="sev-soft" data-flag-severity="SOFT"><SeverityMark severity="SOFT" />Soft flag</span>;
}

export function flagLabel(code: string): string {
  return (FLAG_LABELS as Record<string, string>)[code as FlagCode] ?? code;
}

/**
 * The flags an entry would raise, computed in the browser with the server's rule engine
 * while the nurse types. Clinical flags, not validation errors: boxed, with the severity word.
 */
export function LiveFlags({ flags, title = "This entry will raise" }: { flags: FlagDraft[]; title?: string }) {
  return (
    <div aria-live="polite" data-testid="live-flags">
      {flags.length > 0 && (
        <div className="space-y-2">
          <p className="text-sm font-semibold">{title}:</p>
          <ul className="space-y-2">
            {flags.map((f, i) => (
              <li key={`${f.code}-${i}`} className={f.severity === "HARD" ? "flag-box-hard" : "flag-box-soft"}>
                <div className="flex flex-wrap items-center gap-2">
                  <SeverityBadge severity={f.severity} />
                  <span className="font-semibold">{flagLabel(f.code)}</span>
                </div>
                <p className="mt-1 tabular-nums">{f.valueText} <span className="text-xs">(limit {f.limitText})</span></p>
                <p className="mt-1">{f.message}</p>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
