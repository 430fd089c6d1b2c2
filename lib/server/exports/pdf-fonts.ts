import "server-only";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import * as fontkit from "fontkit";

// The PDF prints every name and note as written (docs/decisions/0015-unicode-pdf-and-fhir-validation.md).
// Two font families, embedded as subsets of the glyphs used:
// - Noto Sans (@embedpdf/fonts-latin): Latin with Vietnamese, Greek, Cyrillic, Devanagari;
// - Noto Sans SC (@embedpdf/fonts-sc, "Noto Sans Hans"): Chinese, Japanese kana and kanji it
//   shares, plus arrows and maths signs Noto Sans lacks.
// A character neither covers is never dropped or replaced by a look-alike: it prints as its
// code point, "[U+0645]", and the page says so (markMissing / MISSING_NOTE).

export type FaceKey = "latin" | "latinBold" | "cjk" | "cjkBold";

const FACES: Record<FaceKey, { pkg: string; file: string }> = {
  latin: { pkg: "@embedpdf/fonts-latin", file: "NotoSans-Regular.ttf" },
  latinBold: { pkg: "@embedpdf/fonts-latin", file: "NotoSans-Bold.ttf" },
  cjk: { pkg: "@embedpdf/fonts-sc", file: "NotoSansHans-Regular.otf" },
  cjkBold: { pkg: "@embedpdf/fonts-sc", file: "NotoSansHans-Bold.otf" },
};

/** The faces to try, in order, for each weight: Noto Sans first, the CJK font as fallback. */
const ORDER: Record<"regular" | "bold", FaceKey[]> = { regular: ["latin", "cjk"], bold: ["latinBold", "cjkBold"] };

/** pdfkit's font name of a face (registered on every document by registerPdfFonts). */
export const faceName = (key: FaceKey) => `titrate-${key}`;

// The font packages export only a list of file names; their files sit in the package's
// fonts/ folder. Resolved from the project root, as the app, the tests and the bench run there.
const requireFromRoot = createRequire(path.join(process.cwd(), "package.json"));
function fontPath(key: FaceKey): string {
  const { pkg, file } = FACES[key];
  return path.join(path.dirname(requireFromRoot.resolve(pkg)), "..", "fonts", file);
}

// Read once per process when first needed: ~0.6 MB per Noto Sans face, ~8.4 MB per CJK face
// (the CJK ones only once a text has a letter Noto Sans lacks). Each document opens a face
// on its first use, so a PDF without CJK text never reads or parses the CJK font.
const bytes = new Map<FaceKey, Buffer>();
const parsed = new Map<FaceKey, fontkit.Font>();

function faceBytes(key: FaceKey): Buffer {
  let b = bytes.get(key);
  if (!b) {
    // A missing font file is an install error: the export fails loudly (and is audited as
    // failed) rather than print names without their letters.
    b = readFileSync(fontPath(key));
    bytes.set(key, b);
  }
  return b;
}

function face(key: FaceKey): fontkit.Font {
  let f = parsed.get(key);
  if (!f) {
    const created = fontkit.create(faceBytes(key));
    if (!("hasGlyphForCodePoint" in created)) throw new Error(`${FACES[key].file} is a font collection, not a font`);
    f = created;
    parsed.set(key, f);
  }
  return f;
}

/**
 * Registers the four faces on a pdfkit document. The Noto Sans bytes are shared; the CJK faces
 * are registered by path, so pdfkit reads them only for a document that uses them.
 */
export function registerPdfFonts(doc: PDFKit.PDFDocument): void {
  for (const key of Object.keys(FACES) as FaceKey[])
    doc.registerFont(faceName(key), key === "cjk" || key === "cjkBold" ? fontPath(key) : faceBytes(key));
}

/** Ascender of Noto Sans in 1/1000 em: every run of a line sits on Noto Sans's baseline. */
export function latinAscender(): number {
  const f = face("latin");
  return (f.ascent / f.unitsPerEm) * 1000;
}

export interface TextRun {
  face: FaceKey;
  text: string;
  /** the run has a letter the font's `ccmp` feature splits into glyphs without a character (see splitsWithCcmp) */
  needsNoCcmp: boolean;
}

// fontkit's default `ccmp` feature splits some precomposed letters of Noto Sans ("ị", U+1ECB)
// into a base and a mark glyph; pdfkit maps the mark glyph to no character, so the PDF's text
// (copy, search, screen readers) would read "Thi" for "Thị". Such runs are drawn with ccmp off
// (pdf-writer.ts NO_CCMP). Only those: a `features` option bypasses pdfkit's layout cache and
// makes text ~6 times slower to lay out. Found once per face and character.
const splits = new Map<FaceKey, Map<number, boolean>>();
function splitsWithCcmp(key: FaceKey, cp: number): boolean {
  let known = splits.get(key);
  if (!known) splits.set(key, (known = new Map()));
  let v = known.get(cp);
  if (v === undefined) {
    const { glyphs } = face(key).layout(String.fromCodePoint(cp));
    v = glyphs.length !== 1 || glyphs.some((g) => g.codePoints.length === 0);
    known.set(cp, v);
  }
  return v;
}

/** How a character no embedded font covers is printed: its code point, never a look-alike. */
export const missingMarker = (cp: number) => `[U+${cp.toString(16).toUpperCase().padStart(4, "0")}]`;
/** The line a page carries when it printed at least one marker. */
export const MISSING_NOTE =
  "[U+XXXX] marks a character the PDF's fonts (Noto Sans, Noto Sans SC) cannot draw; the chart and the CSV and FHIR exports hold it as written.";

// Characters shared by every script (spaces, digits, punctuation) and combining marks stay in
// the run they are in, when its font has them, so "王, 小明" is one run of the CJK font and a
// mark is shaped with its base letter.
const SHARED = /^[\p{Script=Common}\p{Script=Inherited}]$/u;

/**
 * Splits `text` into runs, each drawn with the first face (Noto Sans, then the CJK font) that
 * has its characters. A character no face has is replaced by missingMarker and listed in
 * `missing`. Whitespace is kept as it is (pdfkit breaks lines on it).
 */
export function fontRuns(text: string, weight: "regular" | "bold"): { runs: TextRun[]; missing: string[] } {
  const order = ORDER[weight];
  const runs: TextRun[] = [];
  const missing: string[] = [];
  const push = (key: FaceKey, s: string) => {
    const last = runs.at(-1);
    if (last && last.face === key) last.text += s;
    else runs.push({ face: key, text: s, needsNoCcmp: false });
  };
  const mark = (cp: number) => {
    const last = runs.at(-1)!;
    if (cp > 0x7f && !last.needsNoCcmp && splitsWithCcmp(last.face, cp)) last.needsNoCcmp = true;
  };
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const last = runs.at(-1);
    if (/\s/u.test(ch)) {
      push(last?.face ?? order[0]!, ch);
      continue;
    }
    if (last && SHARED.test(ch) && face(last.face).hasGlyphForCodePoint(cp)) {
      last.text += ch;
      mark(cp);
      continue;
    }
    const key = order.find((k) => face(k).hasGlyphForCodePoint(cp));
    if (key) {
      push(key, ch);
      mark(cp);
    }
    else {
      missing.push(ch);
      push(last?.face ?? order[0]!, missingMarker(cp));
    }
  }
  return { runs, missing };
}
