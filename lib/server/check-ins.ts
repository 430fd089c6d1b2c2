import "server-only";
import { createHash, randomBytes } from "node:crypto";
import {
  checkInScheduleWords,
  dueDayFor,
  expectedCheckInDays,
  hasSevereSideEffect,
  linkEndMs,
  linkExpiresAtMs,
  linkState,
  linkWindow,
  missedCheckInDays,
  pegScore,
} from "@/lib/domain/check-in";
import { FLAG_LABELS, FLAG_SEVERITY } from "@/lib/domain/flags";
import { nextSessionDueDate, plannedDateOf } from "@/lib/domain/series-summary";
import { checkInSideEffectChoices, SEVERITY_LABELS, sideEffectLabel } from "@/lib/domain/side-effects";
import { formatDate } from "@/lib/domain/time";
import { AppError, conflict, notFound } from "@/lib/errors";
import type { CheckInInput } from "@/lib/validation/check-in";
import { CHECK_IN_TOKEN_PATTERN } from "@/lib/validation/check-in";
import { requirePermission, type Actor } from "./actor";
import { patientLinkActor } from "./actor-type";
import { recordAccess } from "./access-audit";
import { auditAs, withDeferredAudit, writeAudit } from "./audit";
import { isEmailConfigured, sendCheckInEmail } from "./check-in-mail";
import { db, type Tx } from "./db";

// Patient check-ins between sessions (docs/decisions/0020-patient-check-ins.md). The token is
// the patient's only credential: 128 random bits, shown once, kept only as its SHA-256. Every
// way a token can fail (unknown, malformed, expired, revoked) answers the same neutral
// NOT_FOUND, so a token cannot be probed for its state.

/** Random bytes per token: 16 bytes = 128 bits, 22 base64url characters. */
const TOKEN_BYTES = 16;

/** The one neutral answer for a token that does not open a check-in. */
export const NEUTRAL_MESSAGE = "This check-in link is not valid any more. Please contact your clinic for a new one.";
export const neutralNotFound = () => new AppError("NOT_FOUND", { userMessage: NEUTRAL_MESSAGE });

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

const envLimit = (name: string, fallback: number) => {
  const n = Number(process.env[name]);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};

/**
 * [default] Fixed-window limits of the public routes (decision 0020), deployment settings
 * (TITRATE_CHECK_IN_TOKEN_LIMIT, TITRATE_CHECK_IN_ADDRESS_LIMIT, per hour). Per token: a
 * patient sends one check-in a day, so 10 tries an hour is generous while bounding a leaked
 * link. Per address: enough for a household on one connection, far too few to enumerate
 * 128-bit tokens.
 */
export const RATE_LIMITS = {
  perTokenPerHour: envLimit("TITRATE_CHECK_IN_TOKEN_LIMIT", 10),
  perAddressPerHour: envLimit("TITRATE_CHECK_IN_ADDRESS_LIMIT", 60),
  windowMs: 3_600_000,
} as const;

/**
 * Counts one request against `key` (already a hash) in PostgreSQL, so every app instance
 * shares one limit; throws TOO_MANY_REQUESTS once the window's count passes `limit`. Runs
 * in its own statement, outside the request's transaction: a refused or failed request
 * counts too.
 */
export async function consumeRateLimit(key: string, limit: number, now: Date): Promise<void> {
  const windowStart = new Date(Math.floor(now.getTime() / RATE_LIMITS.windowMs) * RATE_LIMITS.windowMs);
  const rows = await db.$queryRaw<{ count: number }[]>`
    INSERT INTO "CheckInRateLimit" ("key", "windowStart", "count") VALUES (${key}, ${windowStart}::timestamp(3), 1)
    ON CONFLICT ("key", "windowStart") DO UPDATE SET "count" = "CheckInRateLimit"."count" + 1
    RETURNING "count"`;
  // old windows are of no use: dropped now and then by whichever request passes
  if (Math.random() < 0.02)
    await db.$executeRaw`DELETE FROM "CheckInRateLimit" WHERE "windowStart" < ${new Date(windowStart.getTime() - RATE_LIMITS.windowMs)}::timestamp(3)`;
  if ((rows[0]?.count ?? 0) > limit)
    throw new AppError("TOO_MANY_REQUESTS", { userMessage: "Too many attempts. Please wait an hour and try again, or call your clinic." });
}

/** Both limits of a public check-in request: the address's, then the token's. */
export async function limitCheckInRequest({ token, address, now, countToken }: { token: string; address: string; now: Date; countToken: boolean }) {
  await consumeRateLimit(`addr:${hashToken(`address:${address}`)}`, RATE_LIMITS.perAddressPerHour, now);
  if (countToken) await consumeRateLimit(`token:${hashToken(token)}`, RATE_LIMITS.perTokenPerHour, now);
}

// ---------------------------------------------------------------------------------------
// Staff: issue, revoke, read

async function seriesOfClinic(tx: Tx | typeof db, actor: Actor, seriesId: string) {
  const series = await tx.series.findFirst({
    where: { id: seriesId, clinicId: actor.clinicId },
    select: { id: true, startDate: true, intervalDays: true, plannedSessions: true, closedAt: true, patientId: true, clinic: { select: { checkInLinkDaysAfterEnd: true } } },
  });
  if (!series) throw notFound("Series");
  return series;
}

/**
 * Issues the series' check-in link: a new random token, stored as its hash, valid until the
 * clinic's days [default 30] after the series' end. Any earlier link of the series is
 * revoked in the same transaction (re-issue). The token leaves this function once, for the
 * discharge sheet; it is never stored nor audited.
 */
export async function issueCheckInLink(tx: Tx, { actor, seriesId, now = new Date() }: { actor: Actor; seriesId: string; now?: Date }) {
  requirePermission(actor, "check-in:link");
  const series = await seriesOfClinic(tx, actor, seriesId);
  const startDate = series.startDate.toISOString().slice(0, 10);
  const expiresAt = new Date(linkExpiresAtMs({
    plannedEndDate: plannedDateOf(startDate, series.intervalDays, series.plannedSessions),
    closedAtMs: series.closedAt?.getTime() ?? null,
    nowMs: now.getTime(),
    daysAfterEnd: series.clinic.checkInLinkDaysAfterEnd,
  }));
  const audit = auditAs(tx, actor);
  const previous = await tx.checkInLink.findMany({ where: { seriesId, clinicId: actor.clinicId, revokedAt: null }, select: { id: true } });
  if (previous.length) {
    await tx.checkInLink.updateMany({ where: { id: { in: previous.map((p) => p.id) }, revokedAt: null }, data: { revokedAt: now, revokedById: actor.userId } });
    for (const p of previous) await audit("check-in-link.revoke", "CheckInLink", p.id, { before: { revokedAt: null }, after: { revokedAt: now, reason: "re-issued" } });
  }
  const token = randomBytes(TOKEN_BYTES).toString("base64url");
  const link = await tx.checkInLink.create({
    data: { clinicId: actor.clinicId, seriesId, tokenHash: hashToken(token), createdById: actor.userId, expiresAt, createdAt: now },
    select: { id: true, expiresAt: true },
  });
  await audit("check-in-link.issue", "CheckInLink", link.id, { after: { seriesId, expiresAt } });
  return { token, linkId: link.id, expiresAt: link.expiresAt.toISOString() };
}

/** Revokes the series' active link(s); a check-in through them answers the neutral page from now on. */
export async function revokeCheckInLinks(tx: Tx, { actor, seriesId, now = new Date() }: { actor: Actor; seriesId: string; now?: Date }) {
  requirePermission(actor, "check-in:link");
  await seriesOfClinic(tx, actor, seriesId);
  const active = await tx.checkInLink.findMany({ where: { seriesId, clinicId: actor.clinicId, revokedAt: null }, select: { id: true } });
  if (!active.length) throw conflict("This series has no active check-in link.");
  await tx.checkInLink.updateMany({ where: { id: { in: active.map((a) => a.id) }, revokedAt: null }, data: { revokedAt: now, revokedById: actor.userId } });
  const audit = auditAs(tx, actor);
  for (const a of active) await audit("check-in-link.revoke", "CheckInLink", a.id, { before: { revokedAt: null }, after: { revokedAt: now } });
  return { revoked: active.length };
}

/** The answer to an email request when the deployment has no SMTP_URL: nothing is issued or sent. */
const emailNotSetUp = () => new AppError("CONFLICT", { userMessage: "Email is not set up for this clinic (SMTP_URL). Print the sheet instead." });

export async function auditLinkEmailed(tx: Tx, { actor, linkId }: { actor: Actor; linkId: string }) {
  // the address is not stored anywhere: the audit row says that, not where, it was sent
  await auditAs(tx, actor)("check-in-link.email", "CheckInLink", linkId, { after: { emailed: true } });
}

/**
 * For the route: issues the link in its own transaction and, when asked, emails it and audits
 * that. The email goes after the commit, so a slow mail server holds no lock; a refused email
 * leaves the issued link valid (the sheet can still be printed).
 */
export async function issueCheckInLinkForRoute({ actor, seriesId, email, urlOf }: { actor: Actor; seriesId: string; email?: string; urlOf: (token: string) => string }) {
  requirePermission(actor, "check-in:link");
  await seriesOfClinic(db, actor, seriesId); // another clinic's series: 404 first
  if (email && !isEmailConfigured())
    // refused before anything is issued: an email the clinic cannot send must not revoke the printed link
    throw emailNotSetUp();
  const issued = await db.$transaction((tx) => withDeferredAudit(tx, () => issueCheckInLink(tx, { actor, seriesId })));
  const url = urlOf(issued.token);
  let emailed = false;
  if (email) {
    emailed = await sendCheckInEmail({ actor, to: email, url, expiresAt: issued.expiresAt });
    if (emailed) await db.$transaction((tx) => withDeferredAudit(tx, () => auditLinkEmailed(tx, { actor, linkId: issued.linkId })));
  }
  return { url, expiresAt: issued.expiresAt, emailed };
}

/**
 * Emails the link the discharge sheet already shows, without issuing a new one, so the
 * printed QR keeps working. The sheet sends back the token it holds; it must be this series'
 * link and still usable, else a 409 asks for a new link (the token's state is the staff's to
 * know here: they issued it). The token is never stored nor audited.
 */
export async function emailCheckInLink({ actor, seriesId, token, email, urlOf, now = new Date() }: { actor: Actor; seriesId: string; token: string; email: string; urlOf: (token: string) => string; now?: Date }) {
  requirePermission(actor, "check-in:link");
  // another clinic's series is a 404 before anything about this deployment is said
  await seriesOfClinic(db, actor, seriesId);
  if (!isEmailConfigured())
    throw emailNotSetUp();
  const link = await findUsableLink(db, token, now);
  if (!link || link.seriesId !== seriesId || link.clinicId !== actor.clinicId)
    throw conflict("This link is no longer active for this series: issue a new one to email it.");
  const expiresAt = link.expiresAt.toISOString();
  const emailed = await sendCheckInEmail({ actor, to: email, url: urlOf(token), expiresAt });
  if (emailed) await db.$transaction((tx) => withDeferredAudit(tx, () => auditLinkEmailed(tx, { actor, linkId: link.id })));
  return { emailed, expiresAt };
}

/**
 * The clinic-local dates of the check-ins' context: sessions, next due date, check-in days,
 * and the windows in which a link of the series could be used (only those days can be missed).
 */
async function scheduleOf(tx: Tx | typeof db, seriesId: string, timeZone: string, now: Date) {
  const series = await tx.series.findUniqueOrThrow({
    where: { id: seriesId },
    select: {
      startDate: true, intervalDays: true, plannedSessions: true, status: true, closedAt: true,
      clinic: { select: { checkInDaysAfterSession: true, checkInDayBeforeNext: true, checkInLinkDaysAfterEnd: true } },
      sessions: { select: { id: true, openedAt: true, completedAt: true, status: true }, orderBy: { sequence: "asc" } },
      checkIns: { select: { day: true }, orderBy: { day: "asc" } },
      checkInLinks: { select: { createdAt: true, expiresAt: true, revokedAt: true } },
    },
  });
  const done = series.sessions.filter((s) => s.status !== "IN_PROGRESS" && s.completedAt !== null && s.completedAt <= now);
  // every session started so far: a running one's date is a session day, and the day before
  // it was expected; the days after it are still ahead
  const sessionDates = series.sessions.filter((s) => s.openedAt <= now).map((s) => formatDate(s.openedAt, timeZone));
  const lastDate = series.sessions.length ? formatDate(series.sessions[series.sessions.length - 1]!.openedAt, timeZone) : null;
  const nextDate = series.status === "ACTIVE"
    ? nextSessionDueDate({ startDate: series.startDate.toISOString().slice(0, 10), intervalDays: series.intervalDays, plannedSessions: series.plannedSessions, sessionsStarted: series.sessions.length, lastSessionDate: lastDate })
    : null;
  const expectedDays = expectedCheckInDays({
    sessionDates, nextSessionDate: nextDate, daysAfterSession: series.clinic.checkInDaysAfterSession, dayBeforeNext: series.clinic.checkInDayBeforeNext,
  });
  const linkWindows = series.checkInLinks.map((l) => {
    const endMs = linkEndMs({
      expiresAtMs: l.expiresAt.getTime(), revokedAtMs: l.revokedAt?.getTime() ?? null,
      seriesClosedAtMs: series.closedAt?.getTime() ?? null, daysAfterEnd: series.clinic.checkInLinkDaysAfterEnd,
    });
    return linkWindow({ issuedDay: formatDate(l.createdAt, timeZone), endDay: formatDate(new Date(endMs), timeZone) });
  });
  return {
    lastDoneSessionId: done.length ? done[done.length - 1]!.id : null,
    expectedDays,
    linkWindows,
    checkInDays: series.checkIns.map((c) => c.day.toISOString().slice(0, 10)),
    scheduleWords: checkInScheduleWords({ daysAfterSession: series.clinic.checkInDaysAfterSession, dayBeforeNext: series.clinic.checkInDayBeforeNext }),
  };
}

export interface CheckInReviewDto {
  linkActive: { expiresAt: string; createdAt: string } | null;
  checkIns: {
    id: string; day: string; dueDay: string | null; submittedAt: string; sessionId: string | null;
    painNrs: number; enjoymentNrs: number; activityNrs: number; peg: number; note: string | null;
    sideEffects: { kind: string; label: string; severity: number; severityLabel: string }[];
  }[];
  expectedDays: string[];
  missedDays: string[];
  /** when check-ins are expected, in the patient's words (the clinic's settings) */
  scheduleWords: string;
}

/** The series' check-ins for the physician's review (the caller has audited the read of the review). */
export async function readSeriesCheckIns({ actor, seriesId, now = new Date() }: { actor: Actor; seriesId: string; now?: Date }): Promise<CheckInReviewDto> {
  requirePermission(actor, "patient:read");
  await seriesOfClinic(db, actor, seriesId);
  const [links, rows, schedule] = await Promise.all([
    db.checkInLink.findMany({ where: { seriesId, clinicId: actor.clinicId, revokedAt: null, expiresAt: { gt: now } }, orderBy: { createdAt: "desc" }, take: 1, select: { expiresAt: true, createdAt: true } }),
    db.checkIn.findMany({ where: { seriesId, clinicId: actor.clinicId }, orderBy: { day: "asc" }, include: { sideEffects: { orderBy: { kind: "asc" } } } }),
    scheduleOf(db, seriesId, actor.clinicTimezone, now),
  ]);
  const today = formatDate(now, actor.clinicTimezone);
  return {
    linkActive: links[0] ? { expiresAt: links[0].expiresAt.toISOString(), createdAt: links[0].createdAt.toISOString() } : null,
    checkIns: rows.map((c) => ({
      id: c.id, day: c.day.toISOString().slice(0, 10), dueDay: c.dueDay?.toISOString().slice(0, 10) ?? null, submittedAt: c.submittedAt.toISOString(),
      sessionId: c.sessionId, painNrs: c.painNrs, enjoymentNrs: c.enjoymentNrs, activityNrs: c.activityNrs, peg: pegScore(c), note: c.note,
      sideEffects: c.sideEffects.map((s) => ({ kind: s.kind, label: sideEffectLabel(s.kind), severity: s.severity, severityLabel: SEVERITY_LABELS[s.severity] ?? String(s.severity) })),
    })),
    expectedDays: schedule.expectedDays,
    missedDays: missedCheckInDays({ today, expectedDays: schedule.expectedDays, checkInDays: schedule.checkInDays, linkWindows: schedule.linkWindows }),
    scheduleWords: schedule.scheduleWords,
  };
}

/**
 * The clinic's worklist of check-ins: active series whose patient missed an expected
 * check-in day (with a link issued, so a check-in was possible), and open flags from
 * patients' severe side effects.
 */
export async function checkInWorklist({ actor, now = new Date(), route = "internal" }: { actor: Actor; now?: Date; route?: string }) {
  requirePermission(actor, "patient:read");
  const today = formatDate(now, actor.clinicTimezone);
  const series = await db.series.findMany({
    where: { clinicId: actor.clinicId, status: "ACTIVE", checkInLinks: { some: {} } },
    select: { id: true, patient: { select: { id: true, givenName: true, familyName: true, mrn: true } } },
    orderBy: { createdAt: "asc" },
    take: 200,
  });
  const missed: { seriesId: string; patientId: string; patientName: string; mrn: string; missedDays: string[] }[] = [];
  for (const s of series) {
    const schedule = await scheduleOf(db, s.id, actor.clinicTimezone, now);
    const days = missedCheckInDays({ today, expectedDays: schedule.expectedDays, checkInDays: schedule.checkInDays, linkWindows: schedule.linkWindows });
    if (days.length) missed.push({ seriesId: s.id, patientId: s.patient.id, patientName: `${s.patient.givenName} ${s.patient.familyName}`, mrn: s.patient.mrn, missedDays: days });
  }
  const severe = await db.flag.findMany({
    where: { clinicId: actor.clinicId, code: "PATIENT_REPORTED_SEVERE_SIDE_EFFECT", acknowledgedAt: null, resolvedAt: null },
    select: { id: true, seriesId: true, raisedAt: true, valueText: true, series: { select: { patient: { select: { id: true, givenName: true, familyName: true, mrn: true } } } } },
    orderBy: { raisedAt: "asc" },
  });
  // the worklist names patients: one access row for all of them (decision 0019)
  await recordAccess(actor, { route, record: "PatientList", recordId: actor.clinicId, patientIds: [...missed.map((m) => m.patientId), ...severe.map((f) => f.series.patient.id)] });
  return {
    missed: missed.map(({ patientId: _patientId, ...m }) => m),
    severe: severe.map((f) => ({ flagId: f.id, seriesId: f.seriesId, raisedAt: f.raisedAt.toISOString(), what: f.valueText, patientName: `${f.series.patient.givenName} ${f.series.patient.familyName}`, mrn: f.series.patient.mrn })),
  };
}

// ---------------------------------------------------------------------------------------
// Public: the patient's page and submission

type OpenLink = {
  id: string; clinicId: string; seriesId: string; expiresAt: Date; revokedAt: Date | null;
  clinic: { name: string; phone: string; timezone: string; checkInLinkDaysAfterEnd: number; checkInSideEffectKinds: string[] };
  series: { closedAt: Date | null; patient: { givenName: string } };
};

async function findUsableLink(tx: Tx | typeof db, token: string, now: Date): Promise<OpenLink | null> {
  // a malformed token is hashed and looked up like any other: the same path, the same answer
  const link = await tx.checkInLink.findUnique({
    where: { tokenHash: hashToken(token) },
    select: {
      id: true, clinicId: true, seriesId: true, expiresAt: true, revokedAt: true,
      clinic: { select: { name: true, phone: true, timezone: true, checkInLinkDaysAfterEnd: true, checkInSideEffectKinds: true } },
      series: { select: { closedAt: true, patient: { select: { givenName: true } } } },
    },
  });
  if (!link || !CHECK_IN_TOKEN_PATTERN.test(token)) return null;
  const state = linkState({
    expiresAtMs: link.expiresAt.getTime(), revokedAtMs: link.revokedAt?.getTime() ?? null,
    seriesClosedAtMs: link.series.closedAt?.getTime() ?? null, daysAfterEnd: link.clinic.checkInLinkDaysAfterEnd, nowMs: now.getTime(),
  });
  return state === "USABLE" ? link : null;
}

export interface CheckInPageDto {
  firstName: string;
  clinicName: string;
  clinicPhone: string;
  today: string;
  alreadyToday: boolean;
  /** the expected day this check-in would answer when it is late, else null */
  lateFor: string | null;
  sideEffectKinds: { code: string; label: string }[];
}

/**
 * What the patient's page shows: the first name and the clinic's name only, whether today's
 * check-in is done. Null for every token that does not open a check-in. The read is audited
 * as the patient's (a read of patient data).
 */
export async function openCheckIn({ token, now = new Date() }: { token: string; now?: Date }): Promise<CheckInPageDto | null> {
  const link = await findUsableLink(db, token, now);
  if (!link) return null;
  const today = formatDate(now, link.clinic.timezone);
  const schedule = await scheduleOf(db, link.seriesId, link.clinic.timezone, now);
  const patient = patientLinkActor(link.clinicId, link.id);
  await db.$transaction((tx) => writeAudit(tx, { clinicId: link.clinicId, actorId: null, action: "check-in.view", entityType: "CheckInLink", entityId: link.id, after: { by: patient.name, linkId: link.id } }));
  const due = dueDayFor({ today, expectedDays: schedule.expectedDays, checkInDays: schedule.checkInDays });
  return {
    firstName: link.series.patient.givenName,
    clinicName: link.clinic.name,
    clinicPhone: link.clinic.phone,
    today,
    alreadyToday: schedule.checkInDays.includes(today),
    lateFor: due.isLate ? due.dueDay : null,
    sideEffectKinds: checkInSideEffectChoices(link.clinic.checkInSideEffectKinds),
  };
}

/**
 * Stores a patient's check-in: one a clinic-local day per series. Writes the FOLLOW_UP pain
 * score (reportedBy PATIENT, attributed to the session it follows, so durability uses it),
 * the PEG items, the side effects and note; a severe side effect raises a flag a physician
 * acknowledges. All audited as the patient, in one transaction.
 */
export async function submitCheckIn({ token, input, now = new Date() }: { token: string; input: CheckInInput; now?: Date }) {
  return db.$transaction((tx) => withDeferredAudit(tx, async () => {
    const link = await findUsableLink(tx, token, now);
    if (!link) throw neutralNotFound();
    // only what the page asked: a kind the clinic does not ask about is refused, not stored
    const asked = new Set(checkInSideEffectChoices(link.clinic.checkInSideEffectKinds).map((k) => k.code as string));
    if (input.sideEffects.some((s) => !asked.has(s.kind)))
      throw new AppError("BAD_INPUT", { userMessage: "Please check your answers.", fields: { sideEffects: "choose a side effect from the list" } });
    // one check-in at a time per series: the day's uniqueness is checked, then inserted
    await tx.$executeRaw`SELECT 1 FROM "Series" WHERE id = ${link.seriesId} FOR UPDATE`;
    const today = formatDate(now, link.clinic.timezone);
    const schedule = await scheduleOf(tx, link.seriesId, link.clinic.timezone, now);
    if (schedule.checkInDays.includes(today))
      throw conflict("You have already checked in today. Thank you: you can check in again tomorrow.");
    const due = dueDayFor({ today, expectedDays: schedule.expectedDays, checkInDays: schedule.checkInDays });
    const patient = patientLinkActor(link.clinicId, link.id);
    const pain = await tx.painScore.create({
      data: {
        seriesId: link.seriesId, sessionId: schedule.lastDoneSessionId, at: now, score: input.painNrs, scale: "NRS", phase: "FOLLOW_UP",
        reportedBy: "PATIENT", enteredById: "patient", enteredAt: now,
      },
      select: { id: true },
    });
    const severe = hasSevereSideEffect(input.sideEffects);
    const checkIn = await tx.checkIn.create({
      data: {
        clinicId: link.clinicId, seriesId: link.seriesId, linkId: link.id, sessionId: schedule.lastDoneSessionId,
        day: new Date(`${today}T00:00:00Z`), dueDay: due.isLate && due.dueDay ? new Date(`${due.dueDay}T00:00:00Z`) : null,
        submittedAt: now, painNrs: input.painNrs, enjoymentNrs: input.enjoymentNrs, activityNrs: input.activityNrs,
        note: input.note ? input.note : null, painScoreId: pain.id, hasSevereSideEffect: severe,
        sideEffects: { create: input.sideEffects.map((s) => ({ kind: s.kind, severity: s.severity })) },
      },
      select: { id: true },
    });
    const by = { by: patient.name, linkId: link.id };
    await writeAudit(tx, { clinicId: link.clinicId, actorId: null, action: "check-in.submit", entityType: "CheckIn", entityId: checkIn.id, after: { ...by, day: today, dueDay: due.isLate ? due.dueDay : null, painNrs: input.painNrs, enjoymentNrs: input.enjoymentNrs, activityNrs: input.activityNrs, sideEffects: input.sideEffects, note: input.note ?? null } });
    await writeAudit(tx, { clinicId: link.clinicId, actorId: null, action: "chart-follow-up", entityType: "PainScore", entityId: pain.id, after: { ...by, score: input.painNrs, scale: "NRS", phase: "FOLLOW_UP", reportedBy: "PATIENT" } });
    if (severe) {
      const worst = input.sideEffects.filter((s) => s.severity >= 3).map((s) => sideEffectLabel(s.kind));
      const code = "PATIENT_REPORTED_SEVERE_SIDE_EFFECT" as const;
      const flag = await tx.flag.create({
        data: {
          clinicId: link.clinicId, seriesId: link.seriesId, sessionId: schedule.lastDoneSessionId, code, severity: FLAG_SEVERITY[code],
          valueText: `${worst.join(", ")}: severe`, limitText: "below severe", message: `${FLAG_LABELS[code]} on a check-in (${today})`,
          sourceType: "CheckIn", sourceId: checkIn.id, raisedById: "patient", raisedAt: now,
        },
        select: { id: true },
      });
      await writeAudit(tx, { clinicId: link.clinicId, actorId: null, action: "flag.raise", entityType: "Flag", entityId: flag.id, after: { ...by, code } });
    }
    return {
      checkIn: { id: checkIn.id, day: today, late: due.isLate, lateFor: due.isLate ? due.dueDay : null },
      severe,
      clinicPhone: link.clinic.phone,
    };
  }));
}
