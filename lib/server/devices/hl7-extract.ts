import "server-only";
import type { DeviceObservation } from "@/lib/domain/device-vitals";

// Reads the parts of an ORU^R01 (IHE PCD-01) message that Titrate uses into plain strings,
// from the parsed message of @medplum/core's HL7 v2 parser (docs/decisions/0021-monitor-vitals-over-hl7.md).
// The mapping to vitals is pure (lib/domain/device-vitals.ts); nothing here decides.

/** The parser's shape as used here (structural: @medplum/hl7 brings its own copy of @medplum/core). */
interface Hl7FieldLike { getComponent(component: number, subcomponent?: number, repetition?: number): string; toString(): string }
interface Hl7SegmentLike { name: string; getField(index: number): Hl7FieldLike | undefined; getComponent(field: number, component: number): string }
export interface Hl7MessageLike {
  getSegment(index: number | string): Hl7SegmentLike | undefined;
  getAllSegments(name: string): Hl7SegmentLike[];
}

export interface ExtractedMessage {
  /** MSH-10 ("" when absent) */
  controlId: string;
  /** MSH-9.1 and MSH-9.2, e.g. ORU and R01 */
  messageCode: string;
  triggerEvent: string;
  /**
   * The identifiers the sender may be registered under, most specific first: the equipment
   * instance of the observations (OBX-18.1), MSH-3's universal id (the monitor's EUI-64) and
   * namespace id, then MSH-3 whole.
   */
  senderCandidates: string[];
  /**
   * The message's own times, HL7 timestamps: OBR-7, MSH-7. They time the set only when none of
   * its charted observations carries an OBX-14 (each observation keeps its own).
   */
  messageTimes: string[];
  observations: DeviceObservation[];
}

const field = (s: Hl7SegmentLike | undefined, i: number) => s?.getField(i)?.toString() ?? "";
const comp = (s: Hl7SegmentLike | undefined, f: number, c: number) => (s ? s.getComponent(f, c) ?? "" : "");

export function extractMessage(m: Hl7MessageLike): ExtractedMessage {
  const msh = m.getSegment("MSH");
  const obr = m.getSegment("OBR");
  const obx = m.getAllSegments("OBX");
  const candidates: string[] = [];
  const add = (v: string) => { const t = v.trim(); if (t !== "" && t.length <= 200 && !candidates.includes(t)) candidates.push(t); };
  for (const o of obx) add(comp(o, 18, 1));
  add(comp(msh, 3, 2));
  add(comp(msh, 3, 1));
  add(field(msh, 3));
  const messageTimes = [field(obr, 7), field(msh, 7)].filter((t) => t.trim() !== "");
  return {
    controlId: field(msh, 10).trim(),
    messageCode: comp(msh, 9, 1).trim().toUpperCase(),
    triggerEvent: comp(msh, 9, 2).trim().toUpperCase(),
    senderCandidates: candidates,
    messageTimes,
    observations: obx.map((o) => ({
      valueType: field(o, 2),
      code: comp(o, 3, 1), codeText: comp(o, 3, 2), codeSystem: comp(o, 3, 3),
      altCode: comp(o, 3, 4), altCodeText: comp(o, 3, 5), altCodeSystem: comp(o, 3, 6),
      value: field(o, 5),
      unitCode: comp(o, 6, 1), unitText: comp(o, 6, 2), unitSystem: comp(o, 6, 3),
      resultStatus: field(o, 11),
      observedAt: field(o, 14),
      equipmentId: comp(o, 18, 1).trim(),
    })),
  };
}
