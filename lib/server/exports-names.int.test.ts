// Names and notes as written (docs/decisions/0015-unicode-pdf-and-fhir-validation.md): patients
// registered through the real service with names in Vietnamese, Norwegian, Greek, Russian and
// Chinese, with a side-effect note and a flag acknowledgement in the same script, are exported
// as PDF, CSV and FHIR. The PDF's text, read back by a real PDF reader (unpdf, pdf.js) with each
// piece's position, has each name in the name field exactly as registered and each note in its
// column as typed; a name too long for one line stays in its own column. The CSV and FHIR files
// hold the same UTF-8 bytes; the bundle passes both validators and reads back to each session's
// chart. A name in a script the PDF's fonts lack (Arabic) prints as code-point markers and the
// page says so, never dropped.
import { parse } from "csv-parse/sync";
import { extractText, extractTextItems, getDocumentProxy } from "unpdf";
import { beforeAll, describe, expect, it } from "vitest";
import { MISSING_NOTE } from "@/lib/server/exports/pdf-fonts";
import { openSessionExport } from "@/lib/server/exports";
import { registerPatient } from "@/lib/server/patients";
import { orderSeries } from "@/lib/server/series";
import { acknowledgeFlags, completeSession, signSession } from "@/lib/server/sessions";
import { ExportQuerySchema } from "@/lib/validation/export";
import { RegisterPatientSchema } from "@/lib/validation/patient";
import { OrderSeriesSchema } from "@/lib/validation/series";
import { CompleteSessionSchema } from "@/lib/validation/session";
import { at, dose, nextMrn, pain, sideEffect, start, vitals, type Clinic } from "@/test/charting";
import { expectBundleMatchesCharts } from "@/test/fhir-read-check";
import { fhirErrors, loadValidators } from "@/test/fhir-validator";
import { db, freshClinic } from "@/test/helpers";

const NEURO = "Chronic neuropathic pain 0.1-0.3 mg/kg/h";
/** given / family as a registration clerk would enter them; all NFC, as typed on a keyboard */
const NAMES = [
  { givenName: "Thị Ánh", familyName: "Nguyễn" },
  { givenName: "Åse", familyName: "Ødegård" },
  { givenName: "Ζωή", familyName: "Παπαδοπούλου" },
  { givenName: "Иван", familyName: "Петров" },
  { givenName: "小明", familyName: "王" },
] as const;
/** per name, a side-effect note and a flag acknowledgement typed in the same script */
const NOTES = [
  { sideEffect: "Buồn nôn nhẹ sau khi truyền, đã đỡ", ack: "Đã kiểm tra, bệnh nhân ổn định" },
  { sideEffect: "Lett kvalme, blir bedre", ack: "Sjekket, pasienten er stabil" },
  { sideEffect: "Ήπια ναυτία μετά την έγχυση", ack: "Ελέγχθηκε, ο ασθενής σταθερός" },
  { sideEffect: "Лёгкая тошнота после инфузии", ack: "Проверено, пациент стабилен" },
  { sideEffect: "输液后轻度恶心，已缓解", ack: "已检查，患者稳定" },
] as const;
/** the display form every export and screen uses (buildSessionSummary's patientName) */
const display = (n: { givenName: string; familyName: string }) => `${n.familyName}, ${n.givenName}`;
const ARABIC = { givenName: "محمد", familyName: "Haddad" };
/** 100 and 35 characters, the longest a clerk may register is 201: too wide for one line at 8 pt */
const LONG = { givenName: "Maria Alexandra Konstantina Evangelia Theodora Anastasia Ekaterina Magdalena Fernanda Guadalupe Ana", familyName: "Vandenberghe-Oosterhuis-Kristensen" };
const squash = (s: string) => s.replace(/\s+/g, " ");

// the page's layout (pdf-writer.ts): half-inch margins, the name column 292 pt wide, the
// protocol's column from 300 pt; the lists' two columns from 530 pt down
const MARGIN_PT = 36;
const NAME_RIGHT_PT = MARGIN_PT + 292;
const PROTOCOL_LEFT_PT = MARGIN_PT + 300;
const LISTS_TOP_PT = 520;
const FLAGS_LEFT_PT = MARGIN_PT + (612 - 2 * MARGIN_PT - 18) / 2 + 18;

/** A piece of text pdf.js read, placed from the page's top-left (its baseline). */
interface Piece { str: string; x: number; right: number; top: number }
const PAGE_HEIGHT_PT = 792;
async function piecesByPage(pdf: Awaited<ReturnType<typeof getDocumentProxy>>): Promise<Piece[][]> {
  const { items } = await extractTextItems(pdf);
  return items.map((page) => page.filter((i) => i.str !== "").map((i) => ({ str: i.str, x: i.x, right: i.x + i.width, top: PAGE_HEIGHT_PT - i.y })));
}
/**
 * The pieces read as lines, top to bottom and left to right, joined by one space where a line
 * ended: pdfkit's wrapper breaks a line at a space and drops that one space, nothing else.
 */
function asText(ps: Piece[]): string {
  const lines = new Map<number, Piece[]>();
  for (const p of ps) {
    const key = [...lines.keys()].find((t) => Math.abs(t - p.top) < 2) ?? p.top;
    lines.set(key, [...(lines.get(key) ?? []), p]);
  }
  return [...lines.entries()].sort(([a], [b]) => a - b).map(([, l]) => l.sort((a, b) => a.x - b.x).map((p) => p.str).join("")).join(" ");
}
/** The name field: what is printed in the name's column between the header band and the MRN line. */
function nameField(ps: Piece[]) {
  const mrnLine = ps.find((p) => p.str.startsWith("MRN "))!;
  const field = ps.filter((p) => p.top > 64 && p.top < mrnLine.top - 2 && p.x < PROTOCOL_LEFT_PT);
  return { text: asText(field), field, mrnLine };
}

/** The whole export as bytes (read to its end, as a download would). */
async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.from(await new Response(stream).arrayBuffer());
}

describe("names as written in the PDF, CSV and FHIR exports", () => {
  let c: Clinic;
  const mrnOf = new Map<string, string>();
  const exportAs = async (format: "pdf" | "csv" | "fhir") => {
    const exp = await openSessionExport({ actor: c.actors.physician, query: ExportQuerySchema.parse({ format, status: "all" }), now: new Date("2026-03-20T12:00:00Z") });
    const body = await readAll(exp.stream);
    await exp.audited;
    return body;
  };

  beforeAll(async () => {
    c = await freshClinic();
    for (const [i, name] of [...NAMES, ARABIC, LONG].entries()) {
      const mrn = nextMrn();
      mrnOf.set(display(name), mrn);
      const input = RegisterPatientSchema.parse({
        mrn, ...name, birthDate: "1975-04-12", sex: "FEMALE", weightKg: 70, consentOnFile: true, consentDate: "2026-02-01",
        screening: { substanceMisuse: false, psychosis: false, cardiovascular: false, hepatic: false, interactingMeds: false },
      });
      const patient = await db.$transaction((tx) => registerPatient(tx, { actor: c.actors.nurse, input }));
      const version = c.protocolByName(NEURO).version;
      const { series } = await db.$transaction((tx) => orderSeries(tx, { actor: c.actors.physician, patientId: patient.id, input: OrderSeriesSchema.parse({ protocolVersionId: version.id, plannedSessions: 3, startDate: "2026-03-01" }) }));
      const t = (m: number) => at(m, new Date(Date.UTC(2026, 2, 2 + i, 14)));
      const { session } = await start(c.actors.nurse, series.id, t(-5));
      await pain(c.actors.nurse, session.id, t(-2), { score: 7, phase: "PRE" });
      await vitals(c.actors.nurse, session.id, t(0), { isBaseline: true });
      await dose(c.actors.nurse, session.id, t(0), { type: "START", rateMgPerKgPerH: 0.15 });
      await vitals(c.actors.nurse, session.id, t(20), { heartRatePerMin: 95 + i });
      const notes = NOTES[i];
      if (notes) {
        await sideEffect(c.actors.nurse, session.id, t(25), { kind: "NAUSEA_VOMITING", severity: 1, note: notes.sideEffect });
        const { flags } = await vitals(c.actors.nurse, session.id, t(30), { heartRatePerMin: 135 });
        const raised = flags.filter((f) => f.code === "HR_HIGH");
        expect(raised, display(name)).toHaveLength(1);
        await db.$transaction((tx) => acknowledgeFlags(tx, { actor: c.actors.physician, flagIds: raised.map((f) => f.id), reason: notes.ack, now: t(32) }));
      }
      await dose(c.actors.nurse, session.id, t(40 + i), { type: "STOP" });
      await pain(c.actors.nurse, session.id, t(45 + i), { score: 3, phase: "POST" });
      await db.$transaction((tx) => completeSession(tx, { actor: c.actors.nurse, sessionId: session.id, now: t(50), input: CompleteSessionSchema.parse({ dischargeReady: true }) }));
      await db.$transaction((tx) => signSession(tx, { actor: c.actors.nurse, sessionId: session.id, now: t(55) }));
    }
    // stored exactly as typed (NFC): the comparisons below are byte for byte
    for (const n of NAMES) expect(await db.patient.count({ where: { clinicId: c.clinic.id, givenName: n.givenName, familyName: n.familyName } })).toBe(1);
    for (const n of NAMES) expect(display(n)).toBe(display(n).normalize("NFC"));
    await loadValidators();
  }, 240_000);

  it("PDF: each name is its page's name field exactly as registered, and each note prints as typed", async () => {
    const body = await exportAs("pdf");
    const pdf = await getDocumentProxy(new Uint8Array(body));
    const { totalPages, text } = await extractText(pdf, { mergePages: false });
    const pages = await piecesByPage(pdf);
    expect(totalPages).toBe(NAMES.length + 2);
    for (const [i, n] of NAMES.entries()) {
      const pageNo = text.findIndex((t) => t.includes(mrnOf.get(display(n))!));
      expect(pageNo, display(n)).toBeGreaterThanOrEqual(0);
      const ps = pages[pageNo]!;
      // the field, read piece by piece: equal to the registered name, nothing added or lost
      expect(nameField(ps).text).toBe(display(n));
      expect(text[pageNo]).not.toContain("[U+");
      expect(text[pageNo]).not.toContain("U+XXXX");
      // the notes, in their columns (a wrapped line joined by the one space the wrapper took)
      const lists = ps.filter((p) => p.top > LISTS_TOP_PT);
      const sideEffects = asText(lists.filter((p) => p.x < FLAGS_LEFT_PT - 9));
      const flagsColumn = asText(lists.filter((p) => p.x >= FLAGS_LEFT_PT - 1));
      expect(sideEffects).toContain(`Nausea / vomiting: mild (1) · ${NOTES[i]!.sideEffect}`);
      expect(flagsColumn).toContain(`Acknowledged by ${c.actors.physician.name}: ${NOTES[i]!.ack}.`);
    }
    // the Arabic given name: neither font has it, so each letter prints as its code point and the page says so
    const arabicPage = text.findIndex((t) => t.includes(mrnOf.get(display(ARABIC))!));
    expect(nameField(pages[arabicPage]!).text).toBe("Haddad, [U+0645][U+062D][U+0645][U+062F]");
    expect(squash(text[arabicPage]!)).toContain(MISSING_NOTE);
  });

  it("PDF: a name too long for one line wraps inside its column, above the MRN line, whole", async () => {
    const pdf = await getDocumentProxy(new Uint8Array(await exportAs("pdf")));
    const { text } = await extractText(pdf, { mergePages: false });
    const pageNo = text.findIndex((t) => t.includes(mrnOf.get(display(LONG))!));
    const { text: name, field, mrnLine } = nameField((await piecesByPage(pdf))[pageNo]!);
    expect(name).toBe(display(LONG));
    // more than one line, none of them reaching into the protocol's column
    expect(new Set(field.map((p) => Math.round(p.top))).size).toBeGreaterThan(1);
    for (const p of field) expect(p.right, p.str).toBeLessThanOrEqual(NAME_RIGHT_PT + 0.5);
    // and the MRN line moved down below the last of them instead of printing over it
    expect(mrnLine.top).toBeGreaterThan(Math.max(...field.map((p) => p.top)) + 8);
  });

  it("CSV and FHIR carry the same names byte for byte (UTF-8), and the bundle validates and reads back", async () => {
    const csv = await exportAs("csv");
    const rows: string[][] = parse(csv.toString("utf8").slice(1));
    const nameCol = rows[0]!.indexOf("Patient name");
    const fhir = await exportAs("fhir");
    const bundle = JSON.parse(fhir.toString("utf8"));
    const patients = bundle.entry.map((e: { resource: Record<string, unknown> }) => e.resource).filter((r: { resourceType: string }) => r.resourceType === "Patient");
    for (const n of [...NAMES, ARABIC]) {
      const mrn = mrnOf.get(display(n))!;
      const row = rows.find((r) => r.includes(mrn))!;
      expect(Buffer.from(row[nameCol]!, "utf8").equals(Buffer.from(display(n), "utf8"))).toBe(true);
      expect(csv.includes(Buffer.from(display(n), "utf8"))).toBe(true);
      const p = patients.find((x: { identifier: { value: string }[] }) => x.identifier[0]!.value === mrn);
      expect(p.name).toEqual([{ use: "official", family: n.familyName, given: [n.givenName] }]);
      // written as raw UTF-8, not \u escapes: the bytes of the file are the bytes of the name
      expect(fhir.includes(Buffer.from(`"family":${JSON.stringify(n.familyName)}`, "utf8"))).toBe(true);
      expect(fhir.includes(Buffer.from(`"given":[${JSON.stringify(n.givenName)}]`, "utf8"))).toBe(true);
    }
    expect(await fhirErrors(bundle)).toEqual([]);
    expect(await expectBundleMatchesCharts(bundle, c.actors.physician)).toBe(NAMES.length + 2);
  });
});
