/**
 * `npm run audit:verify`: checks the audit hash chain of every clinic in DATABASE_URL.
 * Exits 1 and lists each broken row if any row was edited, removed from the middle or
 * re-ordered since it was written.
 */
import "dotenv/config";
import { verifyAuditChain } from "@/lib/server/audit-verify";
import { db } from "@/lib/server/db";

async function main() {
  const report = await verifyAuditChain(db);
  if (report.broken.length === 0) {
    console.log(`Audit chain intact: ${report.checked} events checked.`);
    return 0;
  }
  console.error(`Audit chain BROKEN: ${report.broken.length} problem(s) in ${report.checked} events.`);
  for (const b of report.broken) console.error(`  clinic ${b.clinicId ?? "(none)"} seq ${b.seq}: ${b.reason}`);
  return 1;
}

main()
  .then(async (code) => { await db.$disconnect(); process.exit(code); })
  .catch(async (err) => { console.error(err); await db.$disconnect(); process.exit(2); });
