"use client";
import type { LiveEventKind } from "@/lib/live-events";
import { useLiveRefresh } from "./data/live";

/**
 * Drop into a server-rendered page: it re-renders from the server when an event of the
 * actor's clinic concerns it (this series, these kinds), within a second of the write.
 */
export function LiveRefresh({ seriesId, kinds }: { seriesId?: string; kinds?: readonly LiveEventKind[] }) {
  useLiveRefresh((e) => (seriesId === undefined || e.seriesId === seriesId) && (kinds === undefined || kinds.includes(e.kind)));
  return null;
}
