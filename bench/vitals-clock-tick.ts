// The vitals clock's tick over 50 running sessions (docs/decisions/0011-clock-driven-flags.md).
// Against a migrated scratch database: 50 sessions whose first set fell due a minute ago (each
// is reconciled and raises VITALS_OVERDUE), then the same 50 once flagged (the due-sessions
// query only), then 50 more sessions not yet due beside them.
// Usage: DATABASE_URL=... tsx --conditions=react-server bench/vitals-clock-tick.ts
import { randomBytes } from "node:crypto";
import { createPatient, createTestClinic } from "@/prisma/seed/factories";
import { db } from "@/lib/server/db";
import { orderSeries } from "@/lib/server/series";
import { chartDoseEvent, startSession } from "@/lib/server/sessions";
import { runClockTick } from "@/lib/server/clock/scheduler";
import { OrderSeriesSchema } from "@/lib/validation/series";
import { DoseEventSchema, StartSessionSchema } from "@/lib/validation/session";

const N = 50;
const IV = "IV infusion (routes table)";

async function runningSessions(c: Awaited<ReturnType<typeof createTestClinic>>, startMs: number, count: number) {
  const version = c.protocolByName(IV).version;
  for (let i = 0; i < count; i++) {
    const patient = await createPatient(db, { clinicId: c.clinic.id, mrn: `B-${randomBytes(4).toString("hex")}`, givenName: "Bench", familyName: "Clock", birthDate: "1980-01-01", weightKg: 70 });
    const { series } = await db.$transaction((tx) => orderSeries(tx, { actor: c.actors.physician, patientId: patient.id,
      input: OrderSeriesSchema.parse({ protocolVersionId: version.id, plannedSessions: 5, startDate: "2026-11-01" }) }));
    const at = new Date(startMs);
    const { session } = await db.$transaction((tx) => startSession(tx, { actor: c.actors.nurse, seriesId: series.id,
      input: StartSessionSchema.parse({ weightKg: 70, concentrationMgPerMl: 1, consentConfirmed: true, screeningReviewed: true }), now: at }));
    await db.$transaction((tx) => chartDoseEvent(tx, { actor: c.actors.nurse, sessionId: session.id,
      input: DoseEventSchema.parse({ type: "START", at: at.toISOString(), rateMgPerKgPerH: 0.2 }), now: at }));
  }
}

async function main() {
  const c = await createTestClinic(db, randomBytes(4).toString("hex"));
  const intervalMs = c.protocolByName(IV).version.vitalsIntervalMin * 60_000;
  await runningSessions(c, Date.now() - intervalMs - 60_000, N);
  const log = (line: string) => console.error(line);
  const first = await runClockTick(new Date(), log);
  console.log(`tick 1: ${N} running sessions, all due: ${JSON.stringify(first)}`);
  const quiet: number[] = [];
  for (let i = 0; i < 10; i++) quiet.push((await runClockTick(new Date(), log)).durationMs);
  console.log(`ticks 2-11: the same ${N}, all flagged: ${quiet.map((x) => x.toFixed(1)).join(", ")} ms`);
  await runningSessions(c, Date.now(), N);
  const mixed: number[] = [];
  for (let i = 0; i < 10; i++) mixed.push((await runClockTick(new Date(), log)).durationMs);
  console.log(`ticks with ${2 * N} running (${N} flagged, ${N} not due): ${mixed.map((x) => x.toFixed(1)).join(", ")} ms`);
  await db.$disconnect();
}
main().catch((err) => { console.error(err); process.exit(1); });
