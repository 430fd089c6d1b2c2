import { expect, test, type APIRequestContext } from "@playwright/test";
import { apiAs, baseURL, newDemoChair, USERS } from "./fixtures";

/**
 * The JSON API end to end over HTTP, with real session cookies, against the built app and
 * real PostgreSQL: the path bedside devices take.
 */
test.describe.configure({ mode: "serial" });

let nurse: APIRequestContext;
let physician: APIRequestContext;
let admin: APIRequestContext;
let otherNurse: APIRequestContext;
let otherPhysician: APIRequestContext;
let sessionId = "";
let seriesId = "";
const mrn = `API-${Date.now().toString(36).toUpperCase()}`;
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

async function chart(ctx: APIRequestContext, kind: string, data: unknown, headers: Record<string, string> = {}) {
  return ctx.post(`/api/sessions/${sessionId}/${kind}`, { data, headers });
}
async function getSession(ctx: APIRequestContext = nurse) {
  const res = await ctx.get(`/api/sessions/${sessionId}`);
  expect(res.status()).toBe(200);
  return (await res.json()).session;
}

test.beforeAll(async () => {
  [nurse, physician, admin, otherNurse, otherPhysician] = await Promise.all([
    apiAs(baseURL(), USERS.nurse), apiAs(baseURL(), USERS.physician), apiAs(baseURL(), USERS.admin),
    apiAs(baseURL(), USERS.otherNurse), apiAs(baseURL(), USERS.otherPhysician),
  ]);
});

test("register a patient, order a series, start a session", async () => {
  const bad = await nurse.post("/api/patients", { data: { mrn: "", givenName: "A", familyName: "B", birthDate: "1980-02-30", sex: "X" } });
  expect(bad.status()).toBe(400);
  const badBody = await bad.json();
  expect(badBody.error.code).toBe("BAD_INPUT");
  expect(Object.keys(badBody.error.fields)).toEqual(expect.arrayContaining(["mrn", "birthDate", "sex"]));

  const created = await nurse.post("/api/patients", {
    data: { mrn, givenName: "Api", familyName: "Tester", birthDate: "1980-02-20", sex: "FEMALE", weightKg: 70, consentOnFile: true,
      screening: { substanceMisuse: false, psychosis: false, cardiovascular: false, hepatic: false, interactingMeds: false } },
  });
  expect(created.status()).toBe(201);
  const patient = (await created.json()).patient;
  expect(patient.mrn).toBe(mrn);

  const dup = await nurse.post("/api/patients", { data: { mrn, givenName: "Api", familyName: "Tester", birthDate: "1980-02-20", sex: "FEMALE" } });
  expect(dup.status()).toBe(409);

  const protocols = (await (await nurse.get("/api/protocols")).json()).protocols as { name: string; versions: { id: string }[] }[];
  const neuro = protocols.find((p) => /neuropathic/i.test(p.name))!;
  const order = { protocolVersionId: neuro.versions[0]!.id, plannedSessions: 4, startDate: new Date().toISOString().slice(0, 10) };
  expect((await nurse.post(`/api/patients/${patient.id}/series`, { data: order })).status()).toBe(403); // only physicians order
  const series = await physician.post(`/api/patients/${patient.id}/series`, { data: order });
  expect(series.status()).toBe(201);
  seriesId = (await series.json()).series.id;

  expect((await otherNurse.post(`/api/series/${seriesId}/sessions`, { data: { weightKg: 70, concentrationMgPerMl: 1 } })).status()).toBe(404);
  const started = await nurse.post(`/api/series/${seriesId}/sessions`, { data: { weightKg: 70.4, concentrationMgPerMl: 1, consentConfirmed: true, screeningReviewed: true, chairId: (await newDemoChair()).id } });
  expect(started.status()).toBe(201);
  sessionId = (await started.json()).session.id;
});

test("impossible values are rejected with field messages and nothing is stored", async () => {
  const before = await getSession();
  const cases: [string, unknown, string][] = [
    ["vitals", { at: minutesAgo(0), systolicMmHg: 120, diastolicMmHg: 80, heartRatePerMin: 70, spo2Pct: 101, respRatePerMin: 14 }, "spo2Pct"],
    ["vitals", { at: minutesAgo(0), systolicMmHg: 80, diastolicMmHg: 95, heartRatePerMin: 70, spo2Pct: 98, respRatePerMin: 14 }, "diastolicMmHg"],
    ["dose-events", { type: "START", at: minutesAgo(0), rateMgPerKgPerH: -0.1 }, "rateMgPerKgPerH"],
    ["dose-events", { type: "START", at: minutesAgo(0) }, "rateMgPerKgPerH"],
    ["dose-events", { type: "START", at: minutesAgo(60 * 24), rateMgPerKgPerH: 0.2, backTimeReason: "late entry" }, "at"],
    ["pain", { at: minutesAgo(0), score: 11, scale: "NRS", phase: "PRE" }, "score"],
    ["side-effects", { at: minutesAgo(0), kind: "UNKNOWN", severity: 1 }, "kind"],
  ];
  for (const [kind, data, field] of cases) {
    const res = await chart(nurse, kind, data);
    expect(res.status(), `${kind} ${JSON.stringify(data)}`).toBe(400);
    const body = await res.json();
    expect(body.error.fields[field], `${kind}: ${JSON.stringify(body)}`).toBeTruthy();
  }
  const wrongType = await nurse.post(`/api/sessions/${sessionId}/vitals`, { data: "systolic=120", headers: { "content-type": "text/plain" } });
  expect(wrongType.status()).toBe(415);
  const after = await getSession();
  expect(after.vitals).toHaveLength(before.vitals.length);
  expect(after.doseEvents).toHaveLength(before.doseEvents.length);
  expect(after.painScores).toHaveLength(before.painScores.length);
});

test("charting: in-range start, out-of-range titration flagged, hard limit needs an override", async () => {
  const baseline = await chart(nurse, "vitals", { at: minutesAgo(0), systolicMmHg: 122, diastolicMmHg: 78, heartRatePerMin: 70, spo2Pct: 98, respRatePerMin: 14 });
  expect(baseline.status()).toBe(201);
  expect((await chart(nurse, "pain", { at: minutesAgo(0), score: 7, scale: "NRS", phase: "PRE" })).status()).toBe(201);

  const start = await chart(nurse, "dose-events", { type: "START", at: minutesAgo(0), rateMgPerKgPerH: 0.2 });
  expect(start.status()).toBe(201);
  expect((await start.json()).flags).toEqual([]);

  // 0.4 mg/kg/h is above the neuropathic protocol's documented 0.1-0.3 (source 000): stored and flagged SOFT
  const above = await chart(nurse, "dose-events", { type: "RATE_CHANGE", at: minutesAgo(0), rateMgPerKgPerH: 0.4, reason: "Pain 8/10, per physician" });
  expect(above.status()).toBe(201);
  const aboveBody = await above.json();
  expect(aboveBody.flags.map((f: { code: string }) => f.code)).toContain("RATE_ABOVE_RANGE");
  expect(aboveBody.flags.every((f: { severity: string }) => f.severity === "SOFT")).toBe(true);

  // 1.2 mg/kg/h is in the anesthetic range: refused without an override ...
  const hard = await chart(nurse, "dose-events", { type: "RATE_CHANGE", at: minutesAgo(0), rateMgPerKgPerH: 1.2 });
  expect(hard.status()).toBe(422);
  const hardBody = await hard.json();
  expect(hardBody.error.code).toBe("HARD_LIMIT");
  expect(hardBody.error.fields.overrideReason).toBeTruthy();
  expect((await getSession()).doseEvents).toHaveLength(2);
  // ... stored with one, raising HARD flags a physician must acknowledge
  const overridden = await chart(nurse, "dose-events", { type: "RATE_CHANGE", at: minutesAgo(0), rateMgPerKgPerH: 1.2, overrideReason: "Dr. Okoye at bedside ordered a brief increase" });
  expect(overridden.status()).toBe(201);
  const codes = (await overridden.json()).flags.map((f: { code: string; severity: string }) => `${f.code}:${f.severity}`);
  expect(codes).toEqual(expect.arrayContaining(["DOSE_ANESTHETIC_RANGE:HARD"]));
  expect((await chart(nurse, "dose-events", { type: "RATE_CHANGE", at: minutesAgo(0), rateMgPerKgPerH: 0.2, reason: "back to range" })).status()).toBe(201);

  const s = await getSession();
  expect(s.totals.peakRateMgPerKgPerH).toBe(1.2);
  expect(s.weightKg).toBe(70.4);
});

test("an Idempotency-Key retry stores nothing new and answers the same", async () => {
  const key = `vitals-${Date.now()}`;
  const body = { at: minutesAgo(0), systolicMmHg: 128, diastolicMmHg: 80, heartRatePerMin: 76, spo2Pct: 97, respRatePerMin: 15 };
  const first = await chart(nurse, "vitals", body, { "Idempotency-Key": key });
  expect(first.status()).toBe(201);
  const count = (await getSession()).vitals.length;
  const second = await chart(nurse, "vitals", body, { "Idempotency-Key": key });
  expect(second.status()).toBe(201);
  expect(await second.json()).toEqual(await first.json());
  expect((await getSession()).vitals).toHaveLength(count);
  const reused = await chart(nurse, "vitals", { ...body, systolicMmHg: 140 }, { "Idempotency-Key": key });
  expect(reused.status()).toBe(409);
});

test("roles and clinics: 403 for the wrong role, 404 for another clinic, nothing changes", async () => {
  const s = await getSession();
  const flag = s.flags.find((f: { code: string }) => f.code === "RATE_ABOVE_RANGE");
  expect((await nurse.post(`/api/flags/${flag.id}/acknowledge`, { data: { reason: "I am a nurse" } })).status()).toBe(403);
  expect((await admin.post(`/api/sessions/${sessionId}/vitals`, { data: { at: minutesAgo(0), systolicMmHg: 120, diastolicMmHg: 80, heartRatePerMin: 70, spo2Pct: 98, respRatePerMin: 14 } })).status()).toBe(403);
  expect((await otherNurse.get(`/api/sessions/${sessionId}`)).status()).toBe(404);
  expect((await otherNurse.post(`/api/sessions/${sessionId}/vitals`, { data: { at: minutesAgo(0), systolicMmHg: 120, diastolicMmHg: 80, heartRatePerMin: 70, spo2Pct: 98, respRatePerMin: 14 } })).status()).toBe(404);
  expect((await otherPhysician.post(`/api/flags/${flag.id}/acknowledge`, { data: { reason: "not my clinic" } })).status()).toBe(404);
  const after = await getSession();
  expect(after.vitals).toHaveLength(s.vitals.length);
  expect(after.flags.filter((f: { acknowledgedAt: string | null }) => f.acknowledgedAt)).toHaveLength(0);
});

test("complete and sign: no signature while a HARD flag is open; signed sessions take only addenda", async () => {
  expect((await nurse.post(`/api/sessions/${sessionId}/complete`, { data: { dischargeReady: true } })).status()).toBe(409); // still running
  expect((await chart(nurse, "dose-events", { type: "STOP", at: minutesAgo(0) })).status()).toBe(201);
  expect((await nurse.post(`/api/sessions/${sessionId}/complete`, { data: { dischargeReady: true } })).status()).toBe(409); // no post pain
  expect((await chart(nurse, "pain", { at: minutesAgo(0), score: 3, scale: "NRS", phase: "POST" })).status()).toBe(201);
  const completed = await nurse.post(`/api/sessions/${sessionId}/complete`, { data: { dischargeReady: true, dischargeNote: "Alert and oriented" } });
  expect(completed.status()).toBe(201);

  const refused = await nurse.post(`/api/sessions/${sessionId}/sign`, { data: {} });
  expect(refused.status()).toBe(409);
  expect((await refused.json()).error.message).toMatch(/hard-limit flag/);

  const hardFlags = (await getSession()).flags.filter((f: { severity: string }) => f.severity === "HARD").map((f: { id: string }) => f.id);
  expect(hardFlags.length).toBeGreaterThan(0);
  const ack = await physician.post("/api/flags/acknowledge", { data: { flagIds: hardFlags, reason: "Ordered at bedside; patient monitored, no harm" } });
  expect(ack.status()).toBe(201);
  expect((await physician.post(`/api/flags/${hardFlags[0]}/acknowledge`, { data: { reason: "again" } })).status()).toBe(409);

  const signed = await nurse.post(`/api/sessions/${sessionId}/sign`, { data: {} });
  expect(signed.status()).toBe(201);
  expect((await nurse.post(`/api/sessions/${sessionId}/sign`, { data: {} })).status()).toBe(409);
  const late = await chart(nurse, "vitals", { at: minutesAgo(0), systolicMmHg: 120, diastolicMmHg: 80, heartRatePerMin: 70, spo2Pct: 98, respRatePerMin: 14 });
  expect(late.status()).toBe(409);
  expect((await nurse.post(`/api/sessions/${sessionId}/addenda`, { data: { text: "Patient called: home safely." } })).status()).toBe(201);
  const final = await getSession();
  expect(final.status).toBe("SIGNED");
  expect(final.addenda).toHaveLength(1);
});
