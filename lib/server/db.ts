import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { embeddedNotifications, EVENTS_CHANNEL } from "./events/hub";
import { preparedStatementName } from "./sql/prepared";

/**
 * The one Prisma client. Only lib/server imports it.
 * On the embedded PGlite server the pool must be a single connection (STACK-NOTES: an open
 * interactive transaction beside other queries fails with `portal "" does not exist`).
 */
function makeClient() {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) throw new Error("DATABASE_URL is not set");
  const embedded = process.env.TITRATE_EMBEDDED_DB === "1";
  const max = embedded ? 1 : Number(process.env.DB_POOL_MAX ?? 10);
  // PGlite is one database session behind its socket: a statement prepared by a connection
  // outlives it there, and the next connection's `pg` client, which believes nothing is
  // prepared, gets 42P05 "prepared statement already exists". Unprepared on the demo.
  if (embedded) return new PrismaClient({ adapter: new PrismaPg(embeddedPool(connectionString), {}) });
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString, max }, { statementNameGenerator: preparedStatementNameForPg }),
  });
}

/**
 * The embedded database's pool of one. Its connection is the one PGlite session, where the
 * live events LISTEN, and a notification comes back on the connection that committed: handed
 * to the event hub's emitter (lib/server/events/hub.ts, docs/decisions/0014-live-events.md).
 */
function embeddedPool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: 1 });
  pool.on("connect", (client) => {
    client.on("notification", (n) => { if (n.channel === EVENTS_CHANNEL && n.payload) embeddedNotifications.emit("notification", n.payload); });
  });
  return pool;
}

// A raw query of lib/server/sql whose SQL opens with `/* prepared: <name> */` gets that name:
// it is prepared once per pooled connection (lib/server/sql/prepared.ts says why). The adapter
// passes the name on to pg, where undefined means an unnamed statement, as Prisma issues it.
const preparedStatementNameForPg = preparedStatementName as (query: { sql: string }) => string;
export { preparedStatementName };

const globalForPrisma = globalThis as unknown as { titratePrisma?: PrismaClient };

export const db: PrismaClient = globalForPrisma.titratePrisma ?? makeClient();
if (process.env.NODE_ENV !== "production") globalForPrisma.titratePrisma = db;

export type Db = PrismaClient;
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
