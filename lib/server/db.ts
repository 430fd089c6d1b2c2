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
  const max = process.env.TITRATE_EMBEDDED_DB === "1" ? 1 : Number(process.env.DB_POOL_MAX ?? 10);
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString, max }, {
      // pg prepares a query that has a name and runs one without a name unprepared
      statementNameGenerator: (query) => preparedStatements.get(query.sql) as string,
    }),
  });
}

/**
 * SQL texts served as named prepared statements, which PostgreSQL parses and plans once per
 * pooled connection instead of on every call. Only for a fixed text run many times in a row
 * (an export's batch query takes about as long to plan as to run); every other query stays
 * unnamed, so what a connection keeps prepared is this short list.
 */
const preparedStatements = new Map<string, string>();

/** Serves `sqlText`, exactly as Prisma sends it (`Prisma.sql\`...\`.text`), as the prepared statement `name`. */
export function prepareStatement(name: string, sqlText: string): void {
  preparedStatements.set(sqlText, name);
}

const globalForPrisma = globalThis as unknown as { titratePrisma?: PrismaClient };

export const db: PrismaClient = globalForPrisma.titratePrisma ?? makeClient();
if (process.env.NODE_ENV !== "production") globalForPrisma.titratePrisma = db;

export type Db = PrismaClient;
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
