/**
 * Demo data: two clinics, staff, every documented protocol and three patients whose series
 * span several weeks, charted through the real services so every flag and audit row comes
 * from the same rules as live charting. Times are relative to `now`, so the demo always
 * shows recent weeks and one session in progress today.
 */
import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/server/actor";
import { issueCheckInLink, submitCheckIn } from "@/lib/server/check-ins";
import { closeSeries, orderSeries } from "@/lib/server/series";
import {
  acknowledgeFlags,
  chartDoseEvent,
  chartVitals,
  completeSession,
  recordPain,
  recordSideEffect,
  signSession,
  startSession,
} from "@/lib/server/sessions";
import { actorFor, createChairs, createClinic, createPatient, createSeededProtocols, createUser } from "./factories";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

type RateStep = { atMin: number; rateMgPerKgPerH: number; reason?: string };
type SideEffectPlan = { atMin: number; kind: string; severity: number; intervention?: string; note?: string };
export interface SessionPlan {
  start: Date;
  weightKg: number;
  concentrationMgPerMl: number;
  steps: RateStep[];
  durationMin: number;
  pauses?: { atMin: number; resumeMin: number; reason: string }[];
  boluses?: { atMin: number; mg: number; reason: string }[];
  baseline: { sbp: number; dbp: number; hr: number; spo2: number; rr: number };
  /** systolic rise per hour of infusion (ketamine's sympathomimetic effect) */
  sbpRisePerH?: number;
  painPre: number;
  painPost: number;
  painIntra?: number;
  sideEffects?: SideEffectPlan[];
  followUps?: { afterDays: number; nrs: number }[];
  /** leave the session open at this minute (the in-progress demo session) */
  stopAtMin?: number;
  complete?: boolean;
  sign?: boolean;
  /** the chair; by default the clinic's first free chair (none when the clinic has no chair) */
  chairId?: string;
}

const at = (start: Date, min: number) => new Date(start.getTime() + min * MIN);
const iso = (d: Date) => d.toISOString();

/** Deterministic jitter so the demo looks charted by hand yet is the same on every run. */
function jitter(seed: number, spread: number) {
  const x = Math.sin(seed * 12.9898) * 43758.5453;
  return Math.round((x - Math.floor(x) - 0.5) * 2 * spread);
}

async function inTx<T>(db: PrismaClient, fn: (tx: Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0]) => Promise<T>) {
  return db.$transaction(fn, { timeout: 30_000 });
}

/** Charts one whole session through the services, the way a nurse would at the bedside. */
export async function chartSession(db: PrismaClient, nurse: Actor, seriesId: string, plan: SessionPlan) {
  const s = plan.start;
  const chairId = plan.chairId ?? (await db.chair.findFirst({
    where: { clinicId: nurse.clinicId, active: true, sessions: { none: { status: "IN_PROGRESS" } } }, orderBy: { sortOrder: "asc" }, select: { id: true },
  }))?.id;
  const { session } = await inTx(db, (tx) =>
    startSession(tx, { actor: nurse, seriesId, now: s, input: { weightKg: plan.weightKg, concentrationMgPerMl: plan.concentrationMgPerMl, consentConfirmed: true, screeningReviewed: true, ...(chairId ? { chairId } : {}) } }),
  );
  const sessionId = session.id;
  const endMin = plan.stopAtMin ?? plan.durationMin;
  type Ev = { min: number; order: number; run: (now: Date) => Promise<unknown> };
  const events: Ev[] = [];
  const push = (min: number, order: number, run: Ev["run"]) => events.push({ min, order, run });

  // baseline vitals and pain before the infusion starts
  push(1, 0, (now) => inTx(db, (tx) => chartVitals(tx, { actor: nurse, sessionId, now, input: {
    at: iso(at(s, 1)), systolicMmHg: plan.baseline.sbp, diastolicMmHg: plan.baseline.dbp, heartRatePerMin: plan.baseline.hr,
    spo2Pct: plan.baseline.spo2, respRatePerMin: plan.baseline.rr, isBaseline: true } })));
  push(2, 0, (now) => inTx(db, (tx) => recordPain(tx, { actor: nurse, sessionId, now, input: { at: iso(at(s, 2)), score: plan.painPre, scale: "NRS", phase: "PRE" } })));

  // baseline at minute 1, infusion from minute 3, vitals every 15 minutes after the baseline
  const infusionStart = 3;
  plan.steps.forEach((step, i) => {
    const min = infusionStart + step.atMin;
    push(min, 1, (now) => inTx(db, (tx) => chartDoseEvent(tx, { actor: nurse, sessionId, now, input: {
      type: i === 0 ? "START" : "RATE_CHANGE", at: iso(at(s, min)), rateMgPerKgPerH: step.rateMgPerKgPerH, reason: step.reason } })));
  });
  for (const p of plan.pauses ?? []) {
    push(infusionStart + p.atMin, 1, (now) => inTx(db, (tx) => chartDoseEvent(tx, { actor: nurse, sessionId, now, input: { type: "PAUSE", at: iso(at(s, infusionStart + p.atMin)), reason: p.reason } })));
    push(infusionStart + p.resumeMin, 1, (now) => inTx(db, (tx) => chartDoseEvent(tx, { actor: nurse, sessionId, now, input: { type: "RESUME", at: iso(at(s, infusionStart + p.resumeMin)), reason: "Symptoms settled" } })));
  }
  for (const b of plan.boluses ?? [])
    push(infusionStart + b.atMin, 1, (now) => inTx(db, (tx) => chartDoseEvent(tx, { actor: nurse, sessionId, now, input: { type: "BOLUS", at: iso(at(s, infusionStart + b.atMin)), bolusMg: b.mg, reason: b.reason } })));

  // vitals every 15 minutes during the infusion
  const seed = s.getTime() / MIN;
  // up to the STOP itself, so the last gap before it is not overdue (decision 0009: the gap before STOP counts)
  for (let m = 16; m <= Math.min(plan.stopAtMin ?? Infinity, infusionStart + plan.durationMin); m += 15) {
    const hours = (m - infusionStart) / 60;
    const sbp = plan.baseline.sbp + Math.round((plan.sbpRisePerH ?? 4) * Math.min(hours, 2)) + jitter(seed + m, 4);
    const dbp = plan.baseline.dbp + Math.round(((plan.sbpRisePerH ?? 4) / 2) * Math.min(hours, 2)) + jitter(seed + m + 1, 3);
    const vit = {
      at: iso(at(s, m)), systolicMmHg: sbp, diastolicMmHg: Math.min(dbp, sbp - 20),
      heartRatePerMin: plan.baseline.hr + 4 + jitter(seed + m + 2, 5), spo2Pct: Math.min(100, plan.baseline.spo2 + jitter(seed + m + 3, 1)),
      respRatePerMin: plan.baseline.rr + jitter(seed + m + 4, 1),
    };
    push(m, 2, (now) => inTx(db, (tx) => chartVitals(tx, { actor: nurse, sessionId, now, input: vit })));
  }
  // a set within 5 min of each rate increase, as the schedule asks (decision 0009)
  plan.steps.forEach((step, i) => {
    const prev = plan.steps[i - 1];
    const m = infusionStart + step.atMin + 5;
    if (!prev || step.rateMgPerKgPerH <= prev.rateMgPerKgPerH || m > endMin) return;
    const vit = {
      at: iso(at(s, m)), systolicMmHg: plan.baseline.sbp + 6, diastolicMmHg: plan.baseline.dbp + 3,
      heartRatePerMin: plan.baseline.hr + 5, spo2Pct: plan.baseline.spo2, respRatePerMin: plan.baseline.rr,
    };
    push(m, 2, (now) => inTx(db, (tx) => chartVitals(tx, { actor: nurse, sessionId, now, input: vit })));
  });
  if (plan.painIntra !== undefined) {
    const m = infusionStart + Math.round(plan.durationMin / 2);
    if (m <= endMin) push(m, 3, (now) => inTx(db, (tx) => recordPain(tx, { actor: nurse, sessionId, now, input: { at: iso(at(s, m)), score: plan.painIntra!, scale: "NRS", phase: "INTRA" } })));
  }
  for (const e of plan.sideEffects ?? []) {
    const m = infusionStart + e.atMin;
    if (m <= endMin)
      push(m, 3, (now) => inTx(db, (tx) => recordSideEffect(tx, { actor: nurse, sessionId, now, input: { at: iso(at(s, m)), kind: e.kind, severity: e.severity, intervention: e.intervention, note: e.note } })));
  }
  const stopMin = infusionStart + plan.durationMin;
  if (plan.stopAtMin === undefined) {
    push(stopMin, 4, (now) => inTx(db, (tx) => chartDoseEvent(tx, { actor: nurse, sessionId, now, input: { type: "STOP", at: iso(at(s, stopMin)), reason: "Infusion complete" } })));
    push(stopMin + 15, 5, (now) => inTx(db, (tx) => recordPain(tx, { actor: nurse, sessionId, now, input: { at: iso(at(s, stopMin + 15)), score: plan.painPost, scale: "NRS", phase: "POST" } })));
  }
  events.sort((a, b) => a.min - b.min || a.order - b.order);
  for (const e of events) await e.run(at(s, e.min + 1));

  if (plan.stopAtMin === undefined && plan.complete !== false) {
    const done = at(s, stopMin + 30);
    await inTx(db, (tx) => completeSession(tx, { actor: nurse, sessionId, now: done, input: { dischargeReady: true, dischargeNote: "Alert, oriented, escorted home by family." } }));
    if (plan.sign !== false) await inTx(db, (tx) => signSession(tx, { actor: nurse, sessionId, now: at(s, stopMin + 35) }));
  }
  for (const f of plan.followUps ?? []) {
    const when = new Date(s.getTime() + f.afterDays * DAY);
    await inTx(db, (tx) => recordPain(tx, { actor: nurse, sessionId, now: when, input: { at: iso(when), score: f.nrs, scale: "NRS", phase: "FOLLOW_UP" } }));
  }
  return sessionId;
}

/** Clinic-local 09:00 `daysAgo` days before now (New York is UTC-5 in winter, UTC-4 in summer). */
function morning(now: Date, daysAgo: number, hourUtc = 14) {
  const d = new Date(now.getTime() - daysAgo * DAY);
  d.setUTCHours(hourUtc, 0, 0, 0);
  return d;
}

export async function seedDemo(db: PrismaClient, now = new Date()) {
  const existing = await db.clinic.findFirst({ where: { name: "Demo Pain Clinic" } });
  if (existing) return { created: false };

  const clinic = await createClinic(db, { name: "Demo Pain Clinic", timezone: "America/New_York" });
  const nurseUser = await createUser(db, { clinicId: clinic.id, email: "nurse@demo.clinic", name: "Nora Patel, RN", role: "NURSE" });
  const physicianUser = await createUser(db, { clinicId: clinic.id, email: "physician@demo.clinic", name: "Dr. Samuel Okoye", role: "PHYSICIAN" });
  await createUser(db, { clinicId: clinic.id, email: "admin@demo.clinic", name: "Alex Morgan", role: "ADMIN" });
  const protocols = await createSeededProtocols(db, clinic.id);
  // six treatment chairs: the board shows one tile each (docs/decisions/0013-chairs-and-the-board.md)
  const chairs = await createChairs(db, { clinicId: clinic.id, count: 6 });
  // one bedside monitor per chair, sending as DEMO-MON-<n> over HL7 v2 (docs/decisions/0021-monitor-vitals-over-hl7.md)
  for (const [i, chair] of chairs.entries())
    await db.device.create({ data: { clinicId: clinic.id, identifier: `DEMO-MON-${i + 1}`, name: `Monitor ${i + 1}`, chairId: chair.id } });
  const nurse = actorFor(nurseUser);
  const physician = actorFor(physicianUser);
  const find = (re: RegExp) => {
    const p = protocols.find((x) => re.test(x.protocol.name));
    if (!p) throw new Error(`seed: no protocol matching ${re}`);
    return p.version;
  };

  const other = await createClinic(db, { name: "Other Clinic", timezone: "America/Chicago" });
  const otherNurse = await createUser(db, { clinicId: other.id, email: "nurse@other.clinic", name: "Olga Berg, RN", role: "NURSE" });
  const otherPhysician = await createUser(db, { clinicId: other.id, email: "physician@other.clinic", name: "Dr. Ines Varga", role: "PHYSICIAN" });
  const otherProtocols = await createSeededProtocols(db, other.id);
  await createChairs(db, { clinicId: other.id, count: 1 });

  // --- Patient 1: CRPS, outpatient protocol 0.35 mg/kg/h over 4 h (source 003), weekly.
  const maria = await createPatient(db, {
    clinicId: clinic.id, mrn: "DPC-1001", givenName: "Maria", familyName: "Alvarez", birthDate: "1979-03-14", sex: "FEMALE",
    weightKg: 68.4, allergies: "Penicillin (rash)", screeningNotes: "No psychiatric history. BP controlled without medication.",
  });
  const crps = find(/CRPS outpatient/i);
  // Her first course on the same protocol, a year earlier: shorter relief, ended as
  // completed, so the series review has a previous course to compare with.
  const mariaFirst = await inTx(db, (tx) => orderSeries(tx, { actor: physician, patientId: maria.id, input: { protocolVersionId: crps.id, plannedSessions: 4, intervalDays: 7, startDate: morning(now, 400).toISOString().slice(0, 10) } }));
  const mariaFirstPain = [[8, 6, 7], [8, 6, 7], [8, 5, 7], [7, 5, 6]] as const;
  for (let i = 0; i < mariaFirstPain.length; i++) {
    const [pre, post, follow] = mariaFirstPain[i]!;
    await chartSession(db, nurse, mariaFirst.series.id, {
      start: morning(now, 400 - i * 7), weightKg: 70.1, concentrationMgPerMl: 1,
      steps: [{ atMin: 0, rateMgPerKgPerH: 0.35 }], durationMin: 240,
      baseline: { sbp: 126, dbp: 80, hr: 74, spo2: 98, rr: 14 }, sbpRisePerH: 4,
      painPre: pre, painPost: post, painIntra: Math.round((pre + post) / 2),
      sideEffects: i === 0 ? [{ atMin: 50, kind: "DIZZINESS", severity: 1, intervention: "NONE" }] : [],
      followUps: [{ afterDays: 2, nrs: follow }, { afterDays: 5, nrs: pre }],
    });
  }
  await inTx(db, (tx) => closeSeries(tx, {
    actor: physician, seriesId: mariaFirst.series.id, now: morning(now, 376),
    input: { outcome: "COMPLETED", reason: "Course of 4 done; relief lasted 2-3 days. Re-refer if pain returns." },
  }));
  const mariaSeries = await inTx(db, (tx) => orderSeries(tx, { actor: physician, patientId: maria.id, input: { protocolVersionId: crps.id, plannedSessions: 6, intervalDays: 7, startDate: morning(now, 42).toISOString().slice(0, 10) } }));
  const mariaPain = [[8, 5, 6], [8, 4, 6], [7, 3, 5], [7, 3, 4], [6, 2, 4]] as const;
  for (let i = 0; i < 5; i++) {
    const [pre, post, follow] = mariaPain[i]!;
    await chartSession(db, nurse, mariaSeries.series.id, {
      start: morning(now, 42 - i * 7), weightKg: i < 3 ? 68.4 : 67.9, concentrationMgPerMl: 1,
      steps: i === 2
        ? [{ atMin: 0, rateMgPerKgPerH: 0.35 }, { atMin: 90, rateMgPerKgPerH: 0.45, reason: "Pain 7/10 at 90 min; increased per Dr. Okoye's standing order" }, { atMin: 150, rateMgPerKgPerH: 0.35, reason: "Back to protocol rate after relief" }]
        : [{ atMin: 0, rateMgPerKgPerH: 0.35 }],
      durationMin: 240, baseline: { sbp: 124 + i, dbp: 78, hr: 72, spo2: 98, rr: 14 }, sbpRisePerH: i === 1 ? 14 : 5,
      painPre: pre, painPost: post, painIntra: Math.round((pre + post) / 2),
      sideEffects: i === 0
        ? [{ atMin: 40, kind: "NAUSEA_VOMITING", severity: 2, intervention: "ONDANSETRON", note: "Ondansetron 4 mg IV; settled in 20 min" }]
        : i === 1
          ? [{ atMin: 60, kind: "DISSOCIATION", severity: 1, intervention: "REASSURANCE", note: "Floating sensation, calm" }, { atMin: 110, kind: "ELEVATED_BP", severity: 2, intervention: "RATE_SLOWED", note: "SBP rise; observed closely" }]
          : [{ atMin: 30, kind: "DIZZINESS", severity: 1, intervention: "NONE" }],
      followUps: [{ afterDays: 3, nrs: follow }, { afterDays: 6, nrs: Math.min(pre, follow + 2) }],
    });
  }

  // --- Patient 2: fibromyalgia, 0.5 mg/kg over 40 min (source 000), twice weekly.
  const james = await createPatient(db, {
    clinicId: clinic.id, mrn: "DPC-1002", givenName: "James", familyName: "Okafor", birthDate: "1968-11-02", sex: "MALE",
    weightKg: 91.2, allergies: "None known",
  });
  const fibro = find(/fibromyalgia/i);
  const jamesSeries = await inTx(db, (tx) => orderSeries(tx, { actor: physician, patientId: james.id, input: { protocolVersionId: fibro.id, plannedSessions: 8, intervalDays: 3, startDate: morning(now, 25).toISOString().slice(0, 10) } }));
  const jamesDays = [25, 21, 18, 14, 11, 7];
  const jamesPain = [[7, 5], [7, 4], [6, 4], [7, 3], [6, 3], [6, 2]] as const;
  for (let i = 0; i < jamesDays.length; i++) {
    const [pre, post] = jamesPain[i]!;
    const last = i === jamesDays.length - 1;
    await chartSession(db, nurse, jamesSeries.series.id, {
      start: morning(now, jamesDays[i]!, 15), weightKg: 91.2, concentrationMgPerMl: 2,
      steps: [{ atMin: 0, rateMgPerKgPerH: 0.75 }], durationMin: 40,
      baseline: { sbp: 138, dbp: 86, hr: 80, spo2: 97, rr: 16 }, sbpRisePerH: i === 3 ? 66 : 12,
      painPre: pre, painPost: post,
      sideEffects: i === 3
        ? [{ atMin: 25, kind: "DISSOCIATION", severity: 3, intervention: "MIDAZOLAM", note: "Distressing; midazolam 1 mg IV. Note: benzodiazepines may blunt ketamine's effect." }]
        : [{ atMin: 20, kind: "DROWSINESS", severity: 1, intervention: "NONE" }],
      followUps: [{ afterDays: 2, nrs: Math.min(pre, post + 1) }],
      sign: !last,
    });
  }

  // --- Patient 3: neuropathic pain, 0.1-0.3 mg/kg/h over 2-4 h (source 000); positive screen.
  const linh = await createPatient(db, {
    clinicId: clinic.id, mrn: "DPC-1003", givenName: "Linh", familyName: "Tran", birthDate: "1985-07-21", sex: "FEMALE",
    weightKg: 58.0, allergies: "Sulfa drugs", screening: { cardiovascular: true },
    screeningNotes: "Hypertension on amlodipine, controlled (128/82 at intake).",
  });
  const neuro = find(/neuropathic/i);
  const linhSeries = await inTx(db, (tx) => orderSeries(tx, { actor: physician, patientId: linh.id, input: {
    protocolVersionId: neuro.id, plannedSessions: 5, intervalDays: 1, startDate: morning(now, 3).toISOString().slice(0, 10),
    screeningOverrideReason: "Hypertension controlled on amlodipine; BP reviewed at intake. Monitor BP every 15 min.",
  } }));
  for (let i = 0; i < 3; i++) {
    await chartSession(db, nurse, linhSeries.series.id, {
      start: morning(now, 3 - i, 13), weightKg: 58.0, concentrationMgPerMl: 1,
      steps: [{ atMin: 0, rateMgPerKgPerH: 0.1 }, { atMin: 30, rateMgPerKgPerH: 0.2, reason: "Tolerating well" }, { atMin: 60, rateMgPerKgPerH: 0.3, reason: "Titrated to target" }],
      pauses: i === 1 ? [{ atMin: 100, resumeMin: 110, reason: "Nausea; paused 10 min" }] : undefined,
      durationMin: 180, baseline: { sbp: 130, dbp: 82, hr: 70, spo2: 99, rr: 14 }, sbpRisePerH: 8,
      painPre: 6 - (i === 2 ? 1 : 0), painPost: 3, painIntra: 4,
      sideEffects: i === 1 ? [{ atMin: 100, kind: "NAUSEA_VOMITING", severity: 2, intervention: "INFUSION_PAUSED", note: "Paused 10 min, ondansetron 4 mg" }] : [],
      sign: i < 2,
    });
  }
  // today's session, in progress (opened 70 minutes ago) — for the nurse's worklist
  const todayStart = new Date(now.getTime() - 70 * MIN);
  const todaySession = await chartSession(db, nurse, linhSeries.series.id, {
    start: todayStart, weightKg: 58.0, concentrationMgPerMl: 1,
    steps: [{ atMin: 0, rateMgPerKgPerH: 0.1 }, { atMin: 30, rateMgPerKgPerH: 0.2, reason: "Tolerating well" }],
    durationMin: 180, stopAtMin: 62, baseline: { sbp: 128, dbp: 80, hr: 68, spo2: 99, rr: 14 }, sbpRisePerH: 8, painPre: 6, painPost: 3,
    chairId: chairs[1]!.id,
  });
  // A keying slip, corrected two minutes later: 0.5 mg/kg/h (above the documented 0.3) raises
  // RATE_ABOVE_RANGE; the correction to 0.25 resolves it ("corrected"), kept struck through.
  const slipAt = new Date(todayStart.getTime() + 66 * MIN);
  const slip = await inTx(db, (tx) => chartDoseEvent(tx, { actor: nurse, sessionId: todaySession, now: new Date(slipAt.getTime() + MIN), input: {
    type: "RATE_CHANGE", at: slipAt.toISOString(), rateMgPerKgPerH: 0.5, reason: "Pain 6/10 at 60 min" } }));
  await inTx(db, (tx) => chartDoseEvent(tx, { actor: nurse, sessionId: todaySession, now: new Date(slipAt.getTime() + 3 * MIN), input: {
    type: "RATE_CHANGE", at: slipAt.toISOString(), rateMgPerKgPerH: 0.25, reason: "Pain 6/10 at 60 min",
    correctsId: slip.doseEvent.id, correctionReason: "Keying slip: the pump was set to 0.25 mg/kg/h" } }));

  // A second infusion running now, so the chair board is alive on first run: James's next
  // session, opened 25 minutes ago in Chair 4, started at minute 3, one vitals set at minute 16
  // (systolic above 160: a soft flag), the next set due at minute 31, a few minutes from now.
  await chartSession(db, nurse, jamesSeries.series.id, {
    start: new Date(now.getTime() - 25 * MIN), weightKg: 91.2, concentrationMgPerMl: 2,
    steps: [{ atMin: 0, rateMgPerKgPerH: 0.75 }], durationMin: 40, stopAtMin: 24,
    baseline: { sbp: 156, dbp: 88, hr: 82, spo2: 97, rr: 16 }, sbpRisePerH: 66, painPre: 7, painPost: 3,
    chairId: chairs[3]!.id,
  });

  // The physician has reviewed the older flags of patient 1's first sessions.
  const oldFlags = await db.flag.findMany({ where: { seriesId: mariaSeries.series.id, acknowledgedAt: null, session: { sequence: { lte: 2 } } }, select: { id: true } });
  if (oldFlags.length)
    await inTx(db, (tx) => acknowledgeFlags(tx, { actor: physician, flagIds: oldFlags.map((f) => f.id), reason: "Reviewed with the nurse; transient, resolved without sequelae.", now: morning(now, 28, 20) }));

  // Patient check-ins (decision 0020): Maria's link was issued at her first session of this
  // series and she checked in on days 1 and 5 after each session, so the review's durability
  // and PEG charts show patient-reported follow-ups on first run; James has a link and one
  // check-in, then missed the next ones (the physician's worklist line).
  await db.clinic.update({ where: { id: clinic.id }, data: { phone: "+1 555 0142" } });
  const mariaLink = await inTx(db, (tx) => issueCheckInLink(tx, { actor: nurse, seriesId: mariaSeries.series.id, now: morning(now, 42, 20) }));
  // per session: days 1, 3 and 6 (the day before the next); pain creeps back up as relief wears off
  const mariaCheckIns = [[5, 5, 6], [6, 6, 6], [7, 7, 7], [4, 4, 5], [5, 5, 5], [6, 6, 6], [3, 3, 4], [4, 4, 4], [5, 5, 5], [3, 2, 3], [3, 3, 4], [4, 4, 4], [2, 2, 3], [3, 3, 3], [4, 3, 4]] as const;
  for (let i = 0; i < 5; i++) {
    for (const [k, afterDays] of [1, 3, 6].entries()) {
      const [painNrs, enjoymentNrs, activityNrs] = mariaCheckIns[i * 3 + k]!;
      const when = morning(now, 42 - i * 7 - afterDays, 23); // 18:00 or 19:00 New York
      await submitCheckIn({
        token: mariaLink.token, now: when,
        input: {
          painNrs, enjoymentNrs, activityNrs,
          sideEffects: i === 0 && k === 0 ? [{ kind: "VIVID_DREAMS", severity: 1 }] : i === 1 && k === 0 ? [{ kind: "DIZZINESS", severity: 2 }] : [],
          ...(k === 1 && i === 3 ? { note: "Walked to the park twice this week." } : {}),
        },
      });
    }
  }
  const jamesLink = await inTx(db, (tx) => issueCheckInLink(tx, { actor: nurse, seriesId: jamesSeries.series.id, now: morning(now, 25, 20) }));
  await submitCheckIn({ token: jamesLink.token, now: morning(now, 24, 22), input: { painNrs: 5, enjoymentNrs: 6, activityNrs: 6, sideEffects: [{ kind: "NAUSEA_VOMITING", severity: 1 }] } });

  // --- Other Clinic: one patient and a short series, to prove isolation.
  const peter = await createPatient(db, { clinicId: other.id, mrn: "OC-2001", givenName: "Peter", familyName: "Novak", birthDate: "1972-01-30", sex: "MALE", weightKg: 80 });
  const otherIv = otherProtocols.find((p) => /neuropathic/i.test(p.protocol.name))!.version;
  const peterSeries = await inTx(db, (tx) => orderSeries(tx, { actor: actorFor(otherPhysician, other.timezone), patientId: peter.id, input: { protocolVersionId: otherIv.id, plannedSessions: 3, startDate: morning(now, 10).toISOString().slice(0, 10) } }));
  await chartSession(db, actorFor(otherNurse, other.timezone), peterSeries.series.id, {
    start: morning(now, 10), weightKg: 80, concentrationMgPerMl: 1, steps: [{ atMin: 0, rateMgPerKgPerH: 0.2 }], durationMin: 120,
    baseline: { sbp: 122, dbp: 76, hr: 66, spo2: 98, rr: 13 }, painPre: 7, painPost: 4,
  });

  return { created: true, clinicId: clinic.id };
}
