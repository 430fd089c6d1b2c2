import "server-only";
import { ABSOLUTE_SESSION_HOURS } from "@/lib/session-policy";
import { sseFrame } from "@/lib/live-events";
import type { Actor } from "../actor-type";
import { auditAs } from "../audit";
import { db } from "../db";
import { readSessionClaims } from "../session-claims";
import { EventHub, EVENTS_CHANNEL, type HubMessage } from "./hub";

export { EventHub, EVENTS_CHANNEL, type HubMessage } from "./hub";

/** A comment line this often keeps proxies and the browser from timing the stream out. */
export const HEARTBEAT_MS = 20_000;
/** The browser's reconnection delay after a dropped stream (the SSE `retry:` field). */
export const RETRY_MS = 2_000;
/**
 * A stream whose reader fell this many bytes behind is closed: the browser reconnects and
 * refetches. Memory per stream stays bounded whatever a stalled tablet does.
 */
const MAX_QUEUED_BYTES = 64 * 1024;
/** How long a new stream waits for this instance's listener before it opens regardless. */
const READY_WAIT_MS = 2_000;

const globalForHub = globalThis as unknown as { titrateEventHub?: EventHub };

/** This process's hub, created on first use (the first stream), shared by every route bundle. */
export function getEventHub(env: NodeJS.ProcessEnv = process.env): EventHub {
  if (globalForHub.titrateEventHub) return globalForHub.titrateEventHub;
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) throw new Error("DATABASE_URL is not set");
  const embedded = env.TITRATE_EMBEDDED_DB === "1";
  return (globalForHub.titrateEventHub = new EventHub({
    databaseUrl,
    embedded,
    // On the embedded database the one session is shared: LISTEN once on it, through the
    // app's own pool, whose connection receives the notifications (lib/server/db.ts).
    listenEmbedded: async () => { await db.$executeRawUnsafe(`LISTEN ${EVENTS_CHANNEL}`); },
    activeUsersEmbedded: async (userIds) =>
      (await db.user.findMany({ where: { id: { in: userIds }, active: true }, select: { id: true } })).map((u) => u.id),
  }));
}

/**
 * When this sign-in ends if nothing else happens: the absolute lifetime from sign-in, or the
 * clinic's idle sign-out from the last activity the cookie carries (lib/server/actor.ts
 * applies the same two rules per request). The stream ends then; the browser reconnects with
 * its refreshed cookie, or gets 401 if the sign-in really ended.
 */
async function signInEndsAtMs(actor: Actor): Promise<number> {
  const claims = await readSessionClaims();
  const clinic = await db.clinic.findUniqueOrThrow({ where: { id: actor.clinicId }, select: { idleSignOutMin: true } });
  const absoluteEndS = (claims?.authTime ?? 0) + ABSOLUTE_SESSION_HOURS * 3600;
  const idleEndS = claims?.lastSeenAt !== undefined ? claims.lastSeenAt + clinic.idleSignOutMin * 60 : absoluteEndS;
  return Math.min(absoluteEndS, idleEndS) * 1000;
}

/**
 * The actor's live event stream (Server-Sent Events): the clinic's change events by kind and
 * ids, a `resync` when events may have been missed, a heartbeat comment, and the end of the
 * stream when the sign-in ends, the account is deactivated or the browser goes away.
 * Opening it is audited once; the events carry no patient data (docs/decisions/0014).
 */
export async function openEventStream({ actor, signal, lastEventId }: { actor: Actor; signal: AbortSignal; lastEventId: string | null }): Promise<Response> {
  const endsAtMs = await signInEndsAtMs(actor);
  await db.$transaction((tx) => auditAs(tx, actor)("events.stream.open", "User", actor.userId));
  const hub = getEventHub();
  // Normally connected since boot (instrumentation.ts). If the database is unreachable the
  // stream opens anyway: the listener's reconnection sends `resync` to every stream.
  await Promise.race([hub.ready(), new Promise((r) => setTimeout(r, READY_WAIT_MS))]);
  const encoder = new TextEncoder();
  let cleanup = () => {};

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      const write = (text: string) => {
        if (closed) return;
        if ((controller.desiredSize ?? 0) < -MAX_QUEUED_BYTES) { close(); return; }
        controller.enqueue(encoder.encode(text));
      };
      const close = () => {
        if (closed) return;
        closed = true;
        cleanup();
        try { controller.close(); } catch { /* already closed by the reader */ }
      };
      const unsubscribe = hub.subscribe({
        clinicId: actor.clinicId,
        userId: actor.userId,
        deliver: (m: HubMessage) => {
          if (m.type === "change") write(sseFrame({ event: "change", id: m.id, data: JSON.stringify(m.event) }));
          else if (m.type === "resync") write(sseFrame({ event: "resync", id: m.id, data: "{}" }));
          else { write(sseFrame({ event: "end", data: JSON.stringify({ reason: m.reason }) })); close(); }
        },
      });
      const heartbeat = setInterval(() => write(sseFrame({ comment: "heartbeat" })), HEARTBEAT_MS);
      const expiry = setTimeout(() => { write(sseFrame({ event: "end", data: JSON.stringify({ reason: "sign-in-ended" }) })); close(); },
        Math.max(0, Math.min(endsAtMs - Date.now(), 2 ** 31 - 1)));
      const onAbort = () => close();
      signal.addEventListener("abort", onAbort);
      cleanup = () => {
        unsubscribe();
        clearInterval(heartbeat);
        clearTimeout(expiry);
        signal.removeEventListener("abort", onAbort);
      };
      // The SSE padding comment and the retry hint first. A reconnection (Last-Event-ID)
      // cannot be replayed (ids are per instance, events are not stored): it gets `resync`,
      // and the browser refetches what it shows.
      write(sseFrame({ comment: "titrate live events", retryMs: RETRY_MS }));
      write(sseFrame({ event: "ready", data: JSON.stringify({ resume: lastEventId !== null }) }));
      if (lastEventId !== null) write(sseFrame({ event: "resync", id: `resume-${Date.now()}`, data: "{}" }));
      if (signal.aborted) close();
    },
    cancel() {
      cleanup();
    },
  });

  return new Response(body, {
    status: 200,
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      "X-Accel-Buffering": "no",
    },
  });
}
