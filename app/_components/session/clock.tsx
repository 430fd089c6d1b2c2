"use client";
import { createContext, useContext, useEffect, useState } from "react";
import { useOfflineQueue } from "@/app/_components/data/offline-queue";

/**
 * A device clock more than this far from the server's is treated as wrong and corrected:
 * elapsed times and the vitals countdown must not mislead because a tablet's clock drifted.
 * Smaller differences are page-load latency, not skew.
 */
const SKEW_TOLERANCE_MS = 60_000;

interface ClockValue {
  /** server time minus device time, applied when beyond tolerance, else 0 */
  skewMs: number;
  /** the server's time at render: the first value of every clock, so server and browser render alike */
  initialMs: number;
}

const ClockContext = createContext<ClockValue>({ skewMs: 0, initialMs: 0 });

export function ClockProvider({ serverNowIso, children }: { serverNowIso: string; children: React.ReactNode }) {
  const initialMs = Date.parse(serverNowIso);
  const [skewMs, setSkewMs] = useState(0);
  // The first render uses the server's time on both sides (identical markup); the device clock
  // is read only after hydration, in a callback, so the skew never changes the server's HTML.
  // A page opened from the service worker's copy carries the server's time of that copy, not
  // of now: measuring skew against it would set the clock back by the copy's age. The device
  // clock is then the only clock (docs/decisions/0017-offline-charting.md).
  const { pageFromCache } = useOfflineQueue();
  useEffect(() => {
    const timer = window.setTimeout(() => {
      const diff = initialMs - Date.now();
      setSkewMs(!pageFromCache && Math.abs(diff) > SKEW_TOLERANCE_MS ? diff : 0);
    }, 0);
    return () => window.clearTimeout(timer);
  }, [initialMs, pageFromCache]);
  return <ClockContext.Provider value={{ skewMs, initialMs }}>{children}</ClockContext.Provider>;
}

export function useClockSkew(): number {
  return useContext(ClockContext).skewMs;
}

/** The current time (server-corrected), re-rendering every `intervalMs`. */
export function useNow(intervalMs = 1000): number {
  const { skewMs, initialMs } = useContext(ClockContext);
  const [deviceNow, setDeviceNow] = useState<number | null>(null);
  useEffect(() => {
    const tick = () => setDeviceNow(Date.now());
    const first = window.setTimeout(tick, 0);
    const timer = window.setInterval(tick, intervalMs);
    return () => {
      window.clearTimeout(first);
      window.clearInterval(timer);
    };
  }, [intervalMs]);
  return deviceNow === null ? initialMs : deviceNow + skewMs;
}

/** The corrected current time, read once (for a submit handler). */
export function useNowReader(): () => number {
  const { skewMs } = useContext(ClockContext);
  return () => Date.now() + skewMs;
}
