// The asynchronous audit sealer and its anchors (docs/decisions/0018-asynchronous-audit-sealing.md):
// rows inserted unsealed, sealed once in (xid, id) order below the horizon, by one leader, with
// the heads published to a signed anchor log that catches what the chain alone cannot.
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAnchorWriter, readAnchorFile, type AnchorLine } from "@/lib/server/audit-seal/anchors";
import { sealAllPending, sealAuditBatch, sealCommitted, isSealConflict } from "@/lib/server/audit-seal/seal";
import { startAuditSealer, type RunningSealer } from "@/lib/server/audit-seal/sealer";
import { findStaleUnsealed, verifyAnchorsAgainstChain, verifyAuditChain } from "@/lib/server/audit-verify";
import { at, openSession, vitals, type Clinic } from "@/test/charting";
import { db, freshClinic } from "@/test/helpers";

const IV = "IV infusion (routes table)";
const databaseUrl = () => process.env.DATABASE_URL!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw connection of its own (a transaction held open, a superuser's edit). */
async function connect() {
  const c = new pg.Client({ connectionString: databaseUrl() });
  await c.connect();
  return c;
}

async function chain(clinicId: string) {
  return db.auditEvent.findMany({ where: { clinicId }, orderBy: [{ seq: "asc" }, { id: "asc" }] });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** A key pair and an anchor writer in a fresh directory. */
function anchorSetup() {
  const dir = mkdtempSync(path.join(tmpdir(), "titrate-anchors-"));
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const writer = createAnchorWriter(dir, privateKey);
  const pubFile = path.join(dir, "kept-elsewhere.pem");
  writeFileSync(pubFile, publicKey.export({ type: "spki", format: "pem" }));
  return { dir, writer, publicKey, pubFile };
}

/** As a superuser with the guard trigger disabled: what a database owner could do. */
async function asSuperuser(work: (c: pg.Client) => Promise<void>) {
  const c = await connect();
  try {
    await c.query("BEGIN");
    await c.query(`ALTER TABLE "AuditEvent" DISABLE TRIGGER audit_no_update`);
    await work(c);
    await c.query(`ALTER TABLE "AuditEvent" ENABLE TRIGGER audit_no_update`);
    await c.query("COMMIT");
  } finally {
    await c.end();
  }
}

const sealers: RunningSealer[] = [];
afterAll(async () => {
  await Promise.all(sealers.map((s) => s.stop()));
});

describe("sealing", () => {
  let clinics: Clinic[];
  beforeAll(async () => {
    clinics = await Promise.all([0, 1, 2].map(() => freshClinic()));
  });

  it("concurrent writers in several clinics: every row sealed exactly once by the running sealer, chains verify, heads anchored", async () => {
    const { writer, publicKey } = anchorSetup();
    const seals: { sealed: number; heads: { clinicId: string | null; seq: number }[] }[] = [];
    const sealer = startAuditSealer({ db, databaseUrl: databaseUrl(), tickMs: 50, anchors: writer, onSeal: (r) => seals.push(r), log: () => undefined });
    sealers.push(sealer);
    const sessions = await Promise.all(clinics.flatMap((c) => [0, 1].map(() => openSession(c, IV).then((o) => ({ c, id: o.session.id })))));
    // 6 sessions × 8 sets, all at once, while the sealer runs
    await Promise.all(sessions.map(async ({ c, id }) => {
      for (let i = 1; i <= 8; i++) await vitals(c.actors.nurse, id, at(i));
    }));
    for (const c of clinics)
      await waitFor("the sealer to catch up", async () => (await db.auditEvent.count({ where: { clinicId: c.clinic.id, seq: null } })) === 0);
    await sealer.stop();
    sealers.splice(sealers.indexOf(sealer), 1);

    for (const c of clinics) {
      const rows = await chain(c.clinic.id);
      // 2 × (series.order + session.start) + 16 × vitals.chart, all sealed once: seq 1..n, no gap, no repeat
      expect(rows.length).toBe(20);
      expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, i) => i + 1));
      expect(await verifyAuditChain(db, c.clinic.id)).toEqual({ checked: 20, broken: [] });
      // sealed in (xid, id) order
      const order = await db.$queryRaw<{ id: bigint }[]>`SELECT "id" FROM "AuditEvent" WHERE "clinicId" = ${c.clinic.id} ORDER BY "xid", "id"`;
      expect(rows.map((r) => r.id)).toEqual(order.map((r) => r.id));
    }
    // every row of these clinics was counted in exactly one seal
    const perClinic = new Map<string, number>();
    for (const s of seals) for (const h of s.heads) if (h.clinicId) perClinic.set(h.clinicId, (perClinic.get(h.clinicId) ?? 0) + (h as { rowsSealed?: number }).rowsSealed!);
    for (const c of clinics) expect(perClinic.get(c.clinic.id)).toBe(20);
    // the anchor log: signed, linked, each clinic's anchors rising to its head
    const report = readAnchorFile(writer.file, publicKey);
    expect(report.problems).toEqual([]);
    for (const c of clinics) {
      const mine = report.anchors.filter((a) => a.clinicId === c.clinic.id).map((a) => a.seq);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
      expect(mine.at(-1)).toBe(20);
    }
    expect((await verifyAnchorsAgainstChain(db, report.anchors)).problems).toEqual([]);
  });

  it("a rolled-back write leaves no audit row to seal", async () => {
    const [c] = clinics;
    await sealCommitted(db);
    const before = await db.auditEvent.count({ where: { clinicId: c!.clinic.id } });
    const { session } = await openSession(c!, IV);
    const sealedBefore = await sealCommitted(db);
    expect(sealedBefore.heads.find((h) => h.clinicId === c!.clinic.id)?.rowsSealed).toBe(2);
    await expect(db.$transaction(async (tx) => {
      const { chartVitals } = await import("@/lib/server/sessions");
      const { VitalsSchema } = await import("@/lib/validation/session");
      await chartVitals(tx, { actor: c!.actors.nurse, sessionId: session.id, now: at(3), input: VitalsSchema.parse({ at: at(3).toISOString(), systolicMmHg: 120, diastolicMmHg: 80, heartRatePerMin: 70, spo2Pct: 98, respRatePerMin: 14 }) });
      throw new Error("rolled back");
    })).rejects.toThrow("rolled back");
    const after = await sealCommitted(db);
    expect(after.heads.find((h) => h.clinicId === c!.clinic.id)).toBeUndefined();
    expect(await db.auditEvent.count({ where: { clinicId: c!.clinic.id } })).toBe(before + 2);
    expect((await verifyAuditChain(db, c!.clinic.id)).broken).toEqual([]);
  });

  it("a transaction held open delays sealing of every later transaction's rows, then they are sealed in xid order, its row first", async () => {
    const c = clinics[1]!;
    await sealCommitted(db);
    const held = await connect();
    try {
      await held.query("BEGIN");
      const { rows: [heldRow] } = await held.query<{ id: string; xid: string }>(
        `INSERT INTO "AuditEvent" ("clinicId", "action", "entityType", "entityId") VALUES ($1, 'test.held', 'Test', 'held') RETURNING "id"::text, "xid"::text`, [c.clinic.id]);
      // three later transactions commit while it stays open
      const later: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await db.$queryRaw<{ id: bigint }[]>`
          INSERT INTO "AuditEvent" ("clinicId", "action", "entityType", "entityId") VALUES (${c.clinic.id}, 'test.later', 'Test', ${String(i)}) RETURNING "id"`;
        later.push(r[0]!.id.toString());
      }
      for (let i = 0; i < 3; i++) {
        await sealAllPending(db);
        await sleep(100);
      }
      const waiting = await db.auditEvent.findMany({ where: { clinicId: c.clinic.id, action: "test.later" } });
      expect(waiting.map((r) => r.seq)).toEqual([null, null, null]);
      await held.query("COMMIT");
      await sealCommitted(db);
      const rows = await db.auditEvent.findMany({ where: { clinicId: c.clinic.id, action: { in: ["test.held", "test.later"] } }, orderBy: { seq: "asc" } });
      // committed last, sealed first: xid order, not commit order
      expect(rows.map((r) => r.id.toString())).toEqual([heldRow!.id, ...later]);
      const seqs = rows.map((r) => Number(r.seq));
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
      expect((await verifyAuditChain(db, c.clinic.id)).broken).toEqual([]);
    } finally {
      await held.end();
    }
  });

  it("two sealers running: one leads, no row is sealed twice; when the leader stops, the other takes over", async () => {
    const c = clinics[2]!;
    await sealCommitted(db);
    const a = startAuditSealer({ db, databaseUrl: databaseUrl(), tickMs: 50, log: () => undefined });
    sealers.push(a);
    await waitFor("a to lead", async () => a.isLeader());
    const b = startAuditSealer({ db, databaseUrl: databaseUrl(), tickMs: 50, log: () => undefined });
    sealers.push(b);
    await sleep(300);
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    const { session } = await openSession(c, IV);
    await vitals(c.actors.nurse, session.id, at(1));
    await waitFor("a to seal", async () => (await db.auditEvent.count({ where: { clinicId: c.clinic.id, seq: null } })) === 0);
    await a.stop();
    await waitFor("b to lead", async () => b.isLeader());
    await vitals(c.actors.nurse, session.id, at(2));
    await waitFor("b to seal", async () => (await db.auditEvent.count({ where: { clinicId: c.clinic.id, seq: null } })) === 0);
    await b.stop();
    const rows = await chain(c.clinic.id);
    expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, i) => i + 1));
    expect((await verifyAuditChain(db, c.clinic.id)).broken).toEqual([]);
  });

  it("two seals racing without the leader lock: the database lets one seal each row, the other rolls back", async () => {
    const c = clinics[2]!;
    await sealCommitted(db);
    const { session } = await openSession(c, IV);
    for (let i = 3; i < 9; i++) await vitals(c.actors.nurse, session.id, at(i));
    const results = await Promise.allSettled([0, 1, 2, 3].map(() => sealAuditBatch(db)));
    for (const r of results) if (r.status === "rejected") expect(isSealConflict(r.reason)).toBe(true);
    await sealCommitted(db);
    const rows = await chain(c.clinic.id);
    expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, i) => i + 1));
    expect((await verifyAuditChain(db, c.clinic.id)).broken).toEqual([]);
    const sealedHere = results.flatMap((r) => (r.status === "fulfilled" ? r.value.heads : [])).filter((h) => h.clinicId === c.clinic.id);
    expect(sealedHere.reduce((n, h) => n + h.rowsSealed, 0)).toBe(8);
  });
});

describe("anchors catch what the chain alone cannot", () => {
  it("a consistently rewritten chain: missed without anchors, caught with them", async () => {
    const t = await freshClinic();
    const { writer, publicKey, pubFile } = anchorSetup();
    const { session } = await openSession(t, IV);
    await vitals(t.actors.nurse, session.id, at(1));
    await vitals(t.actors.nurse, session.id, at(2));
    await writer.append((await sealCommitted(db)).heads);
    const original = await chain(t.clinic.id);
    expect(original.length).toBe(4);

    // rewrite the first vitals row and recompute every later link: a consistent chain
    await asSuperuser(async (c) => {
      await c.query(`UPDATE "AuditEvent" SET "after" = jsonb_set("after", '{systolicMmHg}', '99') WHERE "id" = $1`, [original[2]!.id]);
      for (const seq of [3, 4]) await c.query(`
        UPDATE "AuditEvent" e SET "prevHash" = p."hash" FROM "AuditEvent" p
         WHERE e."clinicId" = $1 AND e."seq" = $2 AND p."clinicId" = $1 AND p."seq" = $2 - 1`, [t.clinic.id, seq]).then(() => c.query(`
        UPDATE "AuditEvent" SET "hash" = audit_event_hash("seq", "prevHash", "clinicId", "actorId", "action", "entityType", "entityId", "at", "before", "after")
         WHERE "clinicId" = $1 AND "seq" = $2`, [t.clinic.id, seq]));
    });
    expect(await verifyAuditChain(db, t.clinic.id)).toEqual({ checked: 4, broken: [] });
    const anchors = readAnchorFile(writer.file, publicKey);
    expect(anchors.problems).toEqual([]);
    const check = await verifyAnchorsAgainstChain(db, anchors.anchors.filter((a) => a.clinicId === t.clinic.id));
    expect(check.problems).toEqual([expect.stringMatching(new RegExp(`clinic ${t.clinic.id} seq 4: .*the chain was rewritten`))]);

    // the command line says the same, and exits 1
    const cli = await runVerify(["--anchors", writer.file, "--public-key", pubFile]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/seq 4: .*rewritten/);

    // put the rows back, so later whole-database checks start clean
    await asSuperuser(async (c) => {
      for (const r of original) await c.query(`UPDATE "AuditEvent" SET "after" = $2::jsonb, "prevHash" = $3, "hash" = $4 WHERE "id" = $1`, [r.id, JSON.stringify(r.after), r.prevHash, r.hash]);
    });
    expect((await verifyAnchorsAgainstChain(db, anchors.anchors)).problems).toEqual([]);
  }, 90_000);

  it("a truncated tail: missed without anchors, caught with them", async () => {
    const t = await freshClinic();
    const { writer, publicKey } = anchorSetup();
    const { session } = await openSession(t, IV);
    await vitals(t.actors.nurse, session.id, at(1));
    await writer.append((await sealCommitted(db)).heads);
    await vitals(t.actors.nurse, session.id, at(2));
    await writer.append((await sealCommitted(db)).heads);
    const anchors = readAnchorFile(writer.file, publicKey).anchors.filter((a) => a.clinicId === t.clinic.id);
    expect(anchors.map((a) => a.seq)).toEqual([3, 4]);
    await asSuperuser(async (c) => {
      await c.query(`DELETE FROM "AuditEvent" WHERE "clinicId" = $1 AND "seq" >= 3`, [t.clinic.id]);
    });
    // what is left is a valid chain: seq 1..2
    expect(await verifyAuditChain(db, t.clinic.id)).toEqual({ checked: 2, broken: [] });
    expect((await verifyAnchorsAgainstChain(db, anchors)).problems).toEqual([
      `clinic ${t.clinic.id} seq 3: anchored but not in the chain (head is seq 2): rows were removed from the tail`,
      `clinic ${t.clinic.id} seq 4: anchored but not in the chain (head is seq 2): rows were removed from the tail`,
    ]);
    // (the clinic's rows stay removed: this clinic is this test's alone, and the whole-database
    // checks of later tests see a valid chain of 2)
  });

  it("an anchor line edited, forged or removed fails its signature or its link", async () => {
    const { writer, publicKey } = anchorSetup();
    await writer.append([{ clinicId: "k1", seq: 1, hash: "a".repeat(64), sealedAt: "2026-11-30T00:00:00.000Z" }]);
    await writer.append([{ clinicId: "k1", seq: 2, hash: "b".repeat(64), sealedAt: "2026-11-30T00:00:01.000Z" }, { clinicId: null, seq: 7, hash: "c".repeat(64), sealedAt: "2026-11-30T00:00:01.000Z" }]);
    expect(readAnchorFile(writer.file, publicKey).problems).toEqual([]);
    const lines = readFileSync(writer.file, "utf8").trim().split("\n");
    const edited = JSON.parse(lines[1]!) as AnchorLine;
    edited.seq = 9;
    writeFileSync(writer.file, [lines[0], JSON.stringify(edited), lines[2]].join("\n") + "\n");
    expect(readAnchorFile(writer.file, publicKey).problems).toEqual([
      `${writer.file}:2: signature does not verify (the line was edited or forged)`,
      `${writer.file}:3: does not link to the line before it (a line was removed, inserted or reordered)`,
    ]);
    writeFileSync(writer.file, [lines[0], lines[2]].join("\n") + "\n");
    expect(readAnchorFile(writer.file, publicKey).problems).toEqual([
      `${writer.file}:2: does not link to the line before it (a line was removed, inserted or reordered)`,
    ]);
    const other = generateKeyPairSync("ed25519").publicKey;
    expect(readAnchorFile(writer.file, other).problems[0]).toMatch(/signed by key [0-9a-f]{16}, not by the public key given/);
  });
});

describe("audit:verify and the unsealed lag", () => {
  it("fails on a row unsealed for longer than the lag, passes with a longer lag and once it is sealed", async () => {
    await sealCommitted(db);
    const k = await freshClinic();
    await db.$executeRaw`
      INSERT INTO "AuditEvent" ("clinicId", "action", "entityType", "entityId", "at")
      VALUES (${k.clinic.id}, 'test.old', 'Test', 'x', (now() AT TIME ZONE 'UTC') - interval '120 seconds')`;
    const report = await findStaleUnsealed(db, 60_000);
    expect(report.stale).toBe(1);
    expect((await findStaleUnsealed(db, 300_000)).stale).toBe(0);

    const failing = await runVerify([]);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(/1 audit row\(s\) unsealed for more than 60 s/);
    expect((await runVerify(["--max-unsealed-lag", "300"])).code).toBe(0);
    expect((await runVerify([], { TITRATE_AUDIT_MAX_UNSEALED_LAG_S: "300" })).code).toBe(0);

    await sealCommitted(db);
    const passing = await runVerify([]);
    expect(passing.stdout).toMatch(/Audit chain intact: \d+ sealed events checked, 0 awaiting the sealer/);
    expect(passing.code).toBe(0);
    expect((await runVerify(["--bogus"])).code).toBe(2);
  }, 180_000); // five runs of the command, each a fresh tsx process
});

async function runVerify(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)("npx", ["tsx", "--conditions=react-server", "scripts/verify-audit.ts", ...args], {
      env: { ...process.env, ...env, DATABASE_URL: databaseUrl() },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
