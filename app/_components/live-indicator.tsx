"use client";
import { useLiveStatus } from "./data/live";

const TEXT = { live: "Live", reconnecting: "Reconnecting…", connecting: "Connecting…" } as const;

/**
 * Whether this screen updates itself right now. Text, not colour alone; announced politely
 * (a nurse should not be interrupted, but should be able to know the screen may be stale).
 */
export function LiveIndicator() {
  const status = useLiveStatus();
  return (
    <span
      role="status" aria-live="polite" data-testid="live-indicator" data-status={status}
      title={status === "live" ? "This screen updates itself when anyone charts." : "Not receiving updates: what you see may be out of date until it reconnects."}
      className={`inline-flex items-center gap-1 rounded-full border px-2 py-0.5 text-xs font-semibold ${status === "live" ? "border-ok text-ok" : "border-soft bg-soft-50 text-[#7c3a06]"}`}
    >
      <span aria-hidden="true">{status === "live" ? "●" : "○"}</span>
      {TEXT[status]}
    </span>
  );
}
