import "server-only";
import { createHash } from "node:crypto";
import { buildPatient, buildSessionEntries } from "@/lib/domain/fhir";
import { utf8, type FormatWriter } from "./format-writer";

/** A stable UUID per (resource type, record id), so a re-export names the same resources the same way. */
export function stableUuid(resourceType: string, sourceId: string): string {
  const h = createHash("sha256").update(`titrate:${resourceType}:${sourceId}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50; // version 5 layout (name-based)
  h[8] = (h[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Streams `{"resourceType":"Bundle",...,"entry":[ ... ]}`; each Patient is written once, before its first session. */
export function fhirWriter(exportId: string, timestampIso: string): FormatWriter {
  const patientsWritten = new Set<string>();
  let first = true;
  return {
    contentType: "application/fhir+json; charset=utf-8",
    head: () => [utf8.encode(`{"resourceType":"Bundle","id":"${exportId}","type":"collection","timestamp":"${timestampIso}","entry":[`)],
    batch: (sessions) => {
      const parts: string[] = [];
      for (const s of sessions) {
        if (!patientsWritten.has(s.detail.patient.id)) {
          patientsWritten.add(s.detail.patient.id);
          const patient = buildPatient(s.detail.patient, stableUuid);
          parts.push(JSON.stringify({ fullUrl: `urn:uuid:${patient.id}`, resource: patient }));
        }
        for (const e of buildSessionEntries(s.detail, stableUuid)) parts.push(JSON.stringify(e));
      }
      if (parts.length === 0) return [];
      const text = (first ? "" : ",") + parts.join(",");
      first = false;
      return [utf8.encode(text)];
    },
    tail: () => [utf8.encode("]}")],
  };
}
