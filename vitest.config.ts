import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "@": path.resolve(__dirname) };

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit", include: ["lib/**/*.test.ts"], exclude: ["**/*.int.test.ts", "node_modules/**"], environment: "node",
          // the first FHIR test indexes the R4 StructureDefinitions (test/fhir-validator.ts): about
          // 3 s alone, past the 5 s default on a 2-core machine shared by several runs
          testTimeout: 20_000,
        },
      },
      {
        resolve: { alias: { ...alias, "server-only": path.resolve(__dirname, "test/server-only-stub.ts") } },
        test: {
          name: "integration",
          include: ["lib/**/*.int.test.ts", "test/**/*.int.test.ts"],
          environment: "node",
          globalSetup: ["test/global-setup.ts"],
          // one shared database per run; files run one at a time to keep the 2-core CI calm
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
