/**
 * The anchor log (docs/decisions/0018-asynchronous-audit-sealing.md "Anchors"): after each seal
 * that advanced a clinic's chain head, one JSON line per such clinic is appended to a file
 * outside PostgreSQL, signed with an Ed25519 key (node:crypto). A database owner who rewrites
 * the chain consistently, or drops its newest rows, cannot make the database agree with a
 * signed anchor that was shipped off the machine; `audit:verify --anchors` checks that.
 *
 * Used by the sealer (server) and by scripts/verify-audit.ts, so no "server-only" import.
 */
import {
  createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject,
} from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";

export const ANCHOR_FILE_NAME = "audit-anchors.jsonl";
export const PUBLIC_KEY_FILE_NAME = "anchor-public-key.pem";
/** Where anchors go when TITRATE_ANCHOR_DIR is not set (relative to the working directory). */
export const DEFAULT_ANCHOR_DIR = ".data/anchors";
/** The signing key generated when TITRATE_ANCHOR_KEY is not set: beside, not inside, the anchor directory. */
export const DEFAULT_GENERATED_KEY_PATH = ".data/anchor-signing-key.pem";

/** What is signed, in this key order (the signature covers exactly JSON.stringify of it). */
export interface AnchorBody {
  v: 1;
  clinicId: string | null;
  seq: number;
  hash: string;
  sealedAt: string;
  /** sha256 (hex) of the previous line of the same file, null for the first: a removed or reordered line breaks the link */
  prev: string | null;
  /** first 16 hex digits of sha256 over the public key (SPKI DER): which key signed */
  keyId: string;
}
export interface AnchorLine extends AnchorBody {
  /** Ed25519 signature (base64) over JSON.stringify(body) */
  sig: string;
}

export interface AnchorHead {
  clinicId: string | null;
  seq: number;
  hash: string;
  sealedAt: string;
}

function bodyText(b: AnchorBody): string {
  const ordered: AnchorBody = { v: b.v, clinicId: b.clinicId, seq: b.seq, hash: b.hash, sealedAt: b.sealedAt, prev: b.prev, keyId: b.keyId };
  return JSON.stringify(ordered);
}

export function lineDigest(line: string): string {
  return createHash("sha256").update(line, "utf8").digest("hex");
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("hex").slice(0, 16);
}

/** A PEM text, or the path of a file holding one. */
function pemFrom(value: string): string {
  return value.includes("-----BEGIN") ? value : readFileSync(/*turbopackIgnore: true*/ value, "utf8");
}

export function loadPrivateKey(value: string): KeyObject {
  const key = createPrivateKey(pemFrom(value));
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`the anchor signing key must be Ed25519, not ${key.asymmetricKeyType}`);
  return key;
}

export function loadPublicKey(value: string): KeyObject {
  const key = createPublicKey(pemFrom(value));
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`the anchor public key must be Ed25519, not ${key.asymmetricKeyType}`);
  return key;
}

/**
 * The signing key from configuration, or (none configured) the one generated on an earlier
 * start, or a new one written with mode 0600. `generated` tells the caller to say where.
 */
export function resolveSigningKey(configured: string | undefined, generatedPath: string = DEFAULT_GENERATED_KEY_PATH): { key: KeyObject; generated: string | null; created: boolean } {
  if (configured) return { key: loadPrivateKey(configured), generated: null, created: false };
  if (existsSync(/*turbopackIgnore: true*/ generatedPath)) return { key: loadPrivateKey(generatedPath), generated: generatedPath, created: false };
  // Several app instances starting together on a fresh machine all find no key. Each writes its
  // own key whole to a file of its own, then links it into place: the link either creates the
  // key file, complete, or fails because another instance's complete key is there already;
  // that one is then used. Never a half-written key read, never an instance failing to start.
  const { privateKey } = generateKeyPairSync("ed25519");
  mkdirSync(/*turbopackIgnore: true*/ path.dirname(generatedPath), { recursive: true });
  const draft = `${generatedPath}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  writeFileSync(/*turbopackIgnore: true*/ draft, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600, flag: "wx" });
  try {
    linkSync(/*turbopackIgnore: true*/ draft, generatedPath);
    return { key: privateKey, generated: generatedPath, created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return { key: loadPrivateKey(generatedPath), generated: generatedPath, created: false };
  } finally {
    unlinkSync(/*turbopackIgnore: true*/ draft);
  }
}

export function publicKeyPem(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString();
}

/** The last complete, parseable line of a file (or null): the link for the next line. */
async function lastLine(file: string): Promise<string | null> {
  let fh;
  try {
    fh = await open(/*turbopackIgnore: true*/ file, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  try {
    const { size } = await fh.stat();
    // lines are ~300 bytes; 64 KiB holds many, so a torn tail still leaves a whole line before it
    const length = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(length);
    await fh.read(buf, 0, length, size - length);
    const lines = buf.toString("utf8").split("\n");
    if (size > length) lines.shift(); // the first piece may be cut
    for (let i = lines.length - 1; i >= 0; i--) {
      const l = lines[i]!;
      if (!l) continue;
      try { JSON.parse(l); return l; } catch { /* torn by a crash mid-write: link past it */ }
    }
    return null;
  } finally {
    await fh.close();
  }
}

async function endsWithNewline(file: string): Promise<boolean> {
  const fh = await open(/*turbopackIgnore: true*/ file, "r").catch(() => null);
  if (!fh) return true;
  try {
    const { size } = await fh.stat();
    if (size === 0) return true;
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, size - 1);
    return b[0] === 0x0a;
  } finally {
    await fh.close();
  }
}

export interface AnchorWriter {
  file: string;
  keyId: string;
  append(heads: AnchorHead[]): Promise<AnchorLine[]>;
}

/**
 * Appends signed lines to `<dir>/audit-anchors.jsonl`: opened with O_APPEND (every write lands
 * at the end, never over an earlier line), one write per seal, then fsync before returning, so
 * an anchor reported written survives a crash of the machine. The public key is written beside
 * the file (anchor-public-key.pem) for whoever ships the anchors; verify with a copy kept apart.
 */
export function createAnchorWriter(dir: string, privateKey: KeyObject): AnchorWriter {
  mkdirSync(/*turbopackIgnore: true*/ dir, { recursive: true });
  const file = path.join(dir, ANCHOR_FILE_NAME);
  const publicKey = createPublicKey(privateKey);
  const keyId = keyIdOf(publicKey);
  const pubFile = path.join(dir, PUBLIC_KEY_FILE_NAME);
  const pem = publicKeyPem(privateKey);
  if (!existsSync(/*turbopackIgnore: true*/ pubFile) || readFileSync(/*turbopackIgnore: true*/ pubFile, "utf8") !== pem) writeFileSync(/*turbopackIgnore: true*/ pubFile, pem);
  return {
    file,
    keyId,
    async append(heads) {
      if (heads.length === 0) return [];
      // Read the link from the file itself each time: after a leader change another process may have written last.
      let prev = await lastLine(file);
      const lead = (await endsWithNewline(file)) ? "" : "\n"; // a line torn by a crash stays on its own line
      const lines: AnchorLine[] = [];
      let text = lead;
      for (const h of heads) {
        const body: AnchorBody = { v: 1, clinicId: h.clinicId, seq: h.seq, hash: h.hash, sealedAt: h.sealedAt, prev: prev === null ? null : lineDigest(prev), keyId };
        const sig = sign(null, Buffer.from(bodyText(body), "utf8"), privateKey).toString("base64");
        const line: AnchorLine = { ...body, sig };
        const lineText = JSON.stringify(line);
        lines.push(line);
        text += lineText + "\n";
        prev = lineText;
      }
      const fh = await open(/*turbopackIgnore: true*/ file, "a", 0o644);
      try {
        await fh.write(text);
        await fh.sync();
      } finally {
        await fh.close();
      }
      return lines;
    },
  };
}

export interface AnchorFileReport {
  file: string;
  anchors: AnchorLine[];
  problems: string[];
  /** unparseable lines (a crash mid-write leaves one); harmless only if the next line links past them */
  tornLines: number[];
}

/** Reads an anchor file and checks every line's signature, key and link to the line before. */
export function readAnchorFile(file: string, publicKey: KeyObject): AnchorFileReport {
  const keyId = keyIdOf(publicKey);
  const problems: string[] = [];
  const anchors: AnchorLine[] = [];
  const tornLines: number[] = [];
  let prevText: string | null = null;
  const lines = readFileSync(/*turbopackIgnore: true*/ file, "utf8").split("\n");
  lines.forEach((text, i) => {
    const n = i + 1;
    if (!text) return;
    let a: AnchorLine;
    try {
      a = JSON.parse(text) as AnchorLine;
    } catch {
      tornLines.push(n);
      return;
    }
    if (a.v !== 1 || typeof a.seq !== "number" || typeof a.hash !== "string" || typeof a.sig !== "string") {
      problems.push(`${file}:${n}: not an anchor line`);
      return;
    }
    if (a.keyId !== keyId) problems.push(`${file}:${n}: signed by key ${a.keyId}, not by the public key given (${keyId})`);
    else if (!verify(null, Buffer.from(bodyText(a), "utf8"), publicKey, Buffer.from(a.sig, "base64")))
      problems.push(`${file}:${n}: signature does not verify (the line was edited or forged)`);
    const expectedPrev = prevText === null ? null : lineDigest(prevText);
    if (a.prev !== expectedPrev) problems.push(`${file}:${n}: does not link to the line before it (a line was removed, inserted or reordered)`);
    anchors.push(a);
    prevText = text;
  });
  return { file, anchors, problems, tornLines };
}
