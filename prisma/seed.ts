/**
 * `npm run db:seed`: loads the demo clinics into DATABASE_URL (skips if already there).
 * Run with the react-server condition so lib/server's `server-only` guard accepts a script.
 */
import "dotenv/config";
import { db } from "@/lib/server/db";
import { seedDemo } from "./seed/demo";

async function main() {
  const started = Date.now();
  const result = await seedDemo(db);
  console.log(result.created ? `Seeded the demo clinics in ${((Date.now() - started) / 1000).toFixed(1)} s.` : "Demo data already present; nothing seeded.");
}

main()
  .then(() => db.$disconnect())
  .catch(async (err) => {
    console.error(err);
    await db.$disconnect();
    process.exit(1);
  });
