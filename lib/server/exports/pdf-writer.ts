import "server-only";
import PDFDocument from "pdfkit";
import { isLateEntry } from "@/lib/domain/guards";
import type { FhirSessionInput } from "@/lib/domain/fhir";
import type { DocumentedBand } from "@/lib/domain/protocol";
import type { SessionSummary } from "@/lib/domain/session-summary";
import { interventionLabel, sideEffectLabel, SEVERITY_LABELS } from "@/lib/domain/side-effects";
import { formatDateTime, formatTime } from "@/lib/domain/time";
import { formatMgPerKgPerH } from "@/lib/domain/units";
import { faceName, fontRuns, latinAscender, MISSING_NOTE, registerPdfFonts, type TextRun } from "./pdf-fonts";

/** One page's data: the summary row, the charted detail (rows in force) and the protocol's band. */
export interface PdfSession {
  summary: SessionSummary;
  detail: FhirSessionInput;
  band: DocumentedBand;
  nowMs: number;
}

// Letter, half-inch margins: prints on US Letter and, scaled, on A4.
const PAGE = { w: 612, h: 792, m: 36 };
const INNER_W = PAGE.w - 2 * PAGE.m;
/** The patient's name column; the protocol's starts 8 pt to its right. */
const NAME_W = 292;
const COLOR = { ink: "#0f1f2e", muted: "#55606b", calm: "#0f5c73", band: "#d6ecf2", start: "#9fd0de", hard: "#b91c1c", soft: "#b45309", grid: "#d9dee3", sbp: "#0f5c73", dbp: "#5b8fa3", hr: "#b45309" };

type Doc = PDFKit.PDFDocument;
interface TextOpts { size?: number; bold?: boolean; color?: string; width?: number; align?: "left" | "right" | "center" }

// Characters printed as a code-point marker on the page being drawn: the page then says what
// the marker means (pdf-fonts.ts MISSING_NOTE).
const markedOnPage = new WeakMap<Doc, number>();

// Runs with a letter that fontkit's `ccmp` would split (pdf-fonts.ts TextRun.needsNoCcmp) are
// laid out with it off. pdfkit passes `features` to fontkit, which takes an object of features
// to switch off; @types/pdfkit only knows the array form.
const NO_CCMP = { ccmp: false } as unknown as PDFKit.Mixins.OpenTypeFeatures[];
const features = (runs: TextRun[]) => (runs.some((r) => r.needsNoCcmp) ? { features: NO_CCMP } : {});

/**
 * Draws `text` at (x, y) in the fonts that have its letters (pdf-fonts.ts fontRuns): names and
 * notes print as written, in any script the embedded fonts cover. With a width it wraps, at
 * most `height` points tall; without one it is a single line. Every run sits on Noto Sans's
 * baseline, so a CJK run beside a Latin one lines up.
 */
function write(doc: Doc, text: string, x: number, y: number, o: TextOpts & { height?: number }) {
  const size = o.size ?? 9;
  const { runs, missing } = fontRuns(text, o.bold ? "bold" : "regular");
  if (missing.length) markedOnPage.set(doc, (markedOnPage.get(doc) ?? 0) + missing.length);
  doc.fontSize(size).fillColor(o.color ?? COLOR.ink);
  const base = { baseline: -(latinAscender() / 1000) * size, lineBreak: o.width !== undefined, height: o.height };
  if (runs.length <= 1) {
    doc.font(faceName(runs[0]?.face ?? "latin")).text(runs[0]?.text ?? "", x, y, { ...base, width: o.width, align: o.align, ellipsis: true, ...features(runs) });
    return;
  }
  // Several fonts in one text: pdfkit's `continued` text keeps one line wrapper across the
  // runs. Right or centre alignment is applied to the whole when it fits on one line.
  let startX = x;
  if (o.width !== undefined && o.align && o.align !== "left") {
    const total = runs.reduce((w, r) => w + doc.font(faceName(r.face)).widthOfString(r.text, features([r])), 0);
    if (total <= o.width) startX = x + (o.align === "right" ? o.width - total : (o.width - total) / 2);
  }
  runs.forEach((r, i) => {
    doc.font(faceName(r.face));
    const continued = i < runs.length - 1;
    if (i === 0) doc.text(r.text, startX, y, { ...base, width: o.width === undefined ? undefined : o.width - (startX - x), continued, ...features(runs) });
    // without a width each call is a single line that goes on where the last one ended
    else doc.text(r.text, o.width === undefined ? { ...base, continued, ...features(runs) } : { continued });
  });
}

/**
 * The height `text` takes wrapped at `width`. For text in several fonts, the tallest of the
 * text measured in each of them, plus a line: a safe over-estimate for the page's cut-off.
 */
function textHeight(doc: Doc, text: string, width: number, size: number, bold = false): number {
  const { runs } = fontRuns(text, bold ? "bold" : "regular");
  doc.fontSize(size);
  const faces = [...new Set(runs.map((r) => r.face))];
  const heights = (faces.length ? faces : (["latin"] as const)).map((f) => doc.font(faceName(f)).heightOfString(runs.map((r) => r.text).join(""), { width, ...features(runs) }));
  return Math.max(...heights) + (faces.length > 1 ? doc.currentLineHeight(true) : 0);
}

/** The width of `text` on one line at `size`, in the fonts that draw it. */
function lineWidth(doc: Doc, text: string, size: number, bold: boolean): number {
  const { runs } = fontRuns(text, bold ? "bold" : "regular");
  doc.fontSize(size);
  return runs.reduce((sum, r) => sum + doc.font(faceName(r.face)).widthOfString(r.text, features([r])), 0);
}

/**
 * The size (at most `size`, at least `minSize`) at which `text` fits `width` on one line, and
 * whether it does: a text too wide even at `minSize` has to wrap.
 */
function fittingSize(doc: Doc, text: string, width: number, size: number, minSize: number, bold: boolean): { size: number; fits: boolean } {
  const w = lineWidth(doc, text, size, bold);
  if (w <= width) return { size, fits: true };
  const fitted = Math.max(minSize, Math.floor((size * width * 10) / w) / 10);
  return { size: fitted, fits: lineWidth(doc, text, fitted, bold) <= width };
}

function label(doc: Doc, text: string, x: number, y: number, opts: TextOpts = {}) {
  write(doc, text, x, y, { ...opts, height: opts.width ? 40 : undefined });
}

/** Rate in force over time (mg/kg/h) as steps, from the dose events in force. */
function rateSteps(d: FhirSessionInput, endMs: number) {
  const pts: { t: number; rateUg: number }[] = [];
  let rate = 0;
  for (const e of d.doseEvents) {
    if (e.type === "BOLUS") continue;
    if (e.type === "START" || e.type === "RATE_CHANGE") rate = e.rateUgPerKgPerH ?? rate;
    const inForce = e.type === "PAUSE" || e.type === "STOP" ? 0 : rate;
    pts.push({ t: e.atMs, rateUg: inForce });
  }
  if (pts.length) pts.push({ t: endMs, rateUg: pts[pts.length - 1]!.rateUg });
  return pts;
}

interface Frame { x: number; y: number; w: number; h: number; t0: number; t1: number; yMax: number }
const px = (f: Frame, t: number) => f.x + ((t - f.t0) / (f.t1 - f.t0)) * f.w;
const py = (f: Frame, v: number) => f.y + f.h - (Math.min(v, f.yMax) / f.yMax) * f.h;

function axes(doc: Doc, f: Frame, tz: string, yTicks: number[], yFmt: (v: number) => string, unit: string) {
  doc.save().lineWidth(0.5).strokeColor(COLOR.grid);
  for (const v of yTicks) {
    doc.moveTo(f.x, py(f, v)).lineTo(f.x + f.w, py(f, v)).stroke();
    label(doc, yFmt(v), f.x - 34, py(f, v) - 3, { size: 6.5, color: COLOR.muted, width: 30, align: "right" });
  }
  doc.restore();
  doc.save().lineWidth(0.8).strokeColor(COLOR.muted).rect(f.x, f.y, f.w, f.h).stroke().restore();
  const ticks = 6;
  for (let i = 0; i <= ticks; i++) {
    const t = f.t0 + ((f.t1 - f.t0) * i) / ticks;
    label(doc, formatTime(new Date(t), tz), px(f, t) - 15, f.y + f.h + 3, { size: 6.5, color: COLOR.muted, width: 30, align: "center" });
  }
  label(doc, unit, f.x - 34, f.y - 10, { size: 6.5, color: COLOR.muted });
}

function titrationChart(doc: Doc, p: PdfSession, f: Omit<Frame, "yMax" | "t0" | "t1">, t0: number, t1: number) {
  const d = p.detail;
  const steps = rateSteps(d, t1);
  const peakUg = Math.max(0, ...steps.map((s) => s.rateUg));
  const yMax = Math.max(p.band.maxUgPerKgPerH ?? 0, peakUg, Math.min(p.band.hardMaxUgPerKgPerH, 1000)) * 1.1 || 1000;
  const frame: Frame = { ...f, t0, t1, yMax };
  label(doc, "Titration: rate (mg/kg/h) against the documented band", f.x, f.y - 24, { bold: true, size: 9.5 });
  // documented band (soft range) shaded, start range darker, hard limit dashed red
  if (p.band.minUgPerKgPerH !== null || p.band.maxUgPerKgPerH !== null) {
    const lo = p.band.minUgPerKgPerH ?? 0;
    const hi = p.band.maxUgPerKgPerH ?? lo;
    doc.save().rect(frame.x, py(frame, hi), frame.w, Math.max(1, py(frame, lo) - py(frame, hi))).fill(COLOR.band).restore();
  }
  if (p.band.startMinUgPerKgPerH !== null && p.band.startMaxUgPerKgPerH !== null) {
    doc.save().rect(frame.x, py(frame, p.band.startMaxUgPerKgPerH), frame.w * 0.08, Math.max(1, py(frame, p.band.startMinUgPerKgPerH) - py(frame, p.band.startMaxUgPerKgPerH))).fill(COLOR.start).restore();
  }
  // round ticks (0.1, 0.2, 0.25 ... mg/kg/h) at most five apart
  const step = [50, 100, 200, 250, 500, 1000, 2000].find((st) => st * 4 >= yMax) ?? 5000;
  const ticks = Array.from({ length: Math.floor(yMax / step) + 1 }, (_, i) => i * step);
  axes(doc, frame, d.timeZone, ticks, (v) => formatMgPerKgPerH(v).replace(/0+$/, "").replace(/\.$/, ""), "mg/kg/h");
  if (p.band.hardMaxUgPerKgPerH <= yMax) {
    doc.save().lineWidth(1).strokeColor(COLOR.hard).dash(4, { space: 3 })
      .moveTo(frame.x, py(frame, p.band.hardMaxUgPerKgPerH)).lineTo(frame.x + frame.w, py(frame, p.band.hardMaxUgPerKgPerH)).stroke().undash().restore();
    label(doc, `hard limit ${formatMgPerKgPerH(p.band.hardMaxUgPerKgPerH)}`, frame.x + frame.w - 90, py(frame, p.band.hardMaxUgPerKgPerH) - 9, { size: 6.5, color: COLOR.hard, width: 88, align: "right" });
  }
  if (steps.length) {
    doc.save().lineWidth(1.8).strokeColor(COLOR.calm).lineJoin("miter");
    doc.moveTo(px(frame, steps[0]!.t), py(frame, steps[0]!.rateUg));
    for (let i = 1; i < steps.length; i++) {
      doc.lineTo(px(frame, steps[i]!.t), py(frame, steps[i - 1]!.rateUg)).lineTo(px(frame, steps[i]!.t), py(frame, steps[i]!.rateUg));
    }
    doc.stroke().restore();
  } else {
    label(doc, "No dose events charted.", frame.x + 8, frame.y + 8, { color: COLOR.muted });
  }
  for (const e of d.doseEvents.filter((x) => x.type === "BOLUS")) {
    const x = px(frame, e.atMs);
    doc.save().fillColor(COLOR.soft).polygon([x, frame.y + frame.h - 2], [x - 4, frame.y + frame.h - 10], [x + 4, frame.y + frame.h - 10]).fill().restore();
  }
  const legendY = f.y + f.h + 14;
  doc.save().rect(f.x, legendY, 10, 6).fill(COLOR.band).restore();
  label(doc, "documented range", f.x + 13, legendY - 1, { size: 6.5, color: COLOR.muted });
  doc.save().rect(f.x + 85, legendY, 10, 6).fill(COLOR.start).restore();
  label(doc, "start range", f.x + 98, legendY - 1, { size: 6.5, color: COLOR.muted });
  doc.save().fillColor(COLOR.soft).polygon([f.x + 150, legendY + 6], [f.x + 146, legendY], [f.x + 154, legendY]).fill().restore();
  label(doc, "bolus", f.x + 158, legendY - 1, { size: 6.5, color: COLOR.muted });
}

function vitalsChart(doc: Doc, p: PdfSession, f: Omit<Frame, "yMax" | "t0" | "t1">, t0: number, t1: number) {
  const d = p.detail;
  const frame: Frame = { ...f, t0, t1, yMax: 200 };
  label(doc, "Vitals: SBP, DBP (mmHg), HR (/min)", f.x, f.y - 24, { bold: true, size: 9.5 });
  axes(doc, frame, d.timeZone, [0, 50, 100, 150, 200], (v) => String(v), "");
  const series: { key: "systolicMmHg" | "diastolicMmHg" | "heartRatePerMin"; color: string; name: string }[] = [
    { key: "systolicMmHg", color: COLOR.sbp, name: "SBP" },
    { key: "diastolicMmHg", color: COLOR.dbp, name: "DBP" },
    { key: "heartRatePerMin", color: COLOR.hr, name: "HR" },
  ];
  const vs = d.vitals.filter((v) => v.atMs >= t0 && v.atMs <= t1);
  for (const s of series) {
    if (!vs.length) break;
    doc.save().lineWidth(1.2).strokeColor(s.color);
    vs.forEach((v, i) => (i === 0 ? doc.moveTo(px(frame, v.atMs), py(frame, v[s.key])) : doc.lineTo(px(frame, v.atMs), py(frame, v[s.key]))));
    doc.stroke().restore();
    for (const v of vs) doc.save().circle(px(frame, v.atMs), py(frame, v[s.key]), 1.6).fill(s.color).restore();
  }
  if (!vs.length) label(doc, "No vitals charted.", frame.x + 8, frame.y + 8, { color: COLOR.muted });
  const legendY = f.y + f.h + 14;
  series.forEach((s, i) => {
    doc.save().lineWidth(1.5).strokeColor(s.color).moveTo(f.x + i * 45, legendY + 3).lineTo(f.x + i * 45 + 12, legendY + 3).stroke().restore();
    label(doc, s.name, f.x + i * 45 + 15, legendY - 1, { size: 6.5, color: COLOR.muted });
  });
  const spo2 = vs.map((v) => v.spo2Pct);
  if (spo2.length) label(doc, `SpO2 lowest ${Math.min(...spo2)} %   RR ${Math.min(...vs.map((v) => v.respRatePerMin))}-${Math.max(...vs.map((v) => v.respRatePerMin))} /min`, f.x + 150, legendY - 1, { size: 6.5, color: COLOR.muted });
}

/** A titled list; stops at `maxY` with "… and N more" so the summary stays one page. */
function list(doc: Doc, title: string, lines: { text: string; color?: string }[], x: number, y: number, w: number, maxY: number, empty: string): number {
  label(doc, title, x, y, { bold: true, size: 9.5 });
  let cy = y + 14;
  if (!lines.length) {
    label(doc, empty, x, cy, { color: COLOR.muted, width: w });
    return cy + 12;
  }
  for (let i = 0; i < lines.length; i++) {
    const h = textHeight(doc, lines[i]!.text, w, 8);
    if (cy + h > maxY) {
      label(doc, `… and ${lines.length - i} more (see the session chart)`, x, cy, { size: 8, color: COLOR.muted, width: w });
      return cy + 11;
    }
    write(doc, lines[i]!.text, x, cy, { size: 8, color: lines[i]!.color, width: w, height: maxY - cy });
    cy += h + 2;
  }
  return cy;
}

/** Draws one session on the current page. */
export function drawSessionPage(doc: Doc, p: PdfSession, generatedAtMs: number) {
  const s = p.summary;
  const d = p.detail;
  const tz = d.timeZone;
  const { m } = PAGE;
  markedOnPage.set(doc, 0);
  // header
  doc.save().rect(0, 0, PAGE.w, 64).fill(COLOR.calm).restore();
  label(doc, "Ketamine infusion: session summary", m, 16, { bold: true, size: 15, color: "#ffffff" });
  label(doc, s.clinic, m, 38, { size: 9, color: "#dcecf1", width: 300 });
  label(doc, `${s.status}${s.signedAt ? ` ${s.signedAt.slice(0, 16).replace("T", " ")}` : ""}`, PAGE.w - m - 200, 20, { bold: true, size: 10, color: "#ffffff", width: 200, align: "right" });
  label(doc, `Session date ${s.sessionDate}`, PAGE.w - m - 200, 38, { size: 9, color: "#dcecf1", width: 200, align: "right" });

  let y = 76;
  // A long name is set smaller rather than cut: the record carries the whole name. One still too
  // wide at 8 pt (a name may be 201 characters) wraps inside its own column, never into the
  // protocol's beside it, and the rest of the page moves down by its extra lines (decision 0015).
  const name = fittingSize(doc, s.patientName, NAME_W, 13, 8, true);
  const nameExtraPt = name.fits ? 0 : Math.max(0, textHeight(doc, s.patientName, NAME_W, name.size, true) - 15);
  write(doc, s.patientName, m, y, { bold: true, size: name.size, width: NAME_W });
  label(doc, `MRN ${s.mrn}    Born ${s.birthDate}    Weight used ${s.weightKg} kg`, m, y + 17 + nameExtraPt, { size: 9, color: COLOR.muted });
  label(doc, `${s.protocol} (version ${s.protocolVersion})`, m + 300, y + 2, { size: 9, bold: true, width: INNER_W - 300, align: "right" });
  label(doc, `Concentration ${(d.session.concentrationUgPerMl / 1000).toFixed(2)} mg/mL    Route ${d.session.route}`, m + 300, y + 17, { size: 9, color: COLOR.muted, width: INNER_W - 300, align: "right" });

  // key figures
  y = 114 + nameExtraPt;
  const figures: [string, string][] = [
    ["Start", formatDateTime(s.start, tz)],
    ["End", s.end ? formatDateTime(s.end, tz) : "running"],
    ["Duration", s.durationMin === null ? "—" : `${s.durationMin} min`],
    ["Total dose", `${s.totalMg} mg (${s.totalMgPerKg} mg/kg)`],
    ["Peak rate", `${s.peakRateMgPerKgPerH} mg/kg/h`],
    ["Mean rate", `${s.meanRateMgPerKgPerH} mg/kg/h`],
  ];
  const cw = INNER_W / figures.length;
  doc.save().rect(m, y, INNER_W, 34).fill("#f1f5f8").restore();
  figures.forEach(([k, v], i) => {
    label(doc, k.toUpperCase(), m + 6 + i * cw, y + 5, { size: 6.5, color: COLOR.muted, bold: true });
    label(doc, v, m + 6 + i * cw, y + 17, { size: 8.5, bold: true, width: cw - 8 });
  });

  // charts share the time axis: first START (or opening) to the end
  const t0 = d.doseEvents[0]?.atMs ?? d.session.openedAtMs;
  const endMs = d.session.endMs ?? p.nowMs;
  const t1 = Math.max(endMs, ...d.vitals.map((v) => v.atMs).filter((t) => t - t0 < 7 * 86_400_000), t0 + 30 * 60_000);
  titrationChart(doc, p, { x: m + 36, y: 186 + nameExtraPt, w: INNER_W - 40, h: 140 }, Math.min(t0, d.session.openedAtMs), t1);
  vitalsChart(doc, p, { x: m + 36, y: 386 + nameExtraPt, w: INNER_W - 40, h: 100 }, Math.min(t0, d.session.openedAtMs), t1);

  // pain, side effects, flags in two columns
  // late documentation (decision 0009) and offline charting (decision 0017), as on the chart's log
  const late = (r: { atMs: number; enteredAtMs?: number; queuedAtMs?: number | null }) =>
    (r.enteredAtMs !== undefined && isLateEntry(r.atMs, r.enteredAtMs) ? ` (late entry, charted ${formatTime(new Date(r.enteredAtMs), tz)})` : "") +
    (r.queuedAtMs != null ? ` (charted offline at ${formatTime(new Date(r.queuedAtMs), tz)}${r.enteredAtMs !== undefined ? `, synced ${formatTime(new Date(r.enteredAtMs), tz)}` : ""})` : "");
  const top = 530 + nameExtraPt;
  const colW = (INNER_W - 18) / 2;
  const bottom = PAGE.h - 96;
  const painLines = [
    { text: s.preScore === null && s.postScore === null ? "No pre/post scores." : `Before ${s.preScore ?? "—"}  ·  after ${s.postScore ?? "—"} (${s.painScale ?? ""})  ·  relief ${s.reliefPct === null ? "—" : `${s.reliefPct} %`}` },
    ...d.pain.map((x) => ({ text: `${formatTime(new Date(x.atMs), tz)}  ${x.phase.toLowerCase().replace("_", "-")}  ${x.score} ${x.scale === "NRS" ? "/10" : "mm VAS"}${late(x)}` })),
    // late documentation (decision 0009): how many entries were charted late, and why the session was opened late
    ...(s.lateEntries > 0 || s.documentedLate
      ? [{ text: `Late entries: ${s.lateEntries} charted more than 10 min after their time.${s.documentedLate ? ` Session documented late: ${s.documentedLate}` : ""}`, color: COLOR.soft }]
      : []),
    ...(s.chartedOffline > 0
      ? [{ text: `Charted offline: ${s.chartedOffline} ${s.chartedOffline === 1 ? "entry" : "entries"} saved on a device without network and sent later.` }]
      : []),
  ];
  let ly = list(doc, "Pain", painLines, m, top, colW, top + 90, "");
  list(doc, "Side effects (severity 0-3)",
    d.sideEffects.map((e) => ({ text: `${formatTime(new Date(e.atMs), tz)}  ${sideEffectLabel(e.kind)}: ${SEVERITY_LABELS[e.severity] ?? e.severity} (${e.severity})${e.intervention && e.intervention !== "NONE" ? ` · ${interventionLabel(e.intervention)}` : ""}${e.note ? ` · ${e.note}` : ""}${late(e)}` })),
    m, ly + 6, colW, bottom, "None recorded.");
  ly = list(doc, `Flags (${s.flagCount}: ${s.openFlags} open, ${s.acknowledgedFlags} acknowledged)`,
    d.flags.map((f) => ({
      text: `${f.severity} ${formatTime(new Date(f.raisedAtMs), tz)} ${f.message}${f.reason ? ` Reason: ${f.reason}.` : ""} ${f.acknowledgedAtMs !== null ? `Acknowledged by ${f.acknowledgedByName ?? "?"}${f.ackReason ? `: ${f.ackReason}` : ""}.` : f.resolvedAtMs != null ? "" : "OPEN."}${f.resolvedAtMs != null ? ` RESOLVED ${formatTime(new Date(f.resolvedAtMs), tz)}${f.resolution ? `: ${f.resolution}` : ""}.` : ""}`,
      color: f.resolvedAtMs != null ? COLOR.ink : f.severity === "HARD" ? COLOR.hard : f.acknowledgedAtMs === null ? COLOR.soft : COLOR.ink,
    })),
    m + colW + 18, top, colW, bottom, "No flags.");

  // signatures
  const sy = PAGE.h - 84;
  doc.save().lineWidth(0.5).strokeColor(COLOR.grid).moveTo(m, sy - 6).lineTo(PAGE.w - m, sy - 6).stroke().restore();
  const sig: [string, string][] = [
    ["Nurse", s.nurse],
    ["Ordering physician", s.physician],
    ["Signed by", s.signedBy ? `${s.signedBy}, ${formatDateTime(s.signedAt!, tz)}` : "not signed"],
  ];
  sig.forEach(([k, v], i) => {
    label(doc, k.toUpperCase(), m + i * (INNER_W / 3), sy, { size: 6.5, bold: true, color: COLOR.muted });
    label(doc, v, m + i * (INNER_W / 3), sy + 11, { size: 9, bold: true, width: INNER_W / 3 - 8 });
  });
  label(doc, `Generated by Titrate ${formatDateTime(new Date(generatedAtMs), tz)} (${tz}). Rows in force only; corrections and retractions are in the session chart.`,
    m, PAGE.h - 44, { size: 6.5, color: COLOR.muted, width: INNER_W });
  // a character no embedded font has printed as [U+XXXX]: the page says so, in red
  if ((markedOnPage.get(doc) ?? 0) > 0) label(doc, MISSING_NOTE, m, PAGE.h - 30, { size: 6.5, bold: true, color: COLOR.hard, width: INNER_W });
}

/**
 * The batch PDF writer: one page per session, drawn as each batch arrives. pdfkit writes a
 * page's objects out when the next page starts (bufferPages stays off) and keeps per page only
 * what the file's end needs: the page's entry in the page tree and its objects' xref offsets,
 * about 1 KB a page (bench/pdf-memory.ts). Everything else of a page is released once written.
 */
export function createPdfWriter(generatedAtMs = Date.now()) {
  const doc = new PDFDocument({ size: "LETTER", margin: PAGE.m, autoFirstPage: false, bufferPages: false, info: { Title: "Titrate session summaries", Creator: "Titrate" } });
  registerPdfFonts(doc);
  let chunks: Uint8Array[] = [];
  doc.on("data", (c: Uint8Array) => chunks.push(c));
  const ended = new Promise<void>((resolve) => doc.on("end", () => resolve()));
  const drain = async () => {
    // pdfkit emits its data asynchronously: let it flush before handing the bytes on
    await new Promise((r) => setImmediate(r));
    const out = chunks;
    chunks = [];
    // pdfkit writes a dozen tiny pieces per object; the response gets one piece per batch
    return out.length ? [Buffer.concat(out)] : [];
  };
  let pages = 0;
  return {
    contentType: "application/pdf",
    head: () => [],
    batch: async (sessions: { pdf: PdfSession }[]) => {
      for (const s of sessions) {
        doc.addPage();
        drawSessionPage(doc, s.pdf, generatedAtMs);
        pages += 1;
      }
      return drain();
    },
    tail: async () => {
      if (pages === 0) {
        doc.addPage();
        label(doc, "No sessions match this export's filter.", PAGE.m, PAGE.m, { size: 12 });
      }
      doc.end();
      await ended;
      return drain();
    },
  };
}
