import "server-only";
import path from "node:path";
import { db } from "../db";
import { createAnchorWriter, DEFAULT_ANCHOR_DIR, DEFAULT_GENERATED_KEY_PATH, PUBLIC_KEY_FILE_NAME, resolveSigningKey, type AnchorWriter } from "./anchors";
import type { SealResult } from "./seal";
import { DEFAULT_SEAL_TICK_MS, startAuditSealer, type RunningSealer, type SealerLog } from "./sealer";

// Bounds of TITRATE_SEALER_TICK_MS: short ticks for tests; never longer than 1 s, the promise
// (docs/decisions/0018-asynchronous-audit-sealing.md).
const MIN_TICK_MS = 50;
const MAX_TICK_MS = 1_000;

const globalForSealer = globalThis as unknown as { titrateAuditSealer?: RunningSealer | null };

/**
 * The anchor writer from the environment, or null when TITRATE_ANCHORS=off.
 * TITRATE_ANCHOR_DIR (default .data/anchors); TITRATE_ANCHOR_KEY: an Ed25519 private key, PEM
 * text or a file path; without it a key is generated once at .data/anchor-signing-key.pem
 * (TITRATE_ANCHOR_GENERATED_KEY overrides the path) and the log says where.
 */
export function anchorWriterFromEnv(env: NodeJS.ProcessEnv = process.env, log: SealerLog = console.log): AnchorWriter | null {
  if (env.TITRATE_ANCHORS === "off") {
    log("[audit-sealer] anchors off (TITRATE_ANCHORS=off): the chain heads are not published outside the database");
    return null;
  }
  const dir = env.TITRATE_ANCHOR_DIR || DEFAULT_ANCHOR_DIR;
  const { key, generated, created } = resolveSigningKey(env.TITRATE_ANCHOR_KEY, env.TITRATE_ANCHOR_GENERATED_KEY || DEFAULT_GENERATED_KEY_PATH);
  const writer = createAnchorWriter(dir, key);
  if (generated)
    log(`[audit-sealer] no TITRATE_ANCHOR_KEY: ${created ? "generated" : "using"} the Ed25519 anchor signing key ${path.resolve(generated)} ` +
      `(public key ${path.resolve(dir, PUBLIC_KEY_FILE_NAME)}, key id ${writer.keyId}). In production configure a key and keep the public key off this machine (docs/SECURITY.md).`);
  log(`[audit-sealer] anchors -> ${path.resolve(writer.file)} (key id ${writer.keyId})`);
  return writer;
}

/**
 * Starts this process's audit sealer from the environment, once per process:
 * TITRATE_SEALER=off disables it (tests seal explicitly with sealAllPending);
 * TITRATE_SEALER_TICK_MS sets the tick (default 1000 ms, at most 1000);
 * TITRATE_EMBEDDED_DB=1 (the demo's PGlite) seals on the app's one connection without the leader lock.
 */
export function startSealerFromEnv(env: NodeJS.ProcessEnv = process.env, extra: { onSeal?: (r: SealResult) => void; log?: SealerLog } = {}): RunningSealer | null {
  if (globalForSealer.titrateAuditSealer !== undefined) return globalForSealer.titrateAuditSealer;
  if (env.TITRATE_SEALER === "off") {
    console.log("[audit-sealer] off (TITRATE_SEALER=off): audit rows stay unsealed until a sealer runs; audit:verify fails once they are older than its lag");
    return (globalForSealer.titrateAuditSealer = null);
  }
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) throw new Error("DATABASE_URL is not set");
  const tickMs = env.TITRATE_SEALER_TICK_MS === undefined ? DEFAULT_SEAL_TICK_MS : Number(env.TITRATE_SEALER_TICK_MS);
  if (!Number.isInteger(tickMs) || tickMs < MIN_TICK_MS || tickMs > MAX_TICK_MS)
    throw new Error(`TITRATE_SEALER_TICK_MS must be a whole number of ms from ${MIN_TICK_MS} to ${MAX_TICK_MS}`);
  const anchors = anchorWriterFromEnv(env, extra.log ?? console.log);
  return (globalForSealer.titrateAuditSealer = startAuditSealer({
    db, databaseUrl, tickMs, anchors, embedded: env.TITRATE_EMBEDDED_DB === "1", ...extra,
  }));
}
