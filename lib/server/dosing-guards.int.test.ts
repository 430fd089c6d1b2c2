// Dosing-error guards at the point of entry and late documentation, through the real
// services against PostgreSQL (docs/clinical-brief.md "Safety guards in the style of
// smart-pump drug libraries [defaults unless marked]"; decision 0009). Expected values are
// hand-computed in the comments.
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { SUMMARY_COLUMNS } from "@/lib/domain/session-summary";
import type { Actor } from "@/lib/server/actor";
import { openSessionExport } from "@/lib/server/exports";
import { getSessionChart, moveOpenedAt, startSession } from "@/lib/server/sessions";
import { ExportQuerySchema } from "@/lib/validation/export";
import { MoveOpenedAtSchema, StartSessionSchema } from "@/lib/validation/session";
import { at, dose, expectAppError, patientWithSeries, vitals, type Clinic } from "@/test/charting";
import { fhirErrors } from "@/test/fhir-validator";
import { db, freshClinic, snapshotTables } from "@/test/helpers";

const IV = "IV infusion (routes table)"; // the seeded protocols keep the default drug library: 1 and 2 mg/mL
const NOW = new Date("2026-03-10T15:00:00.000Z");

let c: Clinic;
let nurse: Actor;
beforeAll(async () => {
  c = await freshClinic();
  nurse = c.actors.nurse;
});

function startWith(seriesId: string, raw: Record<string, unknown>, now = NOW) {
  const input = StartSessionSchema.parse({ weightKg: 70, concentrationMgPerMl: 1, consentConfirmed: true, screeningReviewed: true, ...raw });
  return db.$transaction((tx) => startSession(tx, { actor: nurse, seriesId, input, now }));
}

describe("weight guard (patient registered at 70 kg)", () => {
  it("refuses 154 kg as 'looks like pounds' with nothing changed, then accepts it with a confirmation reason, stored and audited", async () => {
    const { series } = await patientWithSeries(c, IV);
    const before = await snapshotTables();
    // 154 / 70 = 2.2; 70 × 2.2046 = 154.322, |154 − 154.322| = 0.2% ≤ 3% -> pounds
    const err = await expectAppError(startWith(series.id, { weightKg: 154 }), "BAD_INPUT");
    expect(err.fields?.weightKg).toContain("154 kg is 2.2 × the last weight of 70 kg: did you enter pounds?");
    expect(err.fields?.weightConfirmReason).toBeDefined();
    expect(await snapshotTables()).toEqual(before);

    const { session } = await startWith(series.id, { weightKg: 154, weightConfirmReason: "Re-weighed twice: 154 kg on the clinic scale" });
    const row = await db.infusionSession.findUniqueOrThrow({ where: { id: session.id } });
    expect([row.weightG, row.weightConfirmReason, row.concentrationReason, row.lateEntryReason]).toEqual([154_000, "Re-weighed twice: 154 kg on the clinic scale", null, null]);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "session.start", entityId: session.id } });
    expect((audit.after as { weightConfirmReason: string }).weightConfirmReason).toBe("Re-weighed twice: 154 kg on the clinic scale");
  });

  it("a change above 10% needs a reason; exactly 10% does not", async () => {
    const a = await patientWithSeries(c, IV);
    // 77.1 kg: |77.1 − 70| = 7.1 > 7.0 (10% of 70) -> refused
    const err = await expectAppError(startWith(a.series.id, { weightKg: 77.1 }), "BAD_INPUT");
    expect(err.fields?.weightKg).toContain("more than the last weight of 70 kg (more than 10%)");
    const b = await patientWithSeries(c, IV);
    // 77.0 kg: exactly 10% -> accepted, no reason stored
    const { session } = await startWith(b.series.id, { weightKg: 77 });
    expect((await db.infusionSession.findUniqueOrThrow({ where: { id: session.id } })).weightConfirmReason).toBeNull();
  });
});

describe("concentration guard (standard 1 and 2 mg/mL)", () => {
  it("1.5 mg/mL needs a reason (400, nothing changed); with one it is stored", async () => {
    const { series } = await patientWithSeries(c, IV);
    const before = await snapshotTables();
    const err = await expectAppError(startWith(series.id, { concentrationMgPerMl: 1.5 }), "BAD_INPUT");
    expect(err.fields?.concentrationMgPerMl).toContain("1.5 mg/mL is not one of this protocol's standard concentrations (1 mg/mL or 2 mg/mL)");
    expect(err.fields?.concentrationReason).toBeDefined();
    expect(await snapshotTables()).toEqual(before);
    const { session } = await startWith(series.id, { concentrationMgPerMl: 1.5, concentrationReason: "Pharmacy prepared 150 mg in 100 mL" });
    const row = await db.infusionSession.findUniqueOrThrow({ where: { id: session.id } });
    expect([row.concentrationUgPerMl, row.concentrationReason, row.concentrationOverrideReason]).toEqual([1500, "Pharmacy prepared 150 mg in 100 mL", null]);
  });

  it("50 mg/mL (a stock vial) is a hard stop: 422 HARD_LIMIT without an override, nothing changed; a reason alone is not enough", async () => {
    const { series } = await patientWithSeries(c, IV);
    const before = await snapshotTables();
    const err = await expectAppError(startWith(series.id, { concentrationMgPerMl: 50, concentrationReason: "as labelled" }), "HARD_LIMIT");
    expect(err.status).toBe(422);
    expect(err.fields?.concentrationOverrideReason).toBeDefined();
    expect(await snapshotTables()).toEqual(before);
    const { session } = await startWith(series.id, { concentrationMgPerMl: 50, concentrationOverrideReason: "Syringe driver protocol, Dr. Okoye" });
    const row = await db.infusionSession.findUniqueOrThrow({ where: { id: session.id } });
    expect([row.concentrationUgPerMl, row.concentrationOverrideReason]).toEqual([50_000, "Syringe driver protocol, Dr. Okoye"]);
  });
});

describe("pump rounding", () => {
  it("refuses a running rate the pump would set as 0.0 mL/h (400 on rateMgPerKgPerH, nothing changed) and takes one it can run", async () => {
    const { series } = await patientWithSeries(c, IV);
    const { session } = await startWith(series.id, { concentrationMgPerMl: 50, concentrationOverrideReason: "Override for the test" });
    const before = await snapshotTables();
    // 0.01 mg/kg/h × 70 kg / 50 mg/mL = 0.014 mL/h -> 0 steps of 0.1 mL/h
    const err = await expectAppError(dose(nurse, session.id, at(1, NOW), { type: "START", rateMgPerKgPerH: 0.01, reason: "low start" }), "BAD_INPUT");
    expect(err.fields?.rateMgPerKgPerH).toContain("which the pump sets as 0.0 mL/h: nothing would run");
    expect(await snapshotTables()).toEqual(before);
    // 0.1 mg/kg/h × 70 / 50 = 0.14 mL/h -> 1 step (0.1 mL/h): runs (29% under, a flag for the engine, not a refusal)
    const ok = await dose(nurse, session.id, at(1, NOW), { type: "START", rateMgPerKgPerH: 0.1 });
    expect(ok.doseEvent.type).toBe("START");
  });
});

describe("late documentation", () => {
  it("opens a session 30 min back with a reason; START charted at that time counts in the totals; moving it earlier is audited", async () => {
    const { series } = await patientWithSeries(c, IV);
    const opened = at(-30, NOW);
    // more than 10 minutes back without a reason: refused on lateEntryReason
    const noReason = await expectAppError(startWith(series.id, { openedAt: opened.toISOString() }), "BAD_INPUT");
    expect(Object.keys(noReason.fields ?? {})).toEqual(["lateEntryReason"]);
    // more than 7 days back: refused on openedAt
    await expectAppError(startWith(series.id, { openedAt: at(-7 * 24 * 60 - 1, NOW).toISOString(), lateEntryReason: "paper chart" }), "BAD_INPUT");
    const { session } = await startWith(series.id, { openedAt: opened.toISOString(), lateEntryReason: "Pump started before the tablet was available" });
    expect(session.openedAt).toBe(opened.toISOString());
    const row = await db.infusionSession.findUniqueOrThrow({ where: { id: session.id } });
    expect([row.openedAt.toISOString(), row.enteredAt.toISOString(), row.lateEntryReason]).toEqual([opened.toISOString(), NOW.toISOString(), "Pump started before the tablet was available"]);

    // the START at the true opening time, charted now (30 min late: a back-time reason)
    await dose(nurse, session.id, opened, { type: "START", rateMgPerKgPerH: 0.2, backTimeReason: "charted after the pump was started" }, NOW);
    // STOP at NOW: 0.2 mg/kg/h × 70 kg × 0.5 h = 7.000 mg, 0.100 mg/kg
    await dose(nurse, session.id, NOW, { type: "STOP" }, NOW);
    const chart = await getSessionChart({ actor: nurse, sessionId: session.id });
    expect(chart.totals).toMatchObject({ totalUg: 7000 });

    // moving later than now, or not earlier, is refused; earlier by 5 min is audited
    const move = (openedAtIso: string, reason = "Paper chart shows the pump started earlier") =>
      db.$transaction((tx) => moveOpenedAt(tx, { actor: nurse, sessionId: session.id, input: MoveOpenedAtSchema.parse({ openedAt: openedAtIso, lateEntryReason: reason }), now: NOW }));
    await expectAppError(move(at(-20, NOW).toISOString()), "BAD_INPUT");
    const moved = await move(at(-35, NOW).toISOString());
    expect(moved.session.openedAt).toBe(at(-35, NOW).toISOString());
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "session.opened-at.move", entityId: session.id } });
    expect(audit.before).toEqual({ openedAt: opened.toISOString() });
    expect(audit.after).toEqual({ openedAt: at(-35, NOW).toISOString(), lateEntryReason: "Paper chart shows the pump started earlier" });
  });

  it("an entry charted more than 10 min after its time carries the late-entry mark in the CSV and FHIR (issued vs effectiveDateTime)", async () => {
    const x = await freshClinic();
    const { series } = await patientWithSeries(x, IV);
    const input = StartSessionSchema.parse({ weightKg: 70, concentrationMgPerMl: 1, consentConfirmed: true, screeningReviewed: true });
    const { session } = await db.$transaction((tx) => startSession(tx, { actor: x.actors.nurse, seriesId: series.id, input, now: NOW }));
    // vitals at NOW+5 charted at NOW+5 (on time); vitals at NOW+10 charted at NOW+21 (11 min late); at NOW+30 charted NOW+40 (exactly 10: on time)
    await vitals(x.actors.nurse, session.id, at(5, NOW));
    await vitals(x.actors.nurse, session.id, at(10, NOW), { backTimeReason: "was with another patient" }, at(21, NOW));
    await vitals(x.actors.nurse, session.id, at(30, NOW), {}, at(40, NOW));
    const exportIt = async (format: string) => {
      const exp = await openSessionExport({ actor: x.actors.admin, query: ExportQuerySchema.parse({ format, status: "all" }), now: at(60, NOW) });
      const chunks: Uint8Array[] = [];
      const reader = exp.stream.getReader();
      for (;;) { const { done, value } = await reader.read(); if (done) break; chunks.push(value); }
      await exp.audited;
      return Buffer.concat(chunks).toString("utf8");
    };
    const csv: string[][] = parse((await exportIt("csv")).slice(1));
    const col = SUMMARY_COLUMNS.findIndex((k) => k.key === "lateEntries");
    expect(csv[0]![col]).toBe("Late entries (charted > 10 min after their time)");
    expect(csv[1]![col]).toBe("1");

    const bundle = JSON.parse(await exportIt("fhir")) as { entry: { resource: { resourceType: string; id: string; effectiveDateTime?: string; issued?: string; note?: { text: string }[]; code?: { text?: string } } }[] };
    expect(await fhirErrors(bundle)).toEqual([]);
    const bp = bundle.entry.map((e) => e.resource).filter((r) => r.resourceType === "Observation" && r.code?.text === "Blood pressure");
    expect(bp).toHaveLength(3);
    const late = bp.filter((r) => r.note?.some((n) => n.text.startsWith("Late entry")));
    expect(late).toHaveLength(1);
    // clinical time NOW+10 (15:10Z = 10:10 New York), recorded NOW+21 (10:21)
    expect(Date.parse(late[0]!.effectiveDateTime!)).toBe(at(10, NOW).getTime());
    expect(Date.parse(late[0]!.issued!)).toBe(at(21, NOW).getTime());
    expect(late[0]!.note![0]!.text).toContain("11 min after its clinical time");
  });
});
