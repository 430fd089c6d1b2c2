/**
 * Code loaded after the page (the session chart's drawings, docs/decisions/0022-lazy-chart-code.md)
 * must still be on the device when the Wi-Fi drops: the service worker keeps the files the page
 * loaded (app/_components/offline-sync.tsx), so it waits for every lazy import registered here
 * before it lists them. Without that wait the first offline reload could open a chart whose
 * drawing code was never fetched.
 */
const pending = new Set<Promise<unknown>>();

/** Registers a dynamic import so the offline shell waits for it; returns the same promise. */
export function lazyChunk<T>(load: Promise<T>): Promise<T> {
  pending.add(load);
  return load;
}

/** Settles once every lazy import registered so far has loaded or failed. */
export async function lazyChunksSettled(): Promise<void> {
  await Promise.allSettled([...pending]);
}
