import { formatMgPerKgPerH } from "@/lib/domain/units";
import { documentedBand } from "@/lib/domain/protocol";
import type { ProtocolLimits } from "@/lib/domain/protocol";

const r = (ug: number | null) => (ug === null ? "—" : formatMgPerKgPerH(ug));

/** "Documented 0.100–0.300 mg/kg/h · hard limit ≥ 1.000 mg/kg/h" (with the start range when the protocol has one). */
export function bandText(limits: ProtocolLimits, forStart = false): string {
  const b = documentedBand(limits);
  const parts: string[] = [];
  const hasStart = b.startMinUgPerKgPerH !== null || b.startMaxUgPerKgPerH !== null;
  if (hasStart && forStart) parts.push(`Start range ${r(b.startMinUgPerKgPerH)}–${r(b.startMaxUgPerKgPerH)} mg/kg/h`);
  if (b.minUgPerKgPerH !== null || b.maxUgPerKgPerH !== null) parts.push(`documented ${r(b.minUgPerKgPerH)}–${r(b.maxUgPerKgPerH)} mg/kg/h`);
  else parts.push("no documented rate range");
  if (hasStart && !forStart) parts.push(`start ${r(b.startMinUgPerKgPerH)}–${r(b.startMaxUgPerKgPerH)}`);
  parts.push(`hard limit ≥ ${formatMgPerKgPerH(b.hardMaxUgPerKgPerH)} mg/kg/h`);
  const text = parts.join(" · ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
