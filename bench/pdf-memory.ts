/**
 * Decision 0006: what the batch PDF writer keeps per page. Draws PAGES session pages (a realistic
 * page: every chart, list and signature block of drawSessionPage) through createPdfWriter in
 * batches of 200, dropping the bytes as they come, and reads the V8 heap after a full garbage
 * collection at checkpoints. pdfkit must keep, until the file ends, each page's entry in the
 * page tree and the xref offset of each object; the slope of the retained heap per page is
 * that inherent cost, and must stay around a kilobyte (not the page's content).
 * No database, no server: `npx tsx --conditions=react-server bench/pdf-memory.ts`.
 * BENCH_PDF_SCRIPT=cjk names every patient "王, 小明" (and adds Vietnamese and Chinese to a
 * note), so each page also draws with the CJK fallback font (decision 0015).
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { mkdirSync, writeFileSync } from "node:fs";
import type { FhirSessionInput } from "@/lib/domain/fhir";
import { buildSessionSummary } from "@/lib/domain/session-summary";
import { createPdfWriter } from "@/lib/server/exports/pdf-writer";
import { machine, round } from "./lib";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const PAGES = Number(process.env.BENCH_PAGES ?? 10_000);
const CJK = process.env.BENCH_PDF_SCRIPT === "cjk";
const NAME = CJK ? { givenName: "小明", familyName: "王" } : { givenName: "Zoë", familyName: "Ngô" };
const BATCH = 200;
const T0 = Date.parse("2025-03-02T14:00:00Z");
const min = (m: number) => T0 + m * 60_000;

function page(i: number) {
  const detail: FhirSessionInput = {
    timeZone: "America/New_York",
    clinicName: "Demo Pain Clinic",
    patient: { id: `pat${i}`, mrn: `MRN-${i}`, ...NAME, birthDate: "1980-05-01", sex: "FEMALE" },
    session: {
      id: `ses${i}`, status: "SIGNED", openedAtMs: min(-5), endMs: min(120), weightG: 70_400, concentrationUgPerMl: 1000,
      protocolName: "Chronic neuropathic pain 0.1-0.3 mg/kg/h", protocolVersion: 2, route: "IV", nurseName: "Nina Nurse", physicianName: "Dr Paula", signedByName: "Nina Nurse",
    },
    doseEvents: [
      { id: "d1", type: "START", atMs: min(0), rateUgPerKgPerH: 150 + (i % 100), bolusUg: null },
      { id: "d2", type: "BOLUS", atMs: min(10), rateUgPerKgPerH: null, bolusUg: 7_040 },
      { id: "d3", type: "RATE_CHANGE", atMs: min(30), rateUgPerKgPerH: 250, bolusUg: null },
      { id: "d4", type: "STOP", atMs: min(120), rateUgPerKgPerH: null, bolusUg: null },
    ],
    vitals: [0, 15, 30, 45, 60, 75, 90, 105, 120].map((m, k) => ({
      id: `v${k}`, atMs: min(m), systolicMmHg: 120 + k * 3, diastolicMmHg: 75 + k, heartRatePerMin: 70 + k * 2, spo2Pct: 97, respRatePerMin: 14, temperatureDeciC: null,
    })),
    pain: [
      { id: "p1", atMs: min(-2), score: 8, scale: "NRS", phase: "PRE" },
      { id: "p2", atMs: min(125), score: 3, scale: "NRS", phase: "POST" },
    ],
    sideEffects: [{ id: "s1", atMs: min(40), kind: "NAUSEA_VOMITING", severity: 2, intervention: "ONDANSETRON", note: null }],
    flags: [{
      id: "f1", code: "SBP_HIGH", severity: "SOFT", message: "Systolic 162 mmHg is above 160 mmHg.", valueText: "162 mmHg", limitText: "160 mmHg",
      reason: CJK ? "Lo lắng, đo lại 再测" : "Anxious, rechecked", raisedAtMs: min(15), acknowledgedAtMs: min(200), acknowledgedByName: "Dr Paula", ackReason: "Seen",
    }],
  };
  const summary = buildSessionSummary({
    clinicName: detail.clinicName, timeZone: detail.timeZone, mrn: detail.patient.mrn, patientName: `${NAME.familyName}, ${NAME.givenName}`, birthDate: detail.patient.birthDate,
    protocolName: detail.session.protocolName, protocolVersion: 2, status: "SIGNED", openedAtMs: min(-5), completedAtMs: min(130), signedAtMs: min(140),
    weightG: 70_400, nurseName: "Nina Nurse", physicianName: "Dr Paula", signedByName: "Nina Nurse",
    doseEvents: detail.doseEvents, vitals: detail.vitals, pain: detail.pain, sideEffects: detail.sideEffects, flags: [{ acknowledged: true }],
  }, min(300));
  return { pdf: { summary, detail, band: { minUgPerKgPerH: 100, maxUgPerKgPerH: 300, startMinUgPerKgPerH: 100, startMaxUgPerKgPerH: 150, hardMaxUgPerKgPerH: 1000 }, nowMs: min(300) } };
}

const heapMiB = () => {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};
const rssMiB = () => process.memoryUsage().rss / 2 ** 20;
// Buffers (the font files read once per process) live outside the V8 heap
const buffersMiB = () => process.memoryUsage().arrayBuffers / 2 ** 20;

async function main() {
  const writer = createPdfWriter(min(400));
  const points: { pages: number; heapMiB: number; rssMiB: number; buffersMiB: number }[] = [];
  let bytes = 0;
  const t0 = performance.now();
  points.push({ pages: 0, heapMiB: round(heapMiB(), 2), rssMiB: round(rssMiB()), buffersMiB: round(buffersMiB(), 1) });
  for (let done = 0; done < PAGES; done += BATCH) {
    const n = Math.min(BATCH, PAGES - done);
    for (const chunk of await writer.batch(Array.from({ length: n }, (_, k) => page(done + k)))) bytes += chunk.byteLength;
    if ((done + n) % 1000 === 0 || done + n === PAGES) points.push({ pages: done + n, heapMiB: round(heapMiB(), 2), rssMiB: round(rssMiB()), buffersMiB: round(buffersMiB(), 1) });
  }
  for (const chunk of await writer.tail()) bytes += chunk.byteLength;
  const seconds = (performance.now() - t0) / 1000;
  // the slope after the first 1,000 pages (JIT, fonts and pools are warm by then)
  const first = points.find((p) => p.pages === 1000) ?? points[0]!;
  const last = points.at(-1)!;
  const bytesPerPage = ((last.heapMiB - first.heapMiB) * 2 ** 20) / (last.pages - first.pages);
  for (const p of points) console.log(`${String(p.pages).padStart(6)} pages: heap after GC ${p.heapMiB.toFixed(2)} MiB, RSS ${p.rssMiB} MiB, buffers ${p.buffersMiB} MiB`);
  console.log(`${PAGES} pages, ${round(bytes / 2 ** 20, 1)} MiB in ${round(seconds, 1)} s (${round(PAGES / seconds)} pages/s); retained heap ${round(bytesPerPage)} bytes per page`);
  mkdirSync("bench/out", { recursive: true });
  writeFileSync(`bench/out/pdf-memory${CJK ? "-cjk" : ""}.json`, JSON.stringify({ machine: machine(), script: CJK ? "cjk" : "latin", pages: PAGES, seconds: round(seconds, 2), bytes, bytesPerPage: round(bytesPerPage), points }, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
