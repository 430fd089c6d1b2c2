// The generated anchor signing key (lib/server/audit-seal/anchors.ts resolveSigningKey) when
// several app instances start together on a fresh machine: every one of them starts, and all
// of them sign with the one key left on disk. Real processes racing on a real directory (a
// second instance once failed to start on EEXIST and answered 500 to everything).
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { publicKeyPem, resolveSigningKey } from "@/lib/server/audit-seal/anchors";

const run = promisify(execFile);
const dir = mkdtempSync(path.join(os.tmpdir(), "titrate-anchor-key-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One process: resolve the key at `file`, print its public key and whether it created it. */
const CHILD = `
import { publicKeyPem, resolveSigningKey } from ${JSON.stringify(path.resolve("lib/server/audit-seal/anchors.ts"))};
// every process waits for the same instant, so they look for the key at the same moment
const startAtMs = Number(process.argv[3]);
while (Date.now() < startAtMs) { /* spin: a timer's delay would spread the starts */ }
const r = resolveSigningKey(undefined, process.argv[2]!);
console.log(JSON.stringify({ created: r.created, publicKey: publicKeyPem(r.key) }));
`;

describe("the generated anchor signing key", () => {
  it("is created once, kept 0600, and loaded again by the next start", () => {
    const file = path.join(dir, "single", "key.pem");
    const first = resolveSigningKey(undefined, file);
    expect(first.created).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = resolveSigningKey(undefined, file);
    expect(second.created).toBe(false);
    expect(publicKeyPem(second.key)).toBe(publicKeyPem(first.key));
    expect(readdirSync(path.dirname(file)), "no draft file left behind").toEqual(["key.pem"]);
  });

  it("six processes starting at once all get the same key; exactly one created it", async () => {
    const file = path.join(dir, "race", "key.pem");
    const tsx = path.resolve("node_modules/.bin/tsx");
    const child = path.join(dir, "child.mts");
    writeFileSync(child, CHILD);
    const startAtMs = String(Date.now() + 3_000);
    const results = await Promise.all(Array.from({ length: 6 }, () =>
      run(tsx, [child, file, startAtMs], { cwd: process.cwd() }).then(({ stdout }) => JSON.parse(stdout.trim().split("\n").at(-1)!) as { created: boolean; publicKey: string })));
    expect(new Set(results.map((r) => r.publicKey)).size, "one key for all").toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(results[0]!.publicKey).toBe(publicKeyPem(resolveSigningKey(undefined, file).key));
    expect(readFileSync(file, "utf8")).toContain("BEGIN PRIVATE KEY");
    expect(readdirSync(path.dirname(file)), "no draft file left behind").toEqual(["key.pem"]);
  }, 60_000);
});
