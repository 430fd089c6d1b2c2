import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
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
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString, max }, embedded ? {} : { statementNameGenerator: preparedStatementNameForPg }),
  });
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
