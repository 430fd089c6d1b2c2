import "server-only";
import type { Role } from "@/lib/permissions";
import type { HubInvalidation } from "./events/hub";

/** What a request needs to know about its signed-in user, as the database last said. */
export interface SignInFacts {
  id: string;
  clinicId: string;
  role: Role;
  name: string;
  email: string;
  active: boolean;
  mustChangePassword: boolean;
  timezone: string;
  idleSignOutMin: number;
}

/** The part of the event hub a cache needs (lib/server/events/hub.ts). */
export interface InvalidationSource {
  isConnected(): boolean;
  onInvalidate(listener: (i: HubInvalidation) => void): () => void;
}

/** Enough for every user of a large clinic group; beyond it the oldest entry goes. */
const MAX_ENTRIES = 10_000;

/**
 * Per-instance cache of users' sign-in facts (active, role, clinic, must-change-password, the
 * clinic's zone and idle time), so a request does not re-read the user
 * (docs/decisions/0019-access-audit-and-user-cache.md). Immediate effect is kept by the
 * database: a committed change to those columns notifies every instance's listener, which
 * drops the entry; until the next request re-reads it.
 *
 * Trusted only while the listener is connected: with it down (or never started) every call
 * reads the database, and a lost or re-established listener empties the cache, because
 * changes committed meanwhile were not heard. A read that started before an invalidation
 * arrived is returned but not stored (the generation counter), so a row read just before a
 * change commits cannot be cached after its notification has passed.
 */
export class UserCache {
  private readonly entries = new Map<string, SignInFacts>();
  private generation = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly source: InvalidationSource,
    private readonly load: (userId: string) => Promise<SignInFacts | null>,
    private readonly maxEntries = MAX_ENTRIES,
  ) {
    source.onInvalidate((i) => this.invalidate(i));
  }

  async get(userId: string): Promise<SignInFacts | null> {
    if (!this.source.isConnected()) {
      if (this.entries.size > 0) this.invalidate({ kind: "all" });
      this.misses += 1;
      return this.load(userId);
    }
    const hit = this.entries.get(userId);
    if (hit) {
      this.hits += 1;
      return hit;
    }
    this.misses += 1;
    const generation = this.generation;
    const facts = await this.load(userId);
    // An unknown user is not cached: nothing would announce its creation.
    if (facts && generation === this.generation && this.source.isConnected()) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(userId, facts);
    }
    return facts;
  }

  get size(): number {
    return this.entries.size;
  }

  invalidate(i: HubInvalidation): void {
    this.generation += 1;
    if (i.kind === "all") this.entries.clear();
    else if (i.kind === "user") this.entries.delete(i.userId);
    else for (const [id, f] of this.entries) if (f.clinicId === i.clinicId) this.entries.delete(id);
  }
}
