/**
 * Integration tests run against real PostgreSQL, in a database of their own per run:
 * created and migrated here with the standard Prisma command, dropped afterwards.
 * TEST_PG_URL names the server (default: the local PostgreSQL 15 of these machines).
 */
import { execFileSync } from "node:child_process";
import pg from "pg";

const serverUrl = process.env.TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

function withDb(url: string, db: string) {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export default async function setup() {
  // TEST_DB_PREFIX: several runs on one server keep to their own database names
  const name = `${process.env.TEST_DB_PREFIX ?? "titrate_int"}_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`Integration tests need PostgreSQL at ${serverUrl} (set TEST_PG_URL): ${(err as Error).message}`);
  }
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = withDb(serverUrl, name);
  execFileSync("npx", ["prisma", "migrate", "deploy"], { env: { ...process.env, DATABASE_URL: url }, stdio: "pipe" });
  process.env.DATABASE_URL = url;
  return async () => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.end();
  };
}
