/**
 * No patient data in logs (docs/SECURITY.md): after the end-to-end run, searches the server's log
 * (test-results/server.log, written by scripts/test-all.sh) for every patient name, MRN and
 * birth date in the e2e database, every patient's check-in note, and the check-in link tokens the
 * e2e specs wrote to test-results/check-in-tokens.json (a token is stored nowhere else: only
 * its hash is in the database, decision 0020). Exit 1 and list the hits if any appear.
 * Usage: E2E_DATABASE_URL=... tsx scripts/scan-server-log.ts [log file...] (every app instance's log)
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import pg from "pg";
import { appearsInLog } from "@/lib/log-scan";

async function main() {
  const files = process.argv.length > 2 ? process.argv.slice(2) : ["test-results/server.log"];
  const file = files.join(" + ");
  const log = files.map((f) => readFileSync(f, "utf8")).join("\n");
  const db = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
  await db.connect();
  const patients = (await db.query<{ mrn: string; givenName: string; familyName: string; birthDate: string }>(
    `SELECT mrn, "givenName", "familyName", to_char("birthDate", 'YYYY-MM-DD') AS "birthDate" FROM "Patient"`)).rows;
  const notes = (await db.query<{ note: string }>(`SELECT note FROM "CheckIn" WHERE note IS NOT NULL AND length(note) >= 8`)).rows;
  await db.end();
  const needles = new Set<string>();
  for (const n of notes) needles.add(n.note);
  const tokenFile = "test-results/check-in-tokens.json";
  if (existsSync(tokenFile)) for (const t of JSON.parse(readFileSync(tokenFile, "utf8")) as string[]) needles.add(t);
  for (const p of patients) {
    needles.add(p.mrn);
    if (p.givenName.length >= 3) needles.add(p.givenName);
    if (p.familyName.length >= 3) needles.add(p.familyName);
    needles.add(p.birthDate);
  }
  // whole tokens only (lib/log-scan.ts): "Ada" is not in "driverAdapterError"
  const hits = [...needles].filter((n) => appearsInLog(log, n));
  const figures = { logFile: file, logBytes: Buffer.byteLength(log), logLines: log.split("\n").length, patients: patients.length, searchedFor: needles.size, hits: hits.length };
  writeFileSync("test-results/log-scan.json", JSON.stringify({ ...figures, hitSamples: hits.slice(0, 10) }, null, 2));
  console.log(`[log-scan] ${figures.logLines} lines of server log searched for ${needles.size} names/MRNs/birth dates of ${patients.length} patients: ${hits.length} hits`);
  if (hits.length) {
    console.error(`[log-scan] patient data found in ${file}: ${hits.slice(0, 10).join(", ")}`);
    process.exit(1);
  }
}
main().catch((err) => { console.error(err); process.exit(2); });
