"use client";
import { signOut } from "next-auth/react";
import { useState } from "react";
import { useOfflineQueue } from "@/app/_components/data/offline-queue";
import { ownEntries, waitingText } from "@/lib/client/offline-queue";
import { clearCachedCharts } from "./offline-sync";

/**
 * Signs out, first deleting the copies of session charts the service worker keeps on this
 * device (docs/SECURITY.md). Entries still waiting to sync are NOT deleted: they stay on this
 * device and are sent when this user signs in here again; the button says so before signing out
 * (docs/decisions/0017-offline-charting.md).
 */
export function SignOutButton() {
  const q = useOfflineQueue();
  const waiting = ownEntries(q.entries, q.owner).length;
  const [asking, setAsking] = useState(false);
  const out = () => void clearCachedCharts().catch(() => undefined).finally(() => void signOut({ callbackUrl: "/login" }));
  if (asking && waiting > 0) {
    return (
      <span role="alertdialog" aria-labelledby="sign-out-warning" className="flex flex-wrap items-center gap-2 rounded-md border-2 border-soft bg-soft-50 px-3 py-1 text-sm">
        <span id="sign-out-warning" className="font-semibold">
          {waitingText(waiting)} on this device. They stay here and are sent when you sign in again on this device. Sign out anyway?
        </span>
        <button type="button" className="btn-danger" onClick={out}>Sign out</button>
        <button type="button" className="btn-secondary" onClick={() => setAsking(false)}>Stay signed in</button>
      </span>
    );
  }
  return (
    <button type="button" className="btn-secondary" onClick={() => (waiting > 0 ? setAsking(true) : out())}>
      Sign out
    </button>
  );
}
