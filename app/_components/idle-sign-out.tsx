"use client";
import { signOut } from "next-auth/react";
import { clearCachedCharts } from "./offline-sync";
import { useEffect, useRef, useState } from "react";
import { read } from "./data/use-read";

const PING_EVERY_MS = 60_000;

/**
 * Idle sign-out. User activity (keys, pointer, touch) refreshes the session at most once a
 * minute; after `idleMinutes` without activity the browser signs out, and the server refuses
 * the stale session on its own too (lib/server/actor.ts), so a closed laptop is covered.
 */
export function IdleSignOut({ idleMinutes }: { idleMinutes: number }) {
  // set when the effect starts (render must stay pure): the page load counts as activity
  const lastActivity = useRef(0);
  const lastPing = useRef(0);
  const [warning, setWarning] = useState(false);

  useEffect(() => {
    lastActivity.current = Date.now();
    lastPing.current = Date.now();
    const onActivity = () => {
      lastActivity.current = Date.now();
      setWarning(false);
      if (Date.now() - lastPing.current > PING_EVERY_MS) {
        lastPing.current = Date.now();
        // refreshes the session cookie; a failed ping changes nothing (the next activity retries)
        void read("/api/auth/session");
      }
    };
    const events = ["keydown", "pointerdown", "touchstart", "wheel"] as const;
    events.forEach((e) => window.addEventListener(e, onActivity, { passive: true }));
    const timer = window.setInterval(() => {
      const idleMs = Date.now() - lastActivity.current;
      // the cached charts go with the sign-in; the offline queue stays (decision 0017)
      if (idleMs >= idleMinutes * 60_000) void clearCachedCharts().catch(() => undefined).finally(() => void signOut({ callbackUrl: "/login?reason=idle" }));
      else setWarning(idleMs >= (idleMinutes - 1) * 60_000);
    }, 5_000);
    return () => {
      events.forEach((e) => window.removeEventListener(e, onActivity));
      window.clearInterval(timer);
    };
  }, [idleMinutes]);

  if (!warning) return null;
  return (
    <div role="alert" className="fixed bottom-4 right-4 z-50 rounded-md bg-soft-50 p-3 text-sm shadow-lg ring-1 ring-soft">
      You will be signed out in under a minute for inactivity. Touch or press any key to stay.
    </div>
  );
}
