// The export's batch query (lib/server/sql/export-batch.ts: one SQL query per batch, charted rows
// as JSON) against the Prisma include it replaced, on the edge cases that matter: nothing charted, corrections and
// retractions, a paused infusion, flags open and acknowledged, two readings at the same time,
// another clinic's session; then an export larger than a page of ids with tied opening times,
// and a PDF of more than one batch.
import { parse } from "csv-parse/sync";
import { extractText, getDocumentProxy } from "unpdf";
import { beforeAll, describe, expect, it } from "vitest";
import { csvField } from "@/lib/domain/csv";
import { SUMMARY_COLUMNS } from "@/lib/domain/session-summary";
import { acknowledgeFlags, completeSession, recordSideEffect, retractEntry } from "@/lib/server/sessions";
import { EXPORT_BATCH_SIZE, openSessionExport, readExportRows, toExportedSession, type ExportRow } from "@/lib/server/exports";
import { EXPORT_BATCH_STATEMENT, exportBatchSql } from "@/lib/server/sql/export-batch";
import { preparedStatementName } from "@/lib/server/db";
import { ExportQuerySchema } from "@/lib/validation/export";
import { CompleteSessionSchema, SideEffectSchema } from "@/lib/validation/session";
import { at, dose, openSession, pain, vitals, type Clinic } from "@/test/charting";
import { db, freshClinic } from "@/test/helpers";

const NEURO = "Chronic neuropathic pain 0.1-0.3 mg/kg/h";
/** 2026-04-{day} 14:00 UTC (10:00 in New York) + minutes */
const D = (day: number, minutes = 0) => at(minutes, new Date(Date.UTC(2026, 3, day, 14)));

/**
 * The reference: the session as the former Prisma `include` read it (every charted row,
 * ordered by time then entry), in the batch query's shape.
 */
async function readWithPrismaInclude(ids: string[]): Promise<ExportRow[]> {
  const correction = { id: true, correctsId: true, isRetraction: true, queuedAt: true } as const;
  const chartOrder = [{ at: "asc" }, { enteredAt: "asc" }, { id: "asc" }] as const;
  const sessions = await db.infusionSession.findMany({
    where: { id: { in: ids } },
    include: {
      series: { select: { patient: true, orderingPhysician: { select: { name: true } }, protocolVersion: { include: { protocol: { select: { name: true, route: true } } } } } },
      nurse: { select: { name: true } },
      signedBy: { select: { name: true } },
      doseEvents: { select: { ...correction, type: true, at: true, enteredAt: true, rateUgPerKgPerH: true, bolusUg: true }, orderBy: [...chartOrder] },
      vitals: { select: { ...correction, at: true, enteredAt: true, systolicMmHg: true, diastolicMmHg: true, heartRatePerMin: true, spo2Pct: true, respRatePerMin: true, temperatureDeciC: true }, orderBy: [...chartOrder] },
      painScores: { select: { ...correction, at: true, enteredAt: true, score: true, scale: true, phase: true, reportedBy: true }, orderBy: [...chartOrder] },
      sideEffects: { select: { ...correction, at: true, enteredAt: true, kind: true, severity: true, intervention: true, note: true }, orderBy: [...chartOrder] },
      flags: { orderBy: [{ raisedAt: "asc" }, { id: "asc" }] },
    },
  });
  const atMs = <T extends { at: Date; enteredAt: Date; queuedAt: Date | null }>({ at: t, enteredAt, queuedAt, ...rest }: T) => ({ ...rest, atMs: t.getTime(), enteredAtMs: enteredAt.getTime(), queuedAtMs: queuedAt?.getTime() ?? null });
  const byId = new Map(sessions.map((s): [string, ExportRow] => [s.id, {
    id: s.id, status: s.status, weightG: s.weightG, concentrationUgPerMl: s.concentrationUgPerMl,
    openedAtMs: s.openedAt.getTime(), completedAtMs: s.completedAt?.getTime() ?? null, signedAtMs: s.signedAt?.getTime() ?? null,
    patientId: s.series.patient.id, mrn: s.series.patient.mrn, givenName: s.series.patient.givenName, familyName: s.series.patient.familyName,
    birthDate: s.series.patient.birthDate.toISOString().slice(0, 10), sex: s.series.patient.sex,
    protocolVersionId: s.series.protocolVersion.id, protocolVersion: s.series.protocolVersion.version,
    protocolName: s.series.protocolVersion.protocol.name, route: s.series.protocolVersion.protocol.route,
    nurseName: s.nurse.name, physicianName: s.series.orderingPhysician.name, signedByName: s.signedBy?.name ?? null,
    enteredAtMs: s.enteredAt.getTime(), lateEntryReason: s.lateEntryReason,
    doseEvents: s.doseEvents.map(atMs), vitals: s.vitals.map(atMs), painScores: s.painScores.map(atMs), sideEffects: s.sideEffects.map(atMs),
    flags: s.flags.map((f) => ({
      id: f.id, code: f.code, severity: f.severity, message: f.message, valueText: f.valueText, limitText: f.limitText, reason: f.reason,
      raisedAtMs: f.raisedAt.getTime(), acknowledgedAtMs: f.acknowledgedAt?.getTime() ?? null, acknowledgedById: f.acknowledgedById, ackReason: f.ackReason,
      resolvedAtMs: f.resolvedAt?.getTime() ?? null, resolution: f.resolution,
    })),
  }]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

const sideEffect = (c: Clinic, sessionId: string, t: Date, raw: Record<string, unknown>) =>
  db.$transaction((tx) => recordSideEffect(tx, { actor: c.actors.nurse, sessionId, now: t, input: SideEffectSchema.parse({ at: t.toISOString(), ...raw }) }));
const retract = (c: Clinic, sessionId: string, kind: "dose-events" | "vitals" | "pain" | "side-effects", entryId: string, t: Date) =>
  db.$transaction((tx) => retractEntry(tx, { actor: c.actors.nurse, sessionId, kind, entryId, correctionReason: "entered in error", now: t }));

describe("export batch query", () => {
  let c: Clinic;
  let other: Clinic;
  const ids: Record<"empty" | "corrected" | "paused" | "flagged" | "tied" | "otherClinic", string> = {} as never;

  beforeAll(async () => {
    c = await freshClinic();
    other = await freshClinic();
    const n = c.actors.nurse;

    // nothing charted after opening
    ids.empty = (await openSession(c, NEURO, D(1))).session.id;

    // corrections and retractions of every kind, then completed
    const corrected = (await openSession(c, NEURO, D(2, -5))).session.id;
    ids.corrected = corrected;
    const pre = await pain(n, corrected, D(2, -2), { score: 8, phase: "PRE" });
    await retract(c, corrected, "pain", pre.painScore.id, D(2, -1));
    await pain(n, corrected, D(2, -1), { score: 6, phase: "PRE" });
    await dose(n, corrected, D(2, 0), { type: "START", rateMgPerKgPerH: 0.15 });
    const rate = await dose(n, corrected, D(2, 20), { type: "RATE_CHANGE", rateMgPerKgPerH: 0.3 });
    await dose(n, corrected, D(2, 21), { type: "RATE_CHANGE", rateMgPerKgPerH: 0.2, correctsId: rate.doseEvent.id, correctionReason: "wrong rate keyed" });
    const v = await vitals(n, corrected, D(2, 15), { systolicMmHg: 185 });
    await vitals(n, corrected, D(2, 16), { systolicMmHg: 135, correctsId: v.vitals.id, correctionReason: "cuff too small" }, D(2, 16));
    const se = await sideEffect(c, corrected, D(2, 25), { kind: "DIZZINESS", severity: 3 });
    await retract(c, corrected, "side-effects", se.sideEffect.id, D(2, 26));
    await sideEffect(c, corrected, D(2, 27), { kind: "NAUSEA_VOMITING", severity: 1, note: "mild, \"settled\"" });
    await dose(n, corrected, D(2, 90), { type: "STOP" });
    await pain(n, corrected, D(2, 95), { score: 3, phase: "POST" });
    await db.$transaction((tx) => completeSession(tx, { actor: n, sessionId: corrected, now: D(2, 100), input: CompleteSessionSchema.parse({ dischargeReady: true }) }));

    // paused and still in progress
    ids.paused = (await openSession(c, NEURO, D(3, -5))).session.id;
    await dose(n, ids.paused, D(3, 0), { type: "START", rateMgPerKgPerH: 0.2 });
    await dose(n, ids.paused, D(3, 30), { type: "PAUSE", reason: "nausea" });

    // flags raised (above the documented range, high blood pressure), one acknowledged
    ids.flagged = (await openSession(c, NEURO, D(4, -5))).session.id;
    await dose(n, ids.flagged, D(4, 0), { type: "START", rateMgPerKgPerH: 0.2 });
    await dose(n, ids.flagged, D(4, 20), { type: "RATE_CHANGE", rateMgPerKgPerH: 0.45, reason: "pain uncontrolled" });
    await vitals(n, ids.flagged, D(4, 25), { systolicMmHg: 175, diastolicMmHg: 104 });
    // the timeline engine also raises BASELINE_VITALS_MISSING (no set before START) and
    // VITALS_OVERDUE (none within 15 min of START): decision 0009; left out here
    const flags = (await db.flag.findMany({ where: { sessionId: ids.flagged }, orderBy: { raisedAt: "asc" } }))
      .filter((f) => f.code !== "BASELINE_VITALS_MISSING" && f.code !== "VITALS_OVERDUE");
    // 0.45 mg/kg/h above the documented 0.3 (charted first), then SBP 175 >= 160 and DBP 104 >= 100 together
    expect(flags[0]!.code).toBe("RATE_ABOVE_RANGE");
    expect(flags.map((f) => f.code).sort()).toEqual(["DBP_HIGH", "RATE_ABOVE_RANGE", "SBP_HIGH"]);
    await db.$transaction((tx) => acknowledgeFlags(tx, { actor: c.actors.physician, flagIds: [flags[0]!.id], reason: "seen, plan kept", now: D(4, 40) }));

    // two readings at the same minute, entered a minute apart: chart order is entry order
    ids.tied = (await openSession(c, NEURO, D(5, -5))).session.id;
    await vitals(n, ids.tied, D(5, 10), { heartRatePerMin: 91 }, D(5, 10));
    await vitals(n, ids.tied, D(5, 10), { heartRatePerMin: 92 }, D(5, 11));

    ids.otherClinic = (await openSession(other, NEURO, D(1))).session.id;
  }, 120_000);

  it("returns exactly the rows the Prisma include read, in the order asked, corrections and retractions included", async () => {
    const wanted = [ids.tied, ids.empty, ids.corrected, ids.paused, ids.flagged];
    const rows = await readExportRows(c.clinic.id, wanted);
    expect(rows.map((r) => r.id)).toEqual(wanted);
    expect(rows).toEqual(await readWithPrismaInclude(wanted));
    // the comparison is not vacuous: every kind of row is there, the replaced and withdrawn ones too
    const corrected = rows[2]!;
    expect(corrected.painScores.filter((p) => p.isRetraction)).toHaveLength(1);
    expect(corrected.vitals.filter((x) => x.correctsId !== null)).toHaveLength(1);
    expect(corrected.doseEvents.filter((x) => x.correctsId !== null)).toHaveLength(1);
    expect(corrected.sideEffects.map((x) => x.note)).toContain('mild, "settled"');
    expect(rows[4]!.flags.map((f) => f.acknowledgedAtMs === null)).toContain(false);
    expect(rows[0]!.vitals.map((x) => x.heartRatePerMin)).toEqual([91, 92]);
    expect(rows[1]).toMatchObject({ doseEvents: [], vitals: [], painScores: [], sideEffects: [], flags: [], completedAtMs: null, signedByName: null });
  });

  it("is prepared once per connection under its own name; every pooled connection answers the same", async () => {
    expect(preparedStatementName({ sql: exportBatchSql(c.clinic.id, [ids.empty]).text })).toBe(EXPORT_BATCH_STATEMENT);
    const wanted = [ids.corrected, ids.flagged, ids.tied];
    const reads = await Promise.all(Array.from({ length: 12 }, () => readExportRows(c.clinic.id, wanted)));
    for (const r of reads) expect(r).toEqual(reads[0]);
    expect(reads[0]).toEqual(await readWithPrismaInclude(wanted));
  });

  it("another clinic's session is never read, even when its id is asked for", async () => {
    expect(await readExportRows(c.clinic.id, [ids.otherClinic])).toEqual([]);
    expect((await readExportRows(c.clinic.id, [ids.otherClinic, ids.empty])).map((r) => r.id)).toEqual([ids.empty]);
    expect((await readExportRows(other.clinic.id, [ids.empty, ids.otherClinic])).map((r) => r.id)).toEqual([ids.otherClinic]);
  });

  it("the summary uses the rows in force only: corrected values, retracted entries gone; a paused infusion has no end", async () => {
    const [corrected, paused, flagged, empty] = await readExportRows(c.clinic.id, [ids.corrected, ids.paused, ids.flagged, ids.empty]);
    const ctx = { clinicName: c.clinic.name, timeZone: c.clinic.timezone, userNames: new Map<string, string>(), protocolVersions: new Map(), nowMs: D(3, 60).getTime() };
    expect(toExportedSession(corrected!, ctx).summary).toMatchObject({
      worstSystolicMmHg: 135, preScore: 6, postScore: 3, reliefPct: 50, peakRateMgPerKgPerH: "0.200", sideEffects: "NAUSEA_VOMITING:1", maxSideEffectSeverity: 1, status: "COMPLETED",
    });
    // 0.2 mg/kg/h for the 30 minutes before the pause, then nothing: 0.1 mg/kg × 70.4 kg
    expect(toExportedSession(paused!, ctx).summary).toMatchObject({ status: "IN_PROGRESS", end: null, durationMin: null, totalMgPerKg: "0.100", totalMg: "7.04" });
    const f = toExportedSession(flagged!, { ...ctx, nowMs: D(4, 60).getTime() }).summary;
    // three flags, the rate one acknowledged
    // RATE_ABOVE_RANGE (acknowledged), SBP_HIGH, DBP_HIGH, and the engine's BASELINE_VITALS_MISSING and VITALS_OVERDUE
    expect([f.flagCount, f.acknowledgedFlags, f.openFlags]).toEqual([5, 1, 4]);
    expect(toExportedSession(empty!, ctx).summary).toMatchObject({ totalMg: "0.00", preScore: null, worstSystolicMmHg: null, sideEffects: "", flagCount: 0 });
  });

  it("the CSV of these sessions (status all) holds one row each with the same values, and nothing of the other clinic", async () => {
    const exp = await openSessionExport({ actor: c.actors.admin, query: ExportQuerySchema.parse({ format: "csv", status: "all", from: "2026-04-01", to: "2026-04-05" }), now: D(6) });
    const chunks: Uint8Array[] = [];
    for (const reader = exp.stream.getReader(); ;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    const rows: string[][] = parse(Buffer.concat(chunks).toString("utf8").slice(1));
    expect(rows).toHaveLength(1 + 5);
    const ctx = { clinicName: c.clinic.name, timeZone: c.clinic.timezone, userNames: new Map<string, string>(), protocolVersions: new Map(), nowMs: D(6).getTime() };
    const expected = (await readWithPrismaInclude([ids.empty, ids.corrected, ids.paused, ids.flagged, ids.tied])).map((r) => toExportedSession(r, ctx).summary);
    expect(rows.slice(1)).toEqual(expected.map((s) => SUMMARY_COLUMNS.map((col) => {
      const f = csvField(s[col.key]);
      return f.startsWith('"') ? f.slice(1, -1).replace(/""/g, '"') : f;
    })));
  });
});

/** `count` signed sessions on 2026-04-21 of a fresh clinic, seven to an opening minute (ties in openedAt), each with its own weight (50.0 kg + 0.1 kg per session). */
async function clinicWithManySessions(count: number) {
  const c = await freshClinic();
  const { series } = await openSession(c, NEURO, D(20));
  await db.infusionSession.createMany({
    data: Array.from({ length: count }, (_, i) => ({
      clinicId: c.clinic.id, seriesId: series.id, sequence: 10_000 + i, weightG: 50_000 + 100 * i, concentrationUgPerMl: 1000, status: "SIGNED" as const,
      consentConfirmed: true, screeningReviewed: true, openedAt: D(21, Math.floor(i / 7)), completedAt: D(21, 60 + Math.floor(i / 7)),
      nurseId: c.nurse.id, signedAt: D(21, 61 + Math.floor(i / 7)), signedById: c.nurse.id,
    })),
  });
  return c;
}

async function readAll(stream: ReadableStream<Uint8Array>) {
  const chunks: Uint8Array[] = [];
  for (const reader = stream.getReader(); ;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    chunks.push(value);
  }
}

describe("exports of more than one batch", () => {
  it("CSV larger than a page of ids (1,000), page boundaries inside tied opening times: every session exactly once, in (openedAt, id) order", async () => {
    const COUNT = 1_050;
    const c = await clinicWithManySessions(COUNT);
    const exp = await openSessionExport({ actor: c.actors.admin, query: ExportQuerySchema.parse({ format: "csv", from: "2026-04-21", to: "2026-04-21" }) });
    expect(exp.total).toBe(COUNT);
    const rows: string[][] = parse(Buffer.concat(await readAll(exp.stream)).toString("utf8").slice(1));
    await exp.audited;
    const weightsG = rows.slice(1).map((r) => Math.round(Number(r[11]) * 1000)); // Weight (kg), one decimal: unique per session here
    expect(new Set(weightsG).size).toBe(COUNT);
    const expected = await db.infusionSession.findMany({ where: { clinicId: c.clinic.id, openedAt: { gte: D(21, 0), lt: D(22, 0) } }, orderBy: [{ openedAt: "asc" }, { id: "asc" }], select: { weightG: true } });
    expect(weightsG).toEqual(expected.map((s) => s.weightG));
    const audit = await db.auditEvent.findFirstOrThrow({ where: { clinicId: c.clinic.id, action: "export.sessions" }, orderBy: { id: "desc" } });
    expect(audit.after).toMatchObject({ outcome: "completed", rowCount: COUNT, expected: COUNT });
  }, 120_000);

  it("PDF of more than one batch: one page per session, readable, streamed one piece per batch", async () => {
    const COUNT = EXPORT_BATCH_SIZE + 15;
    const c = await clinicWithManySessions(COUNT);
    const exp = await openSessionExport({ actor: c.actors.admin, query: ExportQuerySchema.parse({ format: "pdf", from: "2026-04-21", to: "2026-04-21" }) });
    const chunks = await readAll(exp.stream);
    await exp.audited;
    // pdfkit writes a dozen tiny pieces per PDF object; the response gets them joined per batch
    expect(chunks.length).toBeLessThanOrEqual(Math.ceil(COUNT / EXPORT_BATCH_SIZE) + 1);
    const pdf = await getDocumentProxy(new Uint8Array(Buffer.concat(chunks)));
    expect(pdf.numPages).toBe(COUNT);
    const { text } = await extractText(pdf, { mergePages: false });
    expect(text[0]).toContain("Ketamine infusion: session summary");
    expect(text[COUNT - 1]).toContain("Titration");
    // the pages are the sessions in order: the first and the last by their weight
    expect(text[0]).toContain("Weight used 50.0 kg");
    expect(text[COUNT - 1]).toContain(`Weight used ${(50 + (COUNT - 1) / 10).toFixed(1)} kg`);
  }, 120_000);
});
