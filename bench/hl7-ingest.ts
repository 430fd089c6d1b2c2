/**
 * Benchmark (docs/decisions/0021-monitor-vitals-over-hl7.md): bedside monitors sending IHE
 * PCD-01 ORU^R01 vitals sets over MLLP to the app's listener while nurses chart vitals through
 * the web. Measures the acknowledgement latency (send → ACK received) p50/p99 (target p99 <
 * 200 ms) and the nurses' charting latency beside it, each against its own baseline measured in
 * the same run on the same server: three phases of BENCH_SECONDS each, in this order: monitors
 * alone (ACK latency without web load), nurses alone (charting latency without monitor
 * traffic), both at once; the ratios are the combined phase's latency over the baseline's.
 * Rows accumulate over the phases (readings, charted sets), so the combined phase runs on the
 * fullest sessions: a ratio above 1 is an upper bound of the interference.
 *
 * The brief's load is 100 monitors each sending a set every 15 s (6.7 messages/s). Time can be
 * compressed with BENCH_HL7_INTERVAL_MS (say so when reporting: e.g. 1500 ms is ten times the
 * real rate). Each monitor keeps one connection (@medplum/hl7's Hl7Client) and waits for each
 * ACK before its next message (MLLP original mode), its first send staggered over the interval.
 *
 * Needs the app served at BENCH_BASE_URL on BENCH_DATABASE_URL with HL7_MLLP_PORT set
 * (bench/run.sh sets BENCH_MLLP_PORT, default 2575, on the server) and the demo seed.
 * Env: BENCH_MONITORS (100), BENCH_HL7_INTERVAL_MS (15000), BENCH_SECONDS (60), BENCH_NURSES (4).
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { Hl7Client } from "@medplum/hl7";
// @ts-expect-error ws ships no type declarations; only its WebSocket class is used
import { WebSocket } from "ws";
import { BASE, login, machine, percentile, post, round } from "./lib";

(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

const MONITORS = Number(process.env.BENCH_MONITORS ?? 100);
const INTERVAL_MS = Number(process.env.BENCH_HL7_INTERVAL_MS ?? 15_000);
const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 60) * 1000;
const NURSES = Number(process.env.BENCH_NURSES ?? 4);
const MLLP_PORT = Number(process.env.BENCH_MLLP_PORT ?? 2575);
const RUN = randomUUID().slice(0, 6);

const hl7Time = (ms: number) => new Date(ms).toISOString().replace(/[-:T]/g, "").replace(/\.\d+Z$/, "+0000");

function oru(identifier: string, control: string): string {
  const t = hl7Time(Date.now());
  const eq = `${identifier}^EUI-64`;
  const jitter = (n: number, d: number) => n + Math.round((Math.random() - 0.5) * d);
  return [
    `MSH|^~\\&|MONITOR^${identifier}^EUI-64|SUITE|TITRATE|CLINIC|${t}||ORU^R01^ORU_R01|${control}|P|2.6`,
    `OBR|1|||182777000^monitoring of patient^SCT|||${t}`,
    `OBX|1|NM|150021^MDC_PRESS_BLD_NONINV_SYS^MDC|1.1.9.150021|${jitter(125, 10)}|266016^MDC_DIM_MMHG^MDC|||||R|||${t}||||${eq}`,
    `OBX|2|NM|150022^MDC_PRESS_BLD_NONINV_DIA^MDC|1.1.9.150022|${jitter(80, 6)}|266016^MDC_DIM_MMHG^MDC|||||R|||${t}||||${eq}`,
    `OBX|3|NM|147842^MDC_ECG_HEART_RATE^MDC|1.2.1.147842|${jitter(72, 8)}|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||${t}||||${eq}`,
    `OBX|4|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.3.1.150456|${jitter(97, 2)}|262688^MDC_DIM_PERCENT^MDC|||||R|||${t}||||${eq}`,
    `OBX|5|NM|151562^MDC_RESP_RATE^MDC|1.5.1.151562|${jitter(14, 2)}|264928^MDC_DIM_RESP_PER_MIN^MDC|||||R|||${t}||||${eq}`,
  ].join("\r");
}

/** One running session in a chair of its own, and a monitor registered to that chair (all through the API). */
async function setUp(count: number) {
  const nurse = await login("nurse@demo.clinic");
  const physician = await login("physician@demo.clinic");
  const admin = await login("admin@demo.clinic");
  const protocols = (await (await fetch(`${BASE}/api/protocols`, { headers: { cookie: nurse } })).json()) as { protocols: { name: string; versions: { id: string }[] }[] };
  const iv = protocols.protocols.find((p) => p.name === "IV infusion (routes table)")!.versions[0]!.id;
  const out: { sessionId: string; identifier: string }[] = [];
  for (let i = 0; i < count; i++) {
    const p = await post<{ patient: { id: string } }>(nurse, "/api/patients", {
      mrn: `HL7B-${RUN}-${i}`, givenName: "Bench", familyName: `Monitor ${i}`, birthDate: "1980-01-01", sex: "UNKNOWN", consentOnFile: true,
    });
    const s = await post<{ series: { id: string } }>(physician, `/api/patients/${p.body.patient.id}/series`, { protocolVersionId: iv, plannedSessions: 5, startDate: new Date().toISOString().slice(0, 10) });
    const chair = await post<{ chair: { id: string } }>(admin, "/api/admin/chairs", { name: `HL7 bench ${RUN} ${i}` });
    const sess = await post<{ session: { id: string } }>(nurse, `/api/series/${s.body.series.id}/sessions`, {
      weightKg: 70, concentrationMgPerMl: 1, consentConfirmed: true, screeningReviewed: true, chairId: chair.body.chair.id,
    });
    if (sess.status !== 201) throw new Error(`session start failed: ${sess.status} ${JSON.stringify(sess.body)}`);
    const identifier = `BENCH-${RUN}-${i}`;
    const dev = await post(admin, "/api/admin/devices", { identifier, name: `Bench monitor ${i}`, chairId: chair.body.chair.id });
    if (dev.status !== 201) throw new Error(`device registration failed: ${dev.status}`);
    out.push({ sessionId: sess.body.session.id, identifier });
  }
  return { nurse, monitors: out };
}

// @medplum/core is imported in main (no top-level await in this CommonJS-compiled script)
let parseHl7: (text: string) => Parameters<Hl7Client["sendAndWait"]>[0];
let controlSeq = 0;

interface PhaseResult { ackMs: number[]; codes: Map<string, number>; chartMs: number[]; chartErrors: number }

/** One phase of DURATION_MS: the monitors, the nurses, or both. */
async function phase(nurse: string, monitors: { sessionId: string; identifier: string }[], opts: { withMonitors: boolean; withNurses: boolean }): Promise<PhaseResult> {
  const ackMs: number[] = [];
  const codes = new Map<string, number>();
  const chartMs: number[] = [];
  let chartErrors = 0;
  const deadline = Date.now() + DURATION_MS;

  const monitorLoop = async (m: { identifier: string }, index: number) => {
    const client = new Hl7Client({ host: "127.0.0.1", port: MLLP_PORT });
    await new Promise((r) => setTimeout(r, (INTERVAL_MS * index) / MONITORS));
    while (Date.now() < deadline) {
      const started = performance.now();
      const message = parseHl7(oru(m.identifier, `${m.identifier}-${++controlSeq}`));
      try {
        const ack = await client.sendAndWait(message, { timeoutMs: 10_000 });
        ackMs.push(performance.now() - started);
        const code = ack.getSegment("MSA")?.getField(1)?.toString() ?? "none";
        codes.set(code, (codes.get(code) ?? 0) + 1);
      } catch {
        codes.set("timeout/error", (codes.get("timeout/error") ?? 0) + 1);
      }
      const wait = INTERVAL_MS - (performance.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, Math.min(wait, Math.max(0, deadline - Date.now()))));
    }
    await client.close();
  };

  // nurses charting through the web at the same time, one after another (the bedside path)
  const nurseLoop = async (k: number) => {
    let i = 0;
    while (Date.now() < deadline) {
      const m = monitors[(k + NURSES * i++) % monitors.length]!;
      const started = performance.now();
      const res = await post(nurse, `/api/sessions/${m.sessionId}/vitals`, {
        at: new Date().toISOString(), systolicMmHg: 120, diastolicMmHg: 80, heartRatePerMin: 70, spo2Pct: 98, respRatePerMin: 14,
      }).catch(() => ({ status: 0 }));
      chartMs.push(performance.now() - started);
      if (res.status !== 201) chartErrors++;
    }
  };

  await Promise.all([
    ...(opts.withMonitors ? monitors.map(monitorLoop) : []),
    ...(opts.withNurses ? Array.from({ length: NURSES }, (_, k) => nurseLoop(k)) : []),
  ]);
  ackMs.sort((a, b) => a - b);
  chartMs.sort((a, b) => a - b);
  return { ackMs, codes, chartMs, chartErrors };
}

const ackSummary = (r: PhaseResult) =>
  ({ count: r.ackMs.length, byCode: Object.fromEntries(r.codes), p50Ms: round(percentile(r.ackMs, 50)), p99Ms: round(percentile(r.ackMs, 99)), maxMs: round(r.ackMs.at(-1) ?? NaN) });
const chartSummary = (r: PhaseResult) =>
  ({ requests: r.chartMs.length, errors: r.chartErrors, p50Ms: round(percentile(r.chartMs, 50)), p99Ms: round(percentile(r.chartMs, 99)) });
const ratio = (loaded: number[], base: number[], p: number) => round(percentile(loaded, p) / percentile(base, p), 2);

async function main() {
  const loadAverageAtStart = os.loadavg().map((x) => round(x, 2));
  const { Hl7Message } = await import("@medplum/core");
  // @medplum/hl7 pins its own @medplum/core: the same class, a separate declaration
  parseHl7 = (text) => Hl7Message.parse(text) as unknown as Parameters<Hl7Client["sendAndWait"]>[0];
  // sessions opened now: the monitors' readings are timed after them
  const { nurse, monitors } = await setUp(MONITORS);
  console.log(`[hl7-ingest] ${MONITORS} monitors, one set each every ${INTERVAL_MS} ms (${round((MONITORS * 1000) / INTERVAL_MS)} messages/s), ${NURSES} nurses charting; three phases of ${DURATION_MS / 1000} s`);
  const monitorsAlone = await phase(nurse, monitors, { withMonitors: true, withNurses: false });
  const nursesAlone = await phase(nurse, monitors, { withMonitors: false, withNurses: true });
  const both = await phase(nurse, monitors, { withMonitors: true, withNurses: true });
  const result = {
    machine: { ...machine(), loadAverageAtStart, loadAverageAtEnd: os.loadavg().map((x) => round(x, 2)) },
    config: { monitors: MONITORS, intervalMs: INTERVAL_MS, timeCompression: round(15_000 / INTERVAL_MS, 2), secondsPerPhase: DURATION_MS / 1000, nurses: NURSES },
    baseline: { acksWithoutWebLoad: ackSummary(monitorsAlone), chartingWithoutMonitors: chartSummary(nursesAlone) },
    acks: ackSummary(both),
    nurseCharting: chartSummary(both),
    ratios: {
      ackP50: ratio(both.ackMs, monitorsAlone.ackMs, 50), ackP99: ratio(both.ackMs, monitorsAlone.ackMs, 99),
      chartingP50: ratio(both.chartMs, nursesAlone.chartMs, 50), chartingP99: ratio(both.chartMs, nursesAlone.chartMs, 99),
    },
    target: { ackP99Ms: 200, met: percentile(both.ackMs, 99) < 200 },
  };
  mkdirSync("bench/out", { recursive: true });
  writeFileSync("bench/out/hl7-ingest.json", JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
