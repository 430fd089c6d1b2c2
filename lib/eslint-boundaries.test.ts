import path from "node:path";
import { ESLint, type Linter } from "eslint";
import { beforeAll, describe, expect, it, vi } from "vitest";

/**
 * Proves each layer boundary of eslint.config.mjs fires (docs/decisions/0010-layer-boundaries.md):
 * snippets are linted in memory, as if they were files at the given paths, with the
 * project's own config file. A boundary rule that silently stopped matching (a renamed alias,
 * a regex typo, a plugin that no longer resolves "@/") fails here, not in review.
 *
 * Two overrides, neither touching a boundary rule: the type-aware layer (projectService, the
 * two promise rules) is off, since the snippets' paths are not files TypeScript knows; and
 * import/no-cycle runs without its precomputed strongly-connected components, which are built
 * from the files on disk (a snippet at a new path crashes it, and a snippet that adds an import
 * to an existing file would be judged by the file's old imports). The cycle search itself is
 * the same.
 */
const root = path.resolve(__dirname, "..");
// Each lint resolves real files through the import resolvers: slow on a shared 2-core machine.
vi.setConfig({ testTimeout: 30_000 });
let eslint: ESLint;

beforeAll(async () => {
  eslint = new ESLint({
    cwd: root,
    overrideConfigFile: path.join(root, "eslint.config.mjs"),
    overrideConfig: {
      files: ["**/*.ts", "**/*.tsx"],
      languageOptions: { parserOptions: { projectService: false } },
      rules: {
        "@typescript-eslint/no-floating-promises": "off",
        "@typescript-eslint/no-misused-promises": "off",
        "import/no-cycle": ["error", { ignoreExternal: true, disableScc: true }],
      },
    },
  });
  // The first lint loads every plugin and resolver (seconds on a busy machine): do it here.
  await lint("lib/domain/example.ts", "export const warm = 1;\n");
}, 120_000);

async function lint(filePath: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  return result!.messages;
}

/** The rule ids that fired, each once, sorted. */
const rulesOf = (messages: Linter.LintMessage[]) => [...new Set(messages.map((m) => m.ruleId ?? "fatal"))].sort();

/** A module that imports `spec` and uses the import, so nothing else (unused vars) fires. */
const importing = (spec: string) => `import * as m from "${spec}";\nexport const used = m;\n`;

describe("app/ does not reach the database", () => {
  const file = "app/api/example/route.ts";
  it.each([
    "@/lib/server/db",
    "../../../lib/server/db",
    "@/lib/generated/prisma/client",
    "@/lib/generated/prisma/enums",
    "pg",
    "@prisma/client",
    "@prisma/adapter-pg",
  ])("refuses %s", async (spec) => {
    const messages = await lint(file, importing(spec));
    expect(rulesOf(messages)).toEqual(["no-restricted-imports"]);
    expect(messages[0]!.message).toMatch(/app\/ is routes only/);
  });

  it("refuses a type-only import of the generated client", async () => {
    const messages = await lint(file, `import type { Patient } from "@/lib/generated/prisma/client";\nexport type P = Patient;\n`);
    expect(rulesOf(messages)).toEqual(["no-restricted-imports"]);
  });

  it.each(["@/lib/server/patients", "@/lib/server/http", "@/lib/domain/units", "next/server"])("allows %s", async (spec) => {
    expect(await lint(file, importing(spec))).toEqual([]);
  });
});

describe("lib/domain imports only lib/domain", () => {
  const file = "lib/domain/example.ts";
  it.each([
    "next/server",
    "react",
    "@prisma/client",
    "pg",
    "zod",
    "node:crypto",
    "crypto",
    "@/lib/server/db",
    "@/lib/server/patients",
    "@/app/api/patients/route",
    "@/auth",
    "@/lib/permissions",
  ])("refuses %s", async (spec) => {
    const messages = await lint(file, importing(spec));
    expect(rulesOf(messages)).toContain("no-restricted-imports");
    expect(messages.find((m) => m.ruleId === "no-restricted-imports")!.message).toMatch(/lib\/domain is pure/);
  });

  it.each(["../server/db", "../permissions", "../../auth"])("refuses the relative path %s out of lib/domain", async (spec) => {
    const messages = await lint(file, importing(spec));
    expect(rulesOf(messages)).toEqual(["import/no-restricted-paths"]);
    expect(messages[0]!.message).toMatch(/lib\/domain is pure/);
  });

  it("refuses process.env", async () => {
    const messages = await lint(file, `export const url = process.env.DATABASE_URL;\n`);
    expect(rulesOf(messages)).toEqual(["no-restricted-syntax"]);
  });

  it.each(["./units", "@/lib/domain/units"])("allows %s", async (spec) => {
    expect(await lint(file, importing(spec))).toEqual([]);
  });

  it("lets the unit tests beside the code use vitest and node: modules", async () => {
    expect(await lint("lib/domain/example.test.ts", `${importing("vitest")}import { readFileSync } from "node:fs";\nexport const r = readFileSync;\n`)).toEqual([]);
  });
});

describe("lib/server does not import auth.ts or app/", () => {
  const file = "lib/server/example.ts";
  it.each(["@/auth", "../../auth", "@/app/api/patients/route", "../../app/api/patients/route"])("refuses %s", async (spec) => {
    const messages = await lint(file, importing(spec));
    expect(rulesOf(messages)).toEqual(["no-restricted-imports"]);
    expect(messages[0]!.message).toMatch(/lib\/server is below the routes/);
  });

  it.each(["@/lib/session-policy", "./actor-type", "@/lib/server/db", "@/lib/domain/units"])("allows %s", async (spec) => {
    expect(await lint(file, importing(spec))).toEqual([]);
  });
});

describe("no import cycles", () => {
  // The snippets below run with this test's own import/no-cycle settings (see the top): check
  // that the real config turns the rule on, everywhere, as an error.
  it.each(["lib/permissions.ts", "app/(clinic)/layout.tsx", "lib/domain/units.ts", "scripts/demo.ts"])("is an error in the real config for %s", async (file) => {
    const real = new ESLint({ cwd: root, overrideConfigFile: path.join(root, "eslint.config.mjs") });
    const config = (await real.calculateConfigForFile(path.join(root, file))) as Linter.Config;
    const [severity, options] = config.rules?.["import/no-cycle"] as [number, { disableScc?: boolean }];
    expect(severity).toBe(2);
    expect(options.disableScc).toBeFalsy();
  });

  // lib/server/actor.ts imports lib/permissions.ts; a permissions module importing it back closes a loop.
  it("refuses lib/permissions.ts importing lib/server/actor", async () => {
    const messages = await lint("lib/permissions.ts", importing("@/lib/server/actor"));
    expect(rulesOf(messages)).toEqual(["import/no-cycle"]);
  });

  // Types are erased before the code runs, so a type-only loop cannot leave a module half
  // initialised; eslint-plugin-import does not count it, and this pins that choice.
  it("lets a type-only import close a loop", async () => {
    expect(await lint("lib/permissions.ts", `import type { Actor } from "./server/actor";\nexport type A = Actor;\n`)).toEqual([]);
  });

  // The loop there was: auth.ts -> lib/server/login.ts -> audit.ts -> actor.ts -> auth.ts.
  it("refuses lib/server/audit.ts importing auth.ts again", async () => {
    const messages = await lint("lib/server/audit.ts", importing("@/auth"));
    expect(rulesOf(messages)).toEqual(["import/no-cycle", "no-restricted-imports"]);
  });

  it("allows lib/permissions.ts importing a module that does not import it", async () => {
    expect(await lint("lib/permissions.ts", importing("@/lib/errors"))).toEqual([]);
  });
});
