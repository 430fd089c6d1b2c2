// Streamed exports (docs/decisions/0006-exports.md) against real PostgreSQL. Sessions are charted through the real
// services; the CSV is parsed back with an independent parser, the FHIR bundle validated
// with an independent validator, the PDF's text extracted.
import { parse } from "csv-parse/sync";
import { extractText, getDocumentProxy } from "unpdf";
import { beforeAll, describe, expect, it } from "vitest";
import { buildSessionSummary, SUMMARY_COLUMNS } from "@/lib/domain/session-summary";
import { csvField } from "@/lib/domain/csv";
import { effectiveRows } from "@/lib/domain/charting";
import { completeSession, getSessionChart, recordSideEffect, signSession } from "@/lib/server/sessions";
import type { Actor } from "@/lib/server/actor";
import { countExportSessions, EXPORT_BATCH_SIZE, openSessionExport } from "@/lib/server/exports";
import { ExportQuerySchema } from "@/lib/validation/export";
import { CompleteSessionSchema, SideEffectSchema } from "@/lib/validation/session";
import { at, dose, expectAppError, openSession, pain, vitals, type Clinic } from "@/test/charting";
import { fhirErrors, loadValidators } from "@/test/fhir-validator";
import { expectBundleMatchesCharts } from "@/test/fhir-read-check";
import { db, freshClinic, snapshotTables } from "@/test/helpers";

const NEURO = "Chronic neuropathic pain 0.1-0.3 mg/kg/h";
const D = (day: number, minutes = 0) => at(minutes, new Date(Date.UTC(2026, 2, day, 14)));

/** Charts a whole session on `day` (09:00 New York): start, rate change, bolus, vitals, pain, a side effect, stop, complete, sign. */
async function chartedSession(c: Clinic, day: number, opts: { sign?: boolean; givenName?: string } = {}) {
  const { patient, session } = await openSession(c, NEURO, D(day, -5));
  if (opts.givenName) await db.patient.update({ where: { id: patient.id }, data: { givenName: opts.givenName } });
  const n = c.actors.nurse;
  await pain(n, session.id, D(day, -2), { score: 8, phase: "PRE" });
  await vitals(n, session.id, D(day, 0), { isBaseline: true });
  await dose(n, session.id, D(day, 0), { type: "START", rateMgPerKgPerH: 0.15 });
  await vitals(n, session.id, D(day, 15), { systolicMmHg: 165, diastolicMmHg: 92 });
  await dose(n, session.id, D(day, 20), { type: "RATE_CHANGE", rateMgPerKgPerH: 0.25 });
  await db.$transaction((tx) => recordSideEffect(tx, { actor: n, sessionId: session.id, now: D(day, 25), input: SideEffectSchema.parse({ at: D(day, 25).toISOString(), kind: "NAUSEA_VOMITING", severity: 2, intervention: "ONDANSETRON" }) }));
  await vitals(n, session.id, D(day, 30), { spo2Pct: 94 });
  await dose(n, session.id, D(day, 90), { type: "STOP" });
  await pain(n, session.id, D(day, 95), { score: 3, phase: "POST" });
  await db.$transaction((tx) => completeSession(tx, { actor: n, sessionId: session.id, now: D(day, 100), input: CompleteSessionSchema.parse({ dischargeReady: true }) }));
  if (opts.sign !== false) {
    const open = await db.flag.findMany({ where: { sessionId: session.id, severity: "HARD", acknowledgedAt: null } });
    expect(open).toEqual([]);
    await db.$transaction((tx) => signSession(tx, { actor: n, sessionId: session.id, now: D(day, 105) }));
  }
  return { patient, sessionId: session.id };
}

/** The whole export as bytes (read to its end, as a download would). */
async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.from(await new Response(stream).arrayBuffer());
}

async function exportAs(actor: Actor, raw: Record<string, string>) {
  const exp = await openSessionExport({ actor, query: ExportQuerySchema.parse(raw), now: new Date("2026-03-20T12:00:00Z") });
  const body = await readAll(exp.stream);
  await exp.audited;
  return { exp, body };
}

const auditRows = (clinicId: string) => db.auditEvent.findMany({ where: { clinicId, action: "export.sessions" }, orderBy: { id: "asc" } });

describe("session exports", () => {
  let c: Clinic;
  let other: Clinic;
  let A: Awaited<ReturnType<typeof chartedSession>>;
  let B: Awaited<ReturnType<typeof chartedSession>>;
  let unsigned: Awaited<ReturnType<typeof chartedSession>>;

  beforeAll(async () => {
    c = await freshClinic();
    other = await freshClinic();
    A = await chartedSession(c, 2, { givenName: "=HYPERLINK(\"x\")" });
    B = await chartedSession(c, 5, { givenName: "Zoë, \"Jo\"" });
    unsigned = await chartedSession(c, 6, { sign: false });
    await chartedSession(other, 3);
    await loadValidators();
  }, 240_000);

  it("CSV: BOM, header of SUMMARY_COLUMNS, CRLF; parses back to exactly buildSessionSummary's values; clinic-scoped", async () => {
    const { exp, body } = await exportAs(c.actors.admin, { format: "csv" });
    expect(exp.total).toBe(2);
    expect(exp.fileName).toBe("titrate-sessions-all-dates.csv");
    const text = body.toString("utf8");
    expect(text.startsWith("\uFEFF")).toBe(true);
    expect(text.split("\r\n").length).toBe(4); // header, 2 rows, trailing empty
    const rows: string[][] = parse(text.slice(1), { relaxColumnCount: false });
    expect(rows[0]).toEqual(SUMMARY_COLUMNS.map((col) => col.header));
    expect(rows).toHaveLength(3);
    // the expected row: the same summary builder fed from the chart the session screen reads
    for (const [i, sessionId] of [A.sessionId, B.sessionId].entries()) {
      const chart = await getSessionChart({ actor: c.actors.admin, sessionId });
      const series = await db.series.findFirstOrThrow({ where: { sessions: { some: { id: sessionId } } }, include: { orderingPhysician: true } });
      const expected = buildSessionSummary({
        clinicName: c.clinic.name, timeZone: c.clinic.timezone, mrn: chart.patient.mrn, patientName: chart.patient.name, birthDate: chart.patient.birthDate,
        protocolName: chart.protocol.name, protocolVersion: chart.protocol.version, status: chart.status,
        openedAtMs: Date.parse(chart.openedAt), completedAtMs: chart.completedAt ? Date.parse(chart.completedAt) : null, signedAtMs: chart.signedAt ? Date.parse(chart.signedAt) : null,
        weightG: chart.weightG, nurseName: chart.nurse, physicianName: series.orderingPhysician.name, signedByName: chart.signedBy,
        doseEvents: effectiveRows(chart.doseEvents).map((e) => ({ type: e.type, atMs: Date.parse(e.at), rateUgPerKgPerH: e.rateUgPerKgPerH, bolusUg: e.bolusUg })),
        vitals: effectiveRows(chart.vitals), pain: effectiveRows(chart.painScores).map((p) => ({ ...p, atMs: Date.parse(p.at) })),
        sideEffects: effectiveRows(chart.sideEffects), flags: chart.flags.map((f) => ({ acknowledged: f.acknowledgedAt !== null })),
      }, Date.now());
      // a CSV field holds the neutralised text: compare with csvField's unquoted value
      expect(rows[i + 1]).toEqual(SUMMARY_COLUMNS.map((col) => {
        const f = csvField(expected[col.key]);
        return f.startsWith('"') ? f.slice(1, -1).replace(/""/g, '"') : f;
      }));
    }
    // concrete values, so the comparison above cannot pass vacuously
    const row = Object.fromEntries(rows[0]!.map((h, j) => [h, rows[1]![j]]));
    expect(row["Patient name"]).toBe('Test, =HYPERLINK("x")'); // starts with "Test": data, not a formula
    expect(rows[2]![2]).toBe('Test, Zoë, "Jo"');
    expect(row).toMatchObject({ "Start": "2026-03-02T09:00:00-05:00", "Total dose (mg)": expect.stringMatching(/^\d+\.\d\d$/), "Peak rate (mg/kg/h)": "0.250", "Pain before": "8", "Pain after": "3", "Relief (%)": "62.5", "Highest SBP (mmHg)": "165", "Lowest SpO2 (%)": "94", "Side effects (kind:max severity 0-3)": "NAUSEA_VOMITING:2", "Status": "SIGNED" });
    expect(text).not.toContain(unsigned.patient.mrn);
  });

  it("formula neutralisation reaches the file: a name beginning with = is written with an apostrophe", async () => {
    await db.patient.update({ where: { id: A.patient.id }, data: { familyName: "=cmd|' /C calc'!A0" } });
    try {
      const { body } = await exportAs(c.actors.admin, { format: "csv" });
      const rows: string[][] = parse(body.toString("utf8").slice(1));
      expect(rows[1]![2]).toBe("'=cmd|' /C calc'!A0, =HYPERLINK(\"x\")");
    } finally {
      // the other tests of this file read patient A as charted, whatever this one found
      await db.patient.update({ where: { id: A.patient.id }, data: { familyName: "Test" } });
    }
  });

  it("FHIR: a running session is exported and reads back with its totals to the bundle's timestamp", async () => {
    const k = await freshClinic();
    const { session } = await openSession(k, NEURO, D(9, -5));
    const n = k.actors.nurse;
    await vitals(n, session.id, D(9, 0), { isBaseline: true });
    await dose(n, session.id, D(9, 0), { type: "START", rateMgPerKgPerH: 0.15 });
    await dose(n, session.id, D(9, 20), { type: "RATE_CHANGE", rateMgPerKgPerH: 0.25 });
    await dose(n, session.id, D(9, 30), { type: "BOLUS", bolusMg: 5 });
    const now = D(9, 47);
    const exp = await openSessionExport({ actor: k.actors.physician, query: ExportQuerySchema.parse({ format: "fhir", status: "in_progress" }), now });
    const bundle = JSON.parse((await readAll(exp.stream)).toString("utf8"));
    await exp.audited;
    expect(bundle.timestamp).toBe(now.toISOString());
    expect(bundle.entry.filter((e: { resource: { resourceType: string; status?: string } }) => e.resource.resourceType === "Encounter").map((e: { resource: { status: string } }) => e.resource.status)).toEqual(["in-progress"]);
    expect(await fhirErrors(bundle)).toEqual([]);
    // the chart at that instant has a dose still rising: 20 min at 0.15, 27 min at 0.25 mg/kg/h, and the bolus
    const chart = await getSessionChart({ actor: k.actors.physician, sessionId: session.id, now });
    expect(chart.status).toBe("IN_PROGRESS");
    expect(chart.totals).not.toEqual((await getSessionChart({ actor: k.actors.physician, sessionId: session.id, now: D(9, 40) })).totals);
    expect(await expectBundleMatchesCharts(bundle, k.actors.physician)).toBe(1);
  });

  it("filters: date range in the clinic's days, patient, protocol, status", async () => {
    const n = async (raw: Record<string, string>) => countExportSessions({ actor: c.actors.physician, filter: ExportQuerySchema.parse({ format: "csv", ...raw }) });
    expect(await n({ from: "2026-03-02", to: "2026-03-02" })).toBe(1);
    expect(await n({ from: "2026-03-03", to: "2026-03-05" })).toBe(1);
    expect(await n({ from: "2026-03-03" })).toBe(1);
    expect(await n({ to: "2026-03-01" })).toBe(0);
    expect(await n({ patientId: B.patient.id })).toBe(1);
    expect(await n({ status: "completed" })).toBe(1);
    expect(await n({ status: "all" })).toBe(3);
    expect(await n({ status: "all", protocolId: c.protocolByName(NEURO).protocol.id })).toBe(3);
    expect(await n({ status: "all", protocolId: c.protocolByName("Fibromyalgia 0.5 mg/kg over 40 minutes").protocol.id })).toBe(0);
  });

  it("FHIR: the streamed bundle parses, validates with both validators and reads back to each session's chart; references resolve; another clinic's patients are absent", async () => {
    const { exp, body } = await exportAs(c.actors.physician, { format: "fhir", status: "all" });
    expect(exp.contentType).toContain("application/fhir+json");
    const bundle = JSON.parse(body.toString("utf8"));
    expect(bundle).toMatchObject({ resourceType: "Bundle", type: "collection" });
    expect(await fhirErrors(bundle)).toEqual([]);
    // read back: every session's dose events, totals, vitals and flags as the session service has them
    expect(await expectBundleMatchesCharts(bundle, c.actors.physician)).toBe(3);
    expect(bundle.entry.filter((e: { resource: { resourceType: string } }) => e.resource.resourceType === "Flag").length).toBeGreaterThan(0);
    const types = bundle.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType);
    expect(types.filter((t: string) => t === "Encounter")).toHaveLength(3);
    expect(types.filter((t: string) => t === "Patient")).toHaveLength(3);
    expect(types.filter((t: string) => t === "MedicationAdministration")).toHaveLength(9);
    expect(types).toContain("Flag");
    const urls = new Set(bundle.entry.map((e: { fullUrl: string }) => e.fullUrl));
    for (const r of body.toString("utf8").match(/"reference":"([^"]+)"/g)!) expect(urls).toContain(r.slice(13, -1));
    const otherMrns = (await db.patient.findMany({ where: { clinicId: other.clinic.id } })).map((p) => p.mrn);
    for (const mrn of otherMrns) expect(body.toString("utf8")).not.toContain(mrn);
  });

  it("PDF: one page per session, the patient's MRN in the extracted text", async () => {
    const { exp, body } = await exportAs(c.actors.admin, { format: "pdf" });
    expect(exp.contentType).toBe("application/pdf");
    expect(body.subarray(0, 5).toString()).toBe("%PDF-");
    const pdf = await getDocumentProxy(new Uint8Array(body));
    const { totalPages, text } = await extractText(pdf, { mergePages: true });
    expect(totalPages).toBe(2);
    expect(text).toContain(A.patient.mrn);
    expect(text).toContain("Titration");
    expect(text).not.toContain(unsigned.patient.mrn);
  });

  it("another clinic's sessions never appear, whatever the filter", async () => {
    const { body } = await exportAs(other.actors.admin, { format: "csv", status: "all" });
    const rows: string[][] = parse(body.toString("utf8").slice(1));
    expect(rows).toHaveLength(2);
    expect(rows[1]![0]).toBe(other.clinic.name);
    // a patient id of clinic c is an unknown patient for clinic `other`
    await expectAppError(countExportSessions({ actor: other.actors.admin, filter: ExportQuerySchema.parse({ format: "csv", patientId: A.patient.id }) }), "BAD_INPUT");
  });

  it("every export writes one audit row with who, filter, format and the row count", async () => {
    const before = (await auditRows(c.clinic.id)).length;
    const { exp } = await exportAs(c.actors.physician, { format: "csv", from: "2026-03-01", to: "2026-03-31" });
    const rows = await auditRows(c.clinic.id);
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)).toMatchObject({
      actorId: c.physician.id, entityType: "Export", entityId: exp.exportId,
      after: expect.objectContaining({ format: "csv", rowCount: 2, outcome: "completed", filter: expect.objectContaining({ from: "2026-03-01", to: "2026-03-31", status: "signed" }) }),
    });
  });

  it("an aborted export is audited with the partial count", async () => {
    // more sessions than one batch, so the client can go away mid-stream; in a clinic of their
    // own, so the other tests' counts and files never see them
    const k = await freshClinic();
    const { series } = await openSession(k, NEURO, D(9));
    await db.infusionSession.createMany({
      data: Array.from({ length: EXPORT_BATCH_SIZE + 20 }, (_, i) => ({
        clinicId: k.clinic.id, seriesId: series.id, sequence: 1000 + i, weightG: 70_000, concentrationUgPerMl: 1000, status: "SIGNED" as const,
        consentConfirmed: true, screeningReviewed: true, openedAt: D(10, i), completedAt: D(10, i + 60), nurseId: k.nurse.id, signedAt: D(10, i + 61), signedById: k.nurse.id,
      })),
    });
    const exp = await openSessionExport({ actor: k.actors.admin, query: ExportQuerySchema.parse({ format: "csv", from: "2026-03-10", to: "2026-03-10" }) });
    expect(exp.total).toBe(EXPORT_BATCH_SIZE + 20);
    const reader = exp.stream.getReader();
    await reader.read(); // header
    await reader.read(); // first batch
    await reader.cancel();
    await exp.audited;
    expect((await auditRows(k.clinic.id)).at(-1)!.after).toMatchObject({ outcome: "aborted", rowCount: EXPORT_BATCH_SIZE, expected: EXPORT_BATCH_SIZE + 20 });
    // and a full read gets all of them, in order, across batches
    const { body } = await exportAs(k.actors.admin, { format: "csv", from: "2026-03-10", to: "2026-03-10" });
    const rows: string[][] = parse(body.toString("utf8").slice(1));
    expect(rows).toHaveLength(EXPORT_BATCH_SIZE + 21);
    const starts = rows.slice(1).map((r) => r[8]!);
    expect([...starts].sort()).toEqual(starts);
  });

  it("bad filters are BAD_INPUT with the field, and nothing is audited", async () => {
    const before = await snapshotTables();
    const bad = async (raw: Record<string, string>, field: string) => {
      const parsed = ExportQuerySchema.safeParse(raw);
      if (!parsed.success) {
        expect(parsed.error.issues.map((i) => i.path.join("."))).toContain(field);
        return;
      }
      const err = await expectAppError(openSessionExport({ actor: c.actors.admin, query: parsed.data }), "BAD_INPUT");
      expect(Object.keys(err.fields ?? {})).toContain(field);
    };
    await bad({ format: "csv", from: "2026-03-10", to: "2026-03-01" }, "from");
    await bad({ format: "csv", from: "2026-02-30" }, "from");
    await bad({ format: "csv", to: "yesterday" }, "to");
    await bad({ format: "xlsx" }, "format");
    await bad({ format: "csv", status: "draft" }, "status");
    await bad({ format: "csv", protocolId: other.protocolByName(NEURO).protocol.id }, "protocolId");
    await bad({ format: "csv", patientId: "nosuchpatient" }, "patientId");
    expect(await snapshotTables()).toEqual(before);
  });

  it("a nurse may not export (FORBIDDEN), and nothing is audited", async () => {
    const before = await snapshotTables();
    await expectAppError(openSessionExport({ actor: c.actors.nurse, query: ExportQuerySchema.parse({ format: "csv" }) }), "FORBIDDEN");
    await expectAppError(countExportSessions({ actor: c.actors.nurse, filter: ExportQuerySchema.parse({ format: "csv" }) }), "FORBIDDEN");
    expect(await snapshotTables()).toEqual(before);
  });
});

describe("entries charted offline in the exports (docs/decisions/0017-offline-charting.md)", () => {
  beforeAll(loadValidators, 240_000);
  it("CSV counts them, FHIR says so in a note (both validators pass, the bundle reads back), the PDF marks the entry and counts them", async () => {
    const k = await freshClinic();
    const { patient, session } = await openSession(k, NEURO, D(8, -5));
    const n = k.actors.nurse;
    await pain(n, session.id, D(8, -2), { score: 7, phase: "PRE" });
    await vitals(n, session.id, D(8, 0), { isBaseline: true });
    await dose(n, session.id, D(8, 0), { type: "START", rateMgPerKgPerH: 0.15 });
    // saved on the tablet at +25 min while the network was down, received by the server at +40 min
    await db.$transaction((tx) => recordSideEffect(tx, { actor: n, sessionId: session.id, now: D(8, 40), input: SideEffectSchema.parse({ at: D(8, 25).toISOString(), queuedAt: D(8, 25).toISOString(), kind: "NAUSEA_VOMITING", severity: 1 }) }));
    await dose(n, session.id, D(8, 60), { type: "STOP" });
    await pain(n, session.id, D(8, 65), { score: 3, phase: "POST" });
    await db.$transaction((tx) => completeSession(tx, { actor: n, sessionId: session.id, now: D(8, 70), input: CompleteSessionSchema.parse({ dischargeReady: true }) }));

    const csv = await exportAs(k.actors.admin, { format: "csv", status: "all" });
    const rows: string[][] = parse(csv.body.toString("utf8").slice(1));
    const col = rows[0]!.indexOf("Charted offline (entries saved on a device without network, sent later)");
    expect(col).toBeGreaterThan(0);
    expect(rows[1]![col]).toBe("1");

    const fhir = await exportAs(k.actors.physician, { format: "fhir", status: "all" });
    const bundle = JSON.parse(fhir.body.toString("utf8"));
    expect(await fhirErrors(bundle)).toEqual([]);
    expect(await expectBundleMatchesCharts(bundle, k.actors.physician)).toBe(1);
    const offline = (bundle.entry as { resource: { resourceType: string; note?: { text: string }[] } }[])
      .filter((e) => e.resource.note?.some((x) => x.text.startsWith("Charted offline: saved on the device at ")));
    expect(offline).toHaveLength(1);
    expect(offline[0]!.resource.resourceType).toBe("Observation");
    expect(offline[0]!.resource.note!.find((x) => x.text.startsWith("Charted offline"))!.text).toContain("received by the server at");

    const pdfExport = await exportAs(k.actors.admin, { format: "pdf", status: "all" });
    const { text } = await extractText(await getDocumentProxy(new Uint8Array(pdfExport.body)), { mergePages: true });
    expect(text).toContain(patient.mrn);
    // the PDF wraps long lines: compare with the line breaks as spaces
    const flat = text.replace(/\s+/g, " ");
    expect(flat).toContain("Nausea / vomiting: mild (1) (late entry, charted 10:40) (charted offline at 10:25, synced 10:40)");
    expect(flat).toContain("Charted offline: 1 entry saved on a device without network and sent later.");
  }, 120_000);
});
