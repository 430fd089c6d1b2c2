// ESLint flat config: Next's recommended rules (React, hooks, accessibility, Next), the
// typescript-eslint recommended set, two type-aware promise rules, and the layer boundaries of
// docs/decisions/0010-layer-boundaries.md. lib/eslint-boundaries.test.ts lints snippets with
// this file to prove every boundary rule fires.
import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

/** Files that are TypeScript and part of tsconfig.json: the type-aware rules run on these. */
const TS_FILES = ["**/*.ts", "**/*.tsx"];

const DB_IN_APP =
  "app/ is routes only: reach the database through a lib/server service, which checks the permission, scopes to the clinic and writes the audit row in the same transaction. Take DTO types from lib/server or lib/domain.";
const DOMAIN_PURE =
  "lib/domain is pure clinical logic, called from the browser and the server alike: it imports only other lib/domain modules (no framework, database, Node built-ins, server code or environment).";
const SERVER_NOT_UP =
  "lib/server is below the routes: it must not import auth.ts (next-auth's configuration, which itself reaches lib/server through sign-in) or anything in app/. Session policy lives in lib/session-policy.ts.";

const config = [
  {
    // lib/generated is Prisma's output; the rest are build and test artefacts.
    ignores: [
      "lib/generated/**", ".next/**", ".data/**", "node_modules/**", "test-results/**",
      "playwright-report/**", "bench/out/**", ".shots/**", "next-env.d.ts",
    ],
  },
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    files: TS_FILES,
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A promise nobody awaits loses its error: a write that failed would look saved.
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }],
      // `_` marks a parameter or element kept for its position (callbacks, destructuring).
      "@typescript-eslint/no-unused-vars": ["warn", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" }],
      "import/no-cycle": ["error", { ignoreExternal: true }],
    },
  },
  {
    rules: {
      // Off: the three full-page loads are deliberate. After sign-in, a password change and a
      // 401 the session cookie changed, and a soft navigation would keep the client state and
      // the router cache rendered for the previous session.
      "@next/next/no-location-assign-relative-destination": "off",
    },
  },
  {
    files: ["app/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": ["error", {
        paths: [
          { name: "pg", message: DB_IN_APP },
        ],
        patterns: [
          { regex: "(^@/|(^|/)\\.\\.?/)(.*/)?lib/server/db$", message: DB_IN_APP },
          { regex: "(^@/|(^|/)\\.\\.?/)(.*/)?lib/generated(/|$)", message: DB_IN_APP },
          { regex: "^@prisma/", message: DB_IN_APP },
        ],
      }],
    },
  },
  {
    files: ["lib/domain/**/*.{ts,tsx}"],
    // The unit tests beside the code may use vitest, fixtures and node:fs.
    ignores: ["lib/domain/**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [
          // Anything that is not a relative path or @/lib/domain: packages (next, react,
          // @prisma/*, pg, zod), node: built-ins, @/lib/server, @/app, @/auth.
          { regex: "^(?!\\.{1,2}/|@/lib/domain(/|$))", message: DOMAIN_PURE },
        ],
      }],
      // A relative path that climbs out of lib/domain ("../server/db").
      "import/no-restricted-paths": ["error", {
        zones: [{ target: "./lib/domain", from: "./", except: ["./lib/domain"], message: DOMAIN_PURE }],
      }],
      "no-restricted-syntax": ["error", {
        selector: "MemberExpression[object.name='process']",
        message: `${DOMAIN_PURE} Pass configuration in as a parameter.`,
      }],
    },
  },
  {
    files: ["lib/server/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [
          { regex: "^@/auth$|(^|/)\\.\\./(\\.\\./)*auth$", message: SERVER_NOT_UP },
          { regex: "^@/app(/|$)|(^|/)\\.\\./(\\.\\./)*app(/|$)", message: SERVER_NOT_UP },
        ],
      }],
    },
  },
];

export default config;
