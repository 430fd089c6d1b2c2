/**
 * `npm run audit:verify [-- flags]`: checks the audit log of DATABASE_URL (decisions 0003, 0018).
 *   --max-unsealed-lag <seconds>  fail on a row unsealed for longer (default 60;
 *                                 env TITRATE_AUDIT_MAX_UNSEALED_LAG_S)
 *   --anchors <file>              an anchor log (JSON lines) to check the chain against; repeatable
 *   --public-key <file>           the Ed25519 public key (PEM) the anchors must be signed with
 *                                 (env TITRATE_ANCHOR_PUBLIC_KEY, PEM text or a path); without it,
 *                                 anchor-public-key.pem beside the first anchor file, with a warning
 * Exits 0 when everything holds, 1 listing each problem when anything does not, 2 on a usage
 * or connection error.
 */
import "dotenv/config";
import { existsSync } from "node:fs";
import path from "node:path";
import type { KeyObject } from "node:crypto";
import { keyIdOf, loadPublicKey, PUBLIC_KEY_FILE_NAME, readAnchorFile, type AnchorLine } from "@/lib/server/audit-seal/anchors";
import { DEFAULT_MAX_UNSEALED_LAG_MS, findStaleUnsealed, verifyAnchorsAgainstChain, verifyAuditChain } from "@/lib/server/audit-verify";
import { db } from "@/lib/server/db";

class UsageError extends Error {}

function parseArgs(argv: string[], env: NodeJS.ProcessEnv) {
  const anchors: string[] = [];
  let publicKey = env.TITRATE_ANCHOR_PUBLIC_KEY || null;
  let lagS = env.TITRATE_AUDIT_MAX_UNSEALED_LAG_S === undefined ? DEFAULT_MAX_UNSEALED_LAG_MS / 1000 : Number(env.TITRATE_AUDIT_MAX_UNSEALED_LAG_S);
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === "--anchors") anchors.push(value());
    else if (flag === "--public-key") publicKey = value();
    else if (flag === "--max-unsealed-lag") lagS = Number(value());
    else throw new UsageError(`unknown flag ${flag}`);
  }
  if (!Number.isFinite(lagS) || lagS < 0) throw new UsageError("--max-unsealed-lag must be a number of seconds, 0 or more");
  return { anchors, publicKey, lagMs: lagS * 1000 };
}

async function main() {
  const args = parseArgs(process.argv.slice(2), process.env);
  const problems: string[] = [];

  const chain = await verifyAuditChain(db);
  for (const b of chain.broken) problems.push(`clinic ${b.clinicId ?? "(none)"} seq ${b.seq}: ${b.reason}`);

  const unsealed = await findStaleUnsealed(db, args.lagMs);
  if (unsealed.stale > 0) {
    const open = unsealed.oldestOpenTransaction;
    problems.push(`${unsealed.stale} audit row(s) unsealed for more than ${args.lagMs / 1000} s (oldest written ${unsealed.oldestStaleAt}): ` +
      `is the sealer running?${open ? ` The oldest open transaction began ${open.startedAt} (${open.application || "no application name"}, database ${open.database}) and holds sealing back.` : ""}`);
  }

  let anchorCount = 0;
  if (args.anchors.length > 0) {
    let keySource = args.publicKey;
    if (!keySource) {
      const beside = path.join(path.dirname(args.anchors[0]!), PUBLIC_KEY_FILE_NAME);
      if (!existsSync(beside)) throw new UsageError("--anchors needs --public-key (or TITRATE_ANCHOR_PUBLIC_KEY)");
      console.warn(`Warning: using ${beside}, found beside the anchors. Whoever can rewrite the anchors can replace it too: pass --public-key with the copy you keep elsewhere.`);
      keySource = beside;
    }
    const publicKey: KeyObject = loadPublicKey(keySource);
    const all: AnchorLine[] = [];
    for (const file of args.anchors) {
      const report = readAnchorFile(file, publicKey);
      problems.push(...report.problems);
      if (report.tornLines.length) console.warn(`Note: ${file}: line(s) ${report.tornLines.join(", ")} not complete JSON (a write cut short by a crash); the next line links past them.`);
      all.push(...report.anchors);
    }
    const check = await verifyAnchorsAgainstChain(db, all);
    problems.push(...check.problems);
    anchorCount = check.checked;
    console.log(`Anchors: ${anchorCount} checked from ${args.anchors.length} file(s), key id ${keyIdOf(publicKey)}.`);
  }

  const summary = `${chain.checked} sealed events checked, ${unsealed.unsealed} awaiting the sealer` + (args.anchors.length ? `, ${anchorCount} anchors checked` : "");
  if (problems.length === 0) {
    console.log(`Audit chain intact: ${summary}.`);
    return 0;
  }
  console.error(`Audit chain BROKEN: ${problems.length} problem(s); ${summary}.`);
  for (const p of problems) console.error(`  ${p}`);
  return 1;
}

main()
  .then(async (code) => { await db.$disconnect(); process.exit(code); })
  .catch(async (err) => {
    console.error(err instanceof UsageError ? `audit:verify: ${err.message}` : err);
    await db.$disconnect();
    process.exit(2);
  });
