import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";

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
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString, max }, embedded ? {} : { statementNameGenerator: preparedStatementName }),
  });
}

const PREPARED = /^\s*\/\* prepared: ([a-z][a-z0-9-]*) \*\//;

/**
 * A raw query whose SQL opens with `/* prepared: <name> *\/` is prepared once per pooled
 * connection and reused, so PostgreSQL parses and plans it once instead of on every call:
 * for the series review's large query that is ~2.5 ms of database CPU per page
 * (bench/RESULTS.md, issue 4), and a quarter of an export batch's run time (issue 5).
 * Every other statement stays unnamed, as Prisma issues it. A name must stay unique to one
 * SQL text.
 */
export function preparedStatementName(query: { sql: string }): string {
  // The adapter passes the name on to pg, where undefined means an unnamed statement.
  return PREPARED.exec(query.sql)?.[1] as string;
}

const globalForPrisma = globalThis as unknown as { titratePrisma?: PrismaClient };

export const db: PrismaClient = globalForPrisma.titratePrisma ?? makeClient();
if (process.env.NODE_ENV !== "production") globalForPrisma.titratePrisma = db;

export type Db = PrismaClient;
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
