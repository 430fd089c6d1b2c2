"use client";
import { createContext, useContext } from "react";
import type { QueuedEntry } from "@/lib/client/offline-queue";
import type { Chart, Correction } from "./rows";

export interface SessionCtx {
  chart: Chart;
  timeZone: string;
  role: "NURSE" | "PHYSICIAN" | "ADMIN";
  /** after every successful write: announce, then reload the chart from the server */
  onSaved: (message: string, flags?: { code: string; severity: string }[]) => void;
  /** after a write went to the offline queue: announce it (the chart merges the queue itself) */
  onQueued: (message: string) => void;
  /** re-reads the chart from the server without a message (the clock may have raised a flag) */
  refreshChart: () => void;
  /** true from a save until the reloaded chart arrives: forms wait, so the live rules never run on stale rows */
  isRefreshing: boolean;
  /** the charted row being corrected in its form; starting one ends a recharting */
  correction: Correction | null;
  startCorrection: (c: Correction) => void;
  cancelCorrection: () => void;
  /**
   * the entry the server refused at sync, loaded back into its form to be charted again
   * (docs/decisions/0017-offline-charting.md); starting one ends a correction
   */
  recharting: QueuedEntry | null;
  startRecharting: (e: QueuedEntry) => void;
  cancelRecharting: () => void;
  /** the kinds whose bedside form is on the screen (the role and the session's status allow them) */
  formKinds: ReadonlySet<QueuedEntry["kind"]>;
}

export const SessionContext = createContext<SessionCtx | null>(null);

export function useSession(): SessionCtx {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error("useSession outside SessionContext");
  return ctx;
}
