import "server-only";
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import pg from "pg";
import { parseClinicLiveEvent, toBrowserEvent, type ClinicLiveEvent, type LiveEvent } from "@/lib/live-events";

// One LISTEN connection per app instance, fanned out in memory to this instance's event
// streams, each filtered by its actor's clinic (docs/decisions/0014-live-events.md).

/** The channel the database triggers notify on (prisma/migrations/*_live_events). */
export const EVENTS_CHANNEL = "titrate_events";

/** What a stream is told. `resync`: events may have been missed, refetch everything shown. */
export type HubMessage =
  | { type: "change"; id: string; event: LiveEvent }
  | { type: "resync"; id: string }
  | { type: "end"; reason: "signed-out" };

export interface HubSubscriber {
  clinicId: string;
  userId: string;
  deliver: (m: HubMessage) => void;
}

/**
 * What the hub tells this instance's caches (lib/server/user-cache.ts): a user's or a clinic's
 * sign-in facts changed in the database, or `all` when notifications may have been missed (the
 * listener is down or came back), so nothing cached may be trusted.
 */
export type HubInvalidation = { kind: "user"; userId: string } | { kind: "clinic"; clinicId: string } | { kind: "all" };

export interface HubStatus {
  mode: "listen" | "embedded";
  connected: boolean;
  subscribers: number;
  reconnects: number;
}

/**
 * The embedded PGlite demo database is one database session behind its socket: a notification
 * comes back on the connection that committed, never on a dedicated listener (tried: a second
 * client's LISTEN receives nothing). There the app's own pool connection LISTENs and hands its
 * notifications to this emitter (lib/server/db.ts). Single instance only, which the demo is.
 */
export const embeddedNotifications: EventEmitter =
  ((globalThis as unknown as { titrateEmbeddedNotifications?: EventEmitter }).titrateEmbeddedNotifications ??= new EventEmitter());

const ACTIVE_USERS_SQL = `SELECT id FROM "User" WHERE id = ANY($1::text[]) AND active`;

const BACKOFF_START_MS = 250;
const BACKOFF_MAX_MS = 10_000;
/** How often the listener connection is checked and subscribers' accounts re-read. */
export const HUB_CHECK_MS = 20_000;

export interface EventHubOptions {
  databaseUrl: string;
  embedded: boolean;
  /** runs the LISTEN on the app's own connection in embedded mode */
  listenEmbedded?: () => Promise<void>;
  /** which of these users are active, in embedded mode (no listener connection to ask) */
  activeUsersEmbedded?: (userIds: string[]) => Promise<string[]>;
  checkMs?: number;
  log?: (line: string) => void;
}

export class EventHub {
  private readonly subscribers = new Set<HubSubscriber>();
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private connected = false;
  private started = false;
  private stopped = false;
  private backoffMs = BACKOFF_START_MS;
  private reconnects = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private checkTimer: NodeJS.Timeout | null = null;
  /** event ids: this instance's boot id and a counter; no other instance can replay them */
  private readonly bootId = randomBytes(4).toString("hex");
  private seq = 0;
  private readonly log: (line: string) => void;
  private readonly onEmbedded = (payload: string) => this.dispatch(payload);
  private readonly invalidationListeners = new Set<(i: HubInvalidation) => void>();

  constructor(private readonly options: EventHubOptions) {
    this.log = options.log ?? ((line) => console.log(line));
  }

  status(): HubStatus {
    return { mode: this.options.embedded ? "embedded" : "listen", connected: this.connected, subscribers: this.subscribers.size, reconnects: this.reconnects };
  }

  /** Adds a stream; the first one starts the listener. Returns the unsubscribe function. */
  subscribe(sub: HubSubscriber): () => void {
    this.subscribers.add(sub);
    this.start();
    return () => { this.subscribers.delete(sub); };
  }

  /** Whether notifications are flowing now: a cache may only be trusted while they are. */
  isConnected(): boolean {
    return this.connected;
  }

  /**
   * Listens for the user and clinic changes the database announces on the same channel as the
   * live events (migration *_access_audit_user_cache): one LISTEN connection serves both.
   */
  onInvalidate(listener: (i: HubInvalidation) => void): () => void {
    this.invalidationListeners.add(listener);
    return () => { this.invalidationListeners.delete(listener); };
  }

  private invalidate(i: HubInvalidation): void {
    for (const l of this.invalidationListeners) {
      try { l(i); } catch { /* a cache's failure must not stop the others */ }
    }
  }

  /** Resolves once the listener is connected (tests and benchmarks wait for it). */
  async ready(): Promise<void> {
    this.start();
    while (!this.connected && !this.stopped) await (this.connecting ?? new Promise((r) => setTimeout(r, 50)));
  }

  private nextId(): string {
    this.seq += 1;
    return `${this.bootId}-${this.seq}`;
  }

  /** Parses one NOTIFY payload and hands it to the streams of its clinic, and to no other. */
  dispatch(payload: string): void {
    const invalidation = parseInvalidation(payload);
    if (invalidation) {
      this.invalidate(invalidation);
      return;
    }
    const event: ClinicLiveEvent | null = parseClinicLiveEvent(payload);
    if (!event) {
      this.log("[live-events] ignored a malformed notification");
      return;
    }
    const browserEvent = toBrowserEvent(event);
    const id = this.nextId();
    for (const sub of this.subscribers) {
      if (sub.clinicId !== event.clinicId) continue;
      try {
        sub.deliver({ type: "change", id, event: browserEvent });
      } catch {
        this.subscribers.delete(sub);
      }
    }
  }

  /** Every stream of this instance refetches: the listener was down, events may be lost. */
  private resyncAll(): void {
    const id = this.nextId();
    for (const sub of this.subscribers) {
      try { sub.deliver({ type: "resync", id }); } catch { this.subscribers.delete(sub); }
    }
  }

  /** Starts the listener (instrumentation.ts at boot, or the first stream). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    void this.connect();
    this.checkTimer = setInterval(() => void this.check(), this.options.checkMs ?? HUB_CHECK_MS);
    this.checkTimer.unref();
  }

  private connect(): Promise<void> {
    if (this.connecting) return this.connecting;
    this.connecting = (this.options.embedded ? this.connectEmbedded() : this.connectListen()).finally(() => { this.connecting = null; });
    return this.connecting;
  }

  private async connectEmbedded(): Promise<void> {
    embeddedNotifications.off("notification", this.onEmbedded);
    embeddedNotifications.on("notification", this.onEmbedded);
    try {
      await this.options.listenEmbedded?.();
      this.connected = true;
      this.log("[live-events] embedded database: events fan out within this one process");
    } catch (err) {
      this.log(`[live-events] LISTEN on the embedded database failed (${describe(err)}); retrying`);
      this.scheduleReconnect();
    }
  }

  private async connectListen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl, application_name: "titrate-live-events", keepAlive: true });
    client.on("notification", (n) => { if (n.channel === EVENTS_CHANNEL && n.payload) this.dispatch(n.payload); });
    const lost = () => {
      if (this.client !== client) return;
      this.client = null;
      this.connected = false;
      // Changes committed from now on are not heard: nothing cached may be trusted.
      this.invalidate({ kind: "all" });
      client.end().catch(() => undefined);
      if (!this.stopped) {
        this.log("[live-events] listener connection lost; reconnecting");
        this.scheduleReconnect();
      }
    };
    client.on("error", lost);
    client.on("end", lost);
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      if (this.stopped) { await client.end(); return; }
      const wasReconnect = this.reconnects > 0 || this.client !== null;
      this.client = client;
      this.connected = true;
      this.backoffMs = BACKOFF_START_MS;
      this.log(`[live-events] listening on ${EVENTS_CHANNEL} (pid ${process.pid})`);
      // Whatever was committed while no one listened is lost to this instance: every stream
      // refetches, and every cache starts empty.
      if (wasReconnect) { this.invalidate({ kind: "all" }); this.resyncAll(); }
    } catch (err) {
      client.removeAllListeners("end");
      client.end().catch(() => undefined);
      this.log(`[live-events] listener connection failed (${describe(err)}); retrying in ${this.backoffMs} ms`);
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retryTimer) return;
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF_MAX_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.reconnects += 1;
      void this.connect();
    }, wait);
    this.retryTimer.unref();
  }

  /**
   * Every HUB_CHECK_MS: a round trip on the listener (a silently dead connection is found and
   * replaced) and, in the same query, which subscribed accounts are still active: a user
   * deactivated while connected has their streams ended.
   */
  private async check(): Promise<void> {
    if (this.stopped || this.subscribers.size === 0) return;
    const userIds = [...new Set([...this.subscribers].map((s) => s.userId))];
    const client = this.client;
    if (!this.options.embedded && !client) return;
    try {
      const ids = client
        ? (await client.query<{ id: string }>(ACTIVE_USERS_SQL, [userIds])).rows.map((r) => r.id)
        : await (this.options.activeUsersEmbedded?.(userIds) ?? Promise.resolve(userIds));
      const active = new Set(ids);
      for (const sub of this.subscribers) {
        if (active.has(sub.userId)) continue;
        this.subscribers.delete(sub);
        try { sub.deliver({ type: "end", reason: "signed-out" }); } catch { /* already closed */ }
      }
    } catch (err) {
      this.log(`[live-events] listener check failed (${describe(err)}); reconnecting`);
      if (client && this.client === client) client.emit("error", err);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.checkTimer) clearInterval(this.checkTimer);
    embeddedNotifications.off("notification", this.onEmbedded);
    const client = this.client;
    this.client = null;
    this.connected = false;
    this.invalidate({ kind: "all" });
    this.subscribers.clear();
    if (client) await client.end().catch(() => undefined);
  }
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The user/clinic change notifications (not live events: never forwarded to a browser). */
export function parseInvalidation(payload: string): HubInvalidation | null {
  // Cheap test first: live events (the bulk of the traffic) never carry these kinds.
  if (!payload.includes('"user"') && !payload.includes('"clinic-settings"')) return null;
  let r: { kind?: unknown; userId?: unknown; clinicId?: unknown };
  try { r = (JSON.parse(payload) ?? {}) as typeof r; } catch { return null; }
  if (r.kind === "user") return typeof r.userId === "string" && ID.test(r.userId) ? { kind: "user", userId: r.userId } : { kind: "all" };
  if (r.kind === "clinic-settings") return typeof r.clinicId === "string" && ID.test(r.clinicId) ? { kind: "clinic", clinicId: r.clinicId } : { kind: "all" };
  return null;
}

/** A log line without data: the error's class and code only. */
function describe(err: unknown): string {
  if (err && typeof err === "object") {
    const e = err as { name?: unknown; code?: unknown };
    return `${typeof e.name === "string" ? e.name : "Error"}${typeof e.code === "string" ? ` ${e.code}` : ""}`;
  }
  return "non-error thrown";
}
