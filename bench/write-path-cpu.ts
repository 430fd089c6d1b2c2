/**
 * Benchmark: CPU per bedside vitals write, for two builds of the app served side by side on one
 * database (A, the baseline: BENCH_BASE_URL; B, the candidate: BENCH_BASE_URL_2), measured in
 * the same run, in alternating rounds, so that drifting load on a shared machine hits both
 * alike. CPU time is what a write costs whatever else the machine does; wall-clock latency is
 * not (bench/RESULTS.md "The write path, profiled").
 *
 * Per round and build: wrk (a C load generator: it takes no CPU from the Node process) posts
 * vitals for BENCH_SECONDS at BENCH_CLIENTS connections to that build's own sessions; the CPU
 * of the server process (utime + stime of /proc/<pid>/stat, every thread: the JS, the GC, the
 * driver) and of the whole machine (/proc/stat, PostgreSQL included) is read before and after.
 * Reported per build: requests, server CPU ms per write, machine CPU ms per write, req/s, and
 * the ratios B ÷ A.
 *
 * Run: two `next start` on one database (see bench/RESULTS.md for the commands), then
 *   BENCH_BASE_URL=... BENCH_BASE_URL_2=... npx tsx bench/write-path-cpu.ts
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { login, machine, round, startSessions } from "./lib";

const A = process.env.BENCH_BASE_URL ?? "http://127.0.0.1:3400";
const B = process.env.BENCH_BASE_URL_2;
if (!B) throw new Error("BENCH_BASE_URL_2 (the candidate build) is required");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SESSIONS = 8;
const TICKS_PER_S = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/** The pid listening on the URL's port (the `next-server` process, not the `next start` wrapper). */
function serverPid(url: string): number {
  const port = new URL(url).port;
  const out = execFileSync("ss", ["-ltnpH", `sport = :${port}`], { encoding: "utf8" });
  const pid = /pid=(\d+)/.exec(out)?.[1];
  if (!pid) throw new Error(`no process listens on ${port}`);
  return Number(pid);
}

/** CPU seconds used so far by a process (all its threads). */
function processCpuS(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S; // utime, stime (fields 14, 15)
}

/** CPU seconds the whole machine spent busy so far (every core; idle and iowait excluded). */
function machineBusyS(): number {
  const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/);
  const n = ticks.map(Number);
  return (n.reduce((s, x) => s + x, 0) - n[3]! - n[4]!) / TICKS_PER_S;
}

async function prepare(base: string): Promise<{ ids: string[]; cookie: string }> {
  const as = (email: string) => login(email, undefined, base);
  const [nurse, physician, admin] = [await as("nurse@demo.clinic"), await as("physician@demo.clinic"), await as("admin@demo.clinic")];
  return { ids: await startSessions({ base, nurse, physician, admin, count: SESSIONS, protocol: /neuropathic/i, mrnPrefix: "CPU" }), cookie: nurse };
}

function wrk(base: string, ids: string[], cookie: string) {
  const out = execFileSync("wrk", ["-t1", `-c${CLIENTS}`, `-d${SECONDS}s`, "--latency", "-s", "bench/vitals-wrk.lua", base], {
    env: { ...process.env, BENCH_SESSIONS: ids.join(","), BENCH_COOKIE: cookie },
    encoding: "utf8",
  });
  return JSON.parse(out.trim().split("\n").at(-1)!) as { requests: number; durationUs: number; non2xx: number; socketErrors: number; p50Us: number; p99Us: number };
}

type Tally = { requests: number; errors: number; serverCpuS: number; machineCpuS: number; wallS: number; p50Ms: number[]; p99Ms: number[] };

async function main() {
  const builds = { A: { base: A, pid: serverPid(A) }, B: { base: B!, pid: serverPid(B!) } };
  const prepared = { A: await prepare(A), B: await prepare(B!) };
  // wrk's Lua stamps whole seconds: no vitals time before a session opened
  await new Promise((r) => setTimeout(r, 1100));
  const tally: Record<"A" | "B", Tally> = {
    A: { requests: 0, errors: 0, serverCpuS: 0, machineCpuS: 0, wallS: 0, p50Ms: [], p99Ms: [] },
    B: { requests: 0, errors: 0, serverCpuS: 0, machineCpuS: 0, wallS: 0, p50Ms: [], p99Ms: [] },
  };
  const load: number[] = [os.loadavg()[0]!];
  // one untimed round each: JIT, pools, prepared statements
  for (const k of ["A", "B"] as const) wrk(builds[k].base, prepared[k].ids, prepared[k].cookie);
  for (let r = 0; r < ROUNDS; r++) {
    for (const k of (r % 2 === 0 ? ["A", "B"] : ["B", "A"]) as ("A" | "B")[]) {
      const cpu0 = processCpuS(builds[k].pid), busy0 = machineBusyS();
      const w = wrk(builds[k].base, prepared[k].ids, prepared[k].cookie);
      const t = tally[k];
      t.serverCpuS += processCpuS(builds[k].pid) - cpu0;
      t.machineCpuS += machineBusyS() - busy0;
      t.requests += w.requests;
      t.errors += w.non2xx + w.socketErrors;
      t.wallS += w.durationUs / 1e6;
      t.p50Ms.push(w.p50Us / 1000);
      t.p99Ms.push(w.p99Us / 1000);
    }
    load.push(os.loadavg()[0]!);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const summary = (t: Tally) => ({
    requests: t.requests, errors: t.errors,
    serverCpuMsPerWrite: round((1000 * t.serverCpuS) / t.requests, 2),
    machineCpuMsPerWrite: round((1000 * t.machineCpuS) / t.requests, 2),
    throughputPerS: round(t.requests / t.wallS),
    p50MsMedianOfRounds: round(median(t.p50Ms), 1), p99MsMedianOfRounds: round(median(t.p99Ms), 1),
  });
  const a = summary(tally.A), b = summary(tally.B);
  const result = {
    machine: machine(), clients: CLIENTS, secondsPerRound: SECONDS, rounds: ROUNDS, loadAvg1m: load.map((x) => round(x, 2)),
    A: { base: A, ...a }, B: { base: B, ...b },
    ratios: {
      serverCpuPerWrite: round(b.serverCpuMsPerWrite / a.serverCpuMsPerWrite, 2),
      machineCpuPerWrite: round(b.machineCpuMsPerWrite / a.machineCpuMsPerWrite, 2),
      throughput: round(b.throughputPerS / a.throughputPerS, 2),
    },
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync("bench/out", { recursive: true });
  writeFileSync(`bench/out/write-path-cpu-${Date.now()}.json`, JSON.stringify(result, null, 2));
}

main().catch((err) => { console.error(err); process.exit(1); });
