import { Prisma } from "@/lib/generated/prisma/client";

// A raw query is prepared once per pooled connection when its SQL text opens with
// `/* prepared: <name> */`: PostgreSQL then parses and plans it once instead of on every call.
// For the series review's query that is ~2.5 ms of database CPU per page, and planning is a
// quarter of an export batch's run time (docs/decisions/0005-physician-review.md "How the
// review reads and ships its data"; bench/RESULTS.md "physician review page" and "streamed
// exports"). Only the query modules of this folder carry a name; every other statement stays
// unnamed, as Prisma issues it.

const MARKER = /^\s*\/\* prepared: ([a-z][a-z0-9-]*) \*\//;

/** `body` with the marker that names its prepared statement. A name must stay unique to one SQL text. */
export function preparedSql(name: string, body: Prisma.Sql): Prisma.Sql {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`Bad prepared statement name: ${name}`);
  return Prisma.sql`${Prisma.raw(`/* prepared: ${name} */\n`)}${body}`;
}

/** The statement name of a query prepared by preparedSql; undefined (an unnamed statement) for any other. */
export function preparedStatementName(query: { sql: string }): string | undefined {
  return MARKER.exec(query.sql)?.[1];
}
