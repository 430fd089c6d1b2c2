/** Shared bits of the benchmarks: login like a bedside device, percentiles, machine facts. */
import { randomUUID } from "node:crypto";
import os from "node:os";

export const BASE = process.env.BENCH_BASE_URL ?? "http://127.0.0.1:3400";

export async function login(email: string, password = "titrate-demo", base = BASE): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair!.indexOf("=");
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const csrfRes = await fetch(`${base}/api/auth/csrf`);
  keep(csrfRes);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie() },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  keep(res);
  const s = (await (await fetch(`${base}/api/auth/session`, { headers: { cookie: cookie() } })).json()) as { user?: { id: string } };
  if (!s.user?.id) throw new Error(`login failed for ${email}`);
  return cookie();
}

export async function post<T>(cookie: string, path: string, body: unknown, base = BASE): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, { method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as T };
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return NaN;
  const idx = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[idx]!;
}

export function machine() {
  return {
    date: new Date().toISOString(),
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}`,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  };
}

export const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

/**
 * Server time of several paths of the served app, requested in turn (round-robin) so that
 * load drifting on a shared machine hits them alike; the first 3 rounds warm the JIT and are
 * not counted. Every answer must be 200 (a redirect to sign-in would time the wrong page).
 */
export async function roundRobinTimes<K extends string>(cookie: string, paths: Record<K, string>, rounds: number): Promise<Record<K, { medianMs: number; p95Ms: number }>> {
  const names = Object.keys(paths) as K[];
  const ms = Object.fromEntries(names.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let r = 0; r < rounds + 3; r++)
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + r) % names.length]!;
      const t0 = performance.now();
      const res = await fetch(`${BASE}${paths[name]}`, { headers: { cookie } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${paths[name]} answered ${res.status}`);
      if (r >= 3) ms[name].push(performance.now() - t0);
    }
  return Object.fromEntries(names.map((name) => {
    const sorted = ms[name].sort((a, b) => a - b);
    return [name, { medianMs: round(percentile(sorted, 50), 1), p95Ms: round(percentile(sorted, 95), 1) }];
  })) as Record<K, { medianMs: number; p95Ms: number }>;
}

/**
 * `count` running sessions of one clinic, started through the API as a clinic would: a patient,
 * a series ordered by the physician on the first protocol whose name matches `protocol`, a
 * chair of its own (the demo clinic uses chairs, docs/decisions/0013-chairs-and-the-board.md)
 * and the session; with `startInfusion`, a START at 0.2 mg/kg/h. The cookies are the clinic's
 * nurse, physician and admin. Returns the session ids.
 */
export async function startSessions(o: {
  nurse: string; physician: string; admin: string; count: number; protocol: RegExp; mrnPrefix: string; base?: string; startInfusion?: boolean;
}): Promise<string[]> {
  const base = o.base ?? BASE;
  const protocols = (await (await fetch(`${base}/api/protocols`, { headers: { cookie: o.nurse } })).json()) as { protocols: { name: string; versions: { id: string }[] }[] };
  const versionId = protocols.protocols.find((p) => o.protocol.test(p.name))!.versions[0]!.id;
  const ids: string[] = [];
  for (let i = 0; i < o.count; i++) {
    const tag = randomUUID().slice(0, 8);
    const p = await post<{ patient: { id: string } }>(o.nurse, "/api/patients", { mrn: `${o.mrnPrefix}-${tag}`, givenName: "Bench", familyName: `Patient ${i}`, birthDate: "1980-01-01", sex: "UNKNOWN", consentOnFile: true }, base);
    const s = await post<{ series: { id: string } }>(o.physician, `/api/patients/${p.body.patient.id}/series`, { protocolVersionId: versionId, plannedSessions: 5, startDate: new Date().toISOString().slice(0, 10) }, base);
    const chair = await post<{ chair: { id: string } }>(o.admin, "/api/admin/chairs", { name: `Bench ${tag}` }, base);
    const sess = await post<{ session: { id: string } }>(o.nurse, `/api/series/${s.body.series.id}/sessions`, { weightKg: 70, concentrationMgPerMl: 1, consentConfirmed: true, screeningReviewed: true, chairId: chair.body.chair.id }, base);
    if (sess.status !== 201) throw new Error(`could not start a session on ${base}: ${JSON.stringify(sess.body)}`);
    if (o.startInfusion) await post(o.nurse, `/api/sessions/${sess.body.session.id}/dose-events`, { type: "START", at: new Date().toISOString(), rateMgPerKgPerH: 0.2 }, base);
    ids.push(sess.body.session.id);
  }
  return ids;
}
