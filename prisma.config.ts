import "dotenv/config";
import { existsSync } from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";

// Offline machines cannot download Prisma's native schema engine; the shared WASM
// stand-in serves the same JSON-RPC. Only used when no engine is configured and the file
// exists, so a machine with internet access runs stock Prisma. See docs/decisions/0001.
const offlineEngine = path.resolve("../shared/tools/prisma-schema-engine.mjs");
if (!process.env.PRISMA_SCHEMA_ENGINE_BINARY && existsSync(offlineEngine))
  process.env.PRISMA_SCHEMA_ENGINE_BINARY = offlineEngine;

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations", seed: "tsx --conditions=react-server prisma/seed.ts" },
  datasource: {
    // `generate` needs no database; every other command needs DATABASE_URL.
    url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/titrate",
    shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL,
  },
});
