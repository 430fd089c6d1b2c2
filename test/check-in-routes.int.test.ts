// The public check-in routes' rate limits through the route handlers themselves, as a phone's
// request reaches them (docs/decisions/0020-patient-check-ins.md): per client address on every
// request, per token on submissions, shared through PostgreSQL; a refused request stores
// nothing but its count. The limits are deployment settings read when the module loads, set
// low here (3 per token, 5 per address an hour).
import { beforeAll, describe, expect, it } from "vitest";
import { changedTables, db, freshClinic, snapshotTables } from "@/test/helpers";
import { completedSession, type Clinic } from "@/test/charting";

process.env.TITRATE_CHECK_IN_TOKEN_LIMIT = "3";
process.env.TITRATE_CHECK_IN_ADDRESS_LIMIT = "5";

type RouteModule = typeof import("@/app/api/check-in/[token]/route");
let route: RouteModule;
let issueLink: (seriesId: string) => Promise<string>;
let c: Clinic;

beforeAll(async () => {
  // loaded after the limits are set: RATE_LIMITS reads them once
  route = await import("@/app/api/check-in/[token]/route");
  const { issueCheckInLink } = await import("@/lib/server/check-ins");
  const { withDeferredAudit } = await import("@/lib/server/audit");
  c = await freshClinic();
  issueLink = async (seriesId) =>
    (await db.$transaction((tx) => withDeferredAudit(tx, () => issueCheckInLink(tx, { actor: c.actors.nurse, seriesId })))).token;
});

const completedSeries = async () => (await completedSession(c, new Date(Date.now() - 3 * 3_600_000))).series;

let addressSeq = 0;
/** A fresh client address (the last X-Forwarded-For hop, as a proxy appends it) per test. */
const newAddress = () => `198.51.100.${++addressSeq}`;

async function post(token: string, address: string, body: unknown = { painNrs: 3, enjoymentNrs: 3, activityNrs: 3, sideEffects: [] }) {
  const req = new Request(`http://127.0.0.1/api/check-in/${token}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": `203.0.113.250, ${address}` },
    body: JSON.stringify(body),
  });
  const res = await route.POST(req, { params: Promise.resolve({ token }) });
  return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
}

describe("rate limits of POST /api/check-in/{token}", () => {
  it("per address: the 6th request of an hour from one address is a 429 whatever the token; another address is unaffected", async () => {
    const address = newAddress();
    for (let i = 0; i < 5; i++) expect((await post("A".repeat(21) + String.fromCharCode(65 + i), address)).status).toBe(404);
    const before = await snapshotTables();
    const refused = await post("B".repeat(22), address);
    expect(refused.status).toBe(429);
    expect(refused.body.error?.code).toBe("TOO_MANY_REQUESTS");
    expect(refused.body.error?.message).toMatch(/wait an hour/);
    // only the counter moved
    expect(changedTables(before, await snapshotTables())).toEqual(["CheckInRateLimit"]);
    expect((await post("B".repeat(22), newAddress())).status).toBe(404);
  });

  it("per token: the 4th submission through one link in an hour is a 429 even from new addresses; nothing stored past the limit", async () => {
    const series = await completedSeries();
    const token = await issueLink(series.id);
    expect((await post(token, newAddress())).status).toBe(201);
    // the day's second and third: refused as already done, and counted
    expect((await post(token, newAddress())).status).toBe(409);
    expect((await post(token, newAddress())).status).toBe(409);
    const before = await snapshotTables();
    const refused = await post(token, newAddress());
    expect(refused.status).toBe(429);
    expect(changedTables(before, await snapshotTables())).toEqual(["CheckInRateLimit"]);
    expect(await db.checkIn.count({ where: { seriesId: series.id } })).toBe(1);
  });

  it("a client-chosen first X-Forwarded-For hop does not move the address: the last hop (the proxy's) counts", async () => {
    const address = newAddress();
    for (let i = 0; i < 5; i++) {
      const req = new Request(`http://127.0.0.1/api/check-in/${"C".repeat(22)}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": `10.0.0.${i}, ${address}` },
        body: "{}",
      });
      await route.POST(req, { params: Promise.resolve({ token: "C".repeat(22) }) });
    }
    expect((await post("C".repeat(22), address)).status).toBe(429);
  });
});
