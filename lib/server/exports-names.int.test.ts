// Names as written (docs/decisions/0015-unicode-pdf-and-fhir-validation.md): patients registered
// through the real service with names in Vietnamese, Norwegian, Greek, Russian and Chinese are
// exported as PDF, CSV and FHIR. The PDF's text, extracted by a real PDF reader (unpdf, pdf.js),
// holds each name exactly as registered; the CSV and FHIR files hold the same UTF-8 bytes; the
// bundle passes both validators and reads back to each session's chart. A name in a script the
// PDF's fonts lack (Arabic) prints as code-point markers and the page says so, never dropped.
import { parse } from "csv-parse/sync";
import { extractText, getDocumentProxy } from "unpdf";
import { beforeAll, describe, expect, it } from "vitest";
import { MISSING_NOTE } from "@/lib/server/exports/pdf-fonts";
import { openSessionExport } from "@/lib/server/exports";
import { registerPatient } from "@/lib/server/patients";
import { orderSeries } from "@/lib/server/series";
import { completeSession, signSession } from "@/lib/server/sessions";
import { ExportQuerySchema } from "@/lib/validation/export";
import { RegisterPatientSchema } from "@/lib/validation/patient";
import { OrderSeriesSchema } from "@/lib/validation/series";
import { CompleteSessionSchema } from "@/lib/validation/session";
import { at, dose, nextMrn, pain, start, vitals, type Clinic } from "@/test/charting";
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
/** the display form every export and screen uses (buildSessionSummary's patientName) */
const display = (n: { givenName: string; familyName: string }) => `${n.familyName}, ${n.givenName}`;
const ARABIC = { givenName: "محمد", familyName: "Haddad" };
const squash = (s: string) => s.replace(/\s+/g, " ");

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
    for (const [i, name] of [...NAMES, ARABIC].entries()) {
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

  it("PDF: the extracted text of each patient's page holds the name exactly as registered", async () => {
    const body = await exportAs("pdf");
    const pdf = await getDocumentProxy(new Uint8Array(body));
    const { totalPages, text } = await extractText(pdf, { mergePages: false });
    expect(totalPages).toBe(NAMES.length + 1);
    for (const n of NAMES) {
      const page = text.find((t) => t.includes(mrnOf.get(display(n))!));
      expect(page, display(n)).toBeDefined();
      // only whitespace is normalised: pdf.js breaks lines where the PDF does
      expect(squash(page!)).toContain(display(n));
      expect(page).not.toContain("[U+");
      expect(page).not.toContain("U+XXXX");
    }
    // the Arabic given name: neither font has it, so each letter prints as its code point and the page says so
    const arabicPage = text.find((t) => t.includes(mrnOf.get(display(ARABIC))!))!;
    expect(squash(arabicPage)).toContain("Haddad, [U+0645][U+062D][U+0645][U+062F]");
    expect(squash(arabicPage)).toContain(MISSING_NOTE);
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
    expect(await expectBundleMatchesCharts(bundle, c.actors.physician)).toBe(NAMES.length + 1);
  });
});
