/*
 * Titrate's service worker: the bedside chart opens without a network
 * (docs/decisions/0017-offline-charting.md). Hand-written on purpose: it does three things.
 *
 * 1. The app shell: Next's content-hashed /_next/static/ files, cache first (they never change
 *    under one name).
 * 2. The session chart pages (/sessions/<id>): network first; the last copy is kept, and served
 *    only when the network fails, so a reload while the Wi-Fi is down still opens the chart with
 *    its queue (the queue itself lives in IndexedDB, not here).
 * 3. Nothing else: API calls (reads and writes) are never cached or answered here; other pages
 *    go to the network. Sign-out deletes the chart cache (patient data at rest); the unsynced
 *    queue is not in it.
 */
const SHELL = "titrate-shell-v1";
const CHARTS = "titrate-charts-v1";
const CHART_PAGE = /^\/sessions\/[A-Za-z0-9_-]+\/?$/;
/** page URLs answered from the cache recently, so the page can say it is an offline copy */
const servedFromCache = new Map();

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const keep = new Set([SHELL, CHARTS]);
    for (const name of await caches.keys()) if (!keep.has(name)) await caches.delete(name);
    await self.clients.claim();
  })());
});

const isShell = (url) => url.origin === self.location.origin && url.pathname.startsWith("/_next/static/");
const isChartPage = (url) => url.origin === self.location.origin && CHART_PAGE.test(url.pathname) && url.search === "";

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return; // writes are never cached or answered here
  const url = new URL(req.url);
  if (url.pathname.startsWith("/api/")) return;
  if (isShell(url)) {
    event.respondWith((async () => {
      const hit = await caches.match(req, { cacheName: SHELL });
      if (hit) return hit;
      const res = await fetch(req);
      if (res.ok) (await caches.open(SHELL)).put(req, res.clone());
      return res;
    })());
    return;
  }
  if (req.mode === "navigate" && isChartPage(url)) {
    event.respondWith((async () => {
      try {
        const res = await fetch(req);
        // a signed-out visit is redirected to /login: never keep that as the chart
        if (res.ok && !res.redirected && res.type === "basic") (await caches.open(CHARTS)).put(url.href, res.clone());
        return res;
      } catch (err) {
        const copy = await caches.match(url.href, { cacheName: CHARTS });
        if (!copy) throw err;
        servedFromCache.set(url.href, Date.now());
        return copy;
      }
    })());
  }
});

self.addEventListener("message", (event) => {
  const msg = event.data || {};
  const port = event.ports && event.ports[0];
  const reply = (value) => port && port.postMessage(value);
  if (msg.type === "cache-page") {
    // the page that registered us was loaded before we controlled it: keep its shell files
    // and (for a chart) the page itself, so the first reload offline already works
    event.waitUntil((async () => {
      const shell = await caches.open(SHELL);
      const urls = (msg.shellUrls || []).filter((u) => isShell(new URL(u, self.location.origin)));
      await Promise.all(urls.map(async (u) => { if (!(await shell.match(u))) { try { await shell.add(u); } catch { /* next visit */ } } }));
      const page = new URL(msg.pageUrl, self.location.origin);
      if (isChartPage(page)) {
        try {
          const res = await fetch(page.href, { credentials: "same-origin", redirect: "manual" });
          if (res.ok && res.type === "basic") await (await caches.open(CHARTS)).put(page.href, res);
        } catch { /* offline already: nothing to refresh */ }
      }
      reply({ ok: true });
    })());
    return;
  }
  if (msg.type === "served-from-cache") {
    const at = servedFromCache.get(msg.url);
    reply({ fromCache: at !== undefined && Date.now() - at < 60_000 });
    return;
  }
  if (msg.type === "clear-charts") {
    event.waitUntil(caches.delete(CHARTS).then(() => reply({ ok: true })));
  }
});
