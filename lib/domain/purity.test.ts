import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * lib/domain is the pure clinical core, run in the browser and on the server alike: it may
 * import only itself. This guards the rule the way a lint rule would (STYLE.md).
 */
const dir = path.resolve(__dirname);
const sources = readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));

describe("lib/domain imports nothing but itself", () => {
  it("has sources to check", () => expect(sources.length).toBeGreaterThan(5));
  it.each(sources)("%s", (file) => {
    const text = readFileSync(path.join(dir, file), "utf8");
    const imports = [...text.matchAll(/(?:import|export)[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]);
    const foreign = imports.filter((spec) => !spec!.startsWith("./"));
    expect(foreign).toEqual([]);
    expect(text).not.toMatch(/process\.env|globalThis\.fetch|\bwindow\./);
  });
});
