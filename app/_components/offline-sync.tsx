"use client";
/**
 * Starts the offline machinery for the signed-in user (docs/decisions/0017-offline-charting.md):
 * names the queue's owner (only this user's entries are sent, under this sign-in), gives the
 * sync loop the one seam to send through, syncs on page load, when the browser says the network
 * is back, and on a timer (the queue's own backoff), and registers the service worker that lets
 * a session chart open without a network.
 */
import { useEffect } from "react";
import { retrySoon, setOfflineReady, setOwner, setPageFromCache, setSender, syncNow } from "@/app/_components/data/offline-queue";
import { sendDirect } from "@/app/_components/data/send";
import { lazyChunksSettled } from "@/lib/client/lazy-chunks";

const RETRY_EVERY_MS = 15_000;

/** Asks the service worker something and waits for its answer (null when there is none). */
function askWorker<T>(worker: ServiceWorker, message: object, timeoutMs = 10_000): Promise<T | null> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = window.setTimeout(() => resolve(null), timeoutMs);
    channel.port1.onmessage = (e: MessageEvent<T>) => { window.clearTimeout(timer); resolve(e.data); };
    worker.postMessage(message, [channel.port2]);
  });
}

export function OfflineSync({ userId, clinicId, name }: { userId: string; clinicId: string; name: string }) {
  useEffect(() => {
    setSender((req) => sendDirect(req));
    setOwner({ userId, clinicId, name });
    const onOnline = () => void syncNow({ now: true });
    window.addEventListener("online", onOnline);
    const timer = window.setInterval(retrySoon, RETRY_EVERY_MS);
    return () => {
      window.removeEventListener("online", onOnline);
      window.clearInterval(timer);
    };
  }, [userId, clinicId, name]);

  useEffect(() => {
    if (!("serviceWorker" in navigator)) return;
    let cancelled = false;
    void (async () => {
      const controller = navigator.serviceWorker.controller;
      if (controller) {
        const answer = await askWorker<{ fromCache: boolean }>(controller, { type: "served-from-cache", url: window.location.href }, 3_000);
        if (!cancelled && answer?.fromCache) setPageFromCache(true);
      }
      try {
        await navigator.serviceWorker.register("/sw.js", { scope: "/" });
        const ready = await navigator.serviceWorker.ready;
        if (!ready.active || cancelled) return;
        // this page and its files were loaded before the worker controlled it: let it keep them,
        // the code the page loads after itself included (the chart drawings): wait for it first.
        // Anything loaded later goes through the worker, which now controls the page.
        await lazyChunksSettled();
        const shellUrls = performance.getEntriesByType("resource").map((r) => r.name).filter((u) => new URL(u).pathname.startsWith("/_next/static/"));
        const done = await askWorker<{ ok: boolean }>(ready.active, { type: "cache-page", pageUrl: window.location.href, shellUrls });
        if (!cancelled && done?.ok) setOfflineReady(true);
      } catch {
        // no service worker (a private window, an old browser): the queue still works, a reload offline does not
      }
    })();
    return () => { cancelled = true; };
  }, []);
  return null;
}

/** Sign-out (docs/SECURITY.md): the cached charts are patient data at rest; the queue is not touched. */
export async function clearCachedCharts(): Promise<void> {
  if (typeof caches !== "undefined") await caches.delete("titrate-charts-v1");
  const controller = typeof navigator !== "undefined" && "serviceWorker" in navigator ? navigator.serviceWorker.controller : null;
  if (controller) await askWorker(controller, { type: "clear-charts" }, 2_000);
}
