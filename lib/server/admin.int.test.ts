// Clinic administration: staff accounts, the last-admin rule, protocol versioning
// and permissions, against real PostgreSQL. Each refusal asserts the AppError code AND that
// no table changed.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { actorFor, createUser } from "@/prisma/seed/factories";
import { authenticate } from "@/lib/server/login";
import { updateClinicSettings } from "@/lib/server/clinic-settings";
import { addProtocolVersion, createProtocol, getProtocol, retireProtocol } from "@/lib/server/protocol-admin";
import { changeOwnPassword, changeStaffRole, createStaff, deactivateStaff, findClinicStaff, reactivateStaff, resetStaffPassword } from "@/lib/server/staff";
import { findAuditEvents } from "@/lib/server/audit-log";
import { orderSeries } from "@/lib/server/series";
import { PATIENT_REPORTABLE_KINDS } from "@/lib/domain/side-effects";
import { ClinicSettingsSchema } from "@/lib/validation/clinic";
import { CreateProtocolSchema, NewProtocolVersionSchema, type CreateProtocolInput, type NewProtocolVersionInput } from "@/lib/validation/protocol";
import { OrderSeriesSchema } from "@/lib/validation/series";
import { ChangeOwnPasswordSchema, CreateStaffSchema } from "@/lib/validation/staff";
import { db, freshClinic, snapshotTables } from "@/test/helpers";
import { expectAppError, patientWithSeries, type Clinic } from "@/test/charting";
import type { AppErrorCode } from "@/lib/errors";

const IV = "IV infusion (routes table)";
const tag = () => randomBytes(4).toString("hex");

async function refused(p: () => Promise<unknown>, code: AppErrorCode) {
  const before = await snapshotTables();
  await expectAppError(p(), code);
  expect(await snapshotTables()).toEqual(before);
}

const versionInput = (raw: Record<string, unknown> = {}) =>
  NewProtocolVersionSchema.parse({
    doseBasis: "RATE_PER_KG", softMinRateMgPerKgPerH: 0.1, softMaxRateMgPerKgPerH: 0.3, hardMaxRateMgPerKgPerH: 0.8,
    hardMaxBolusMgPerKg: 0.5, sourceDocument: "Clinic policy 2026-03", sourceWording: "0.1 to 0.3 mg/kg/h", ...raw,
  }) as NewProtocolVersionInput;

let c: Clinic;
let other: Clinic;
beforeAll(async () => {
  [c, other] = [await freshClinic(), await freshClinic()];
});

describe("staff", () => {
  it("creates a user who must set a new password, audited without the hash", async () => {
    const email = `New.Nurse.${tag()}@Test.Clinic`;
    const input = CreateStaffSchema.parse({ name: "New Nurse", email, role: "NURSE", password: "bright-orchard-42" });
    const u = await db.$transaction((tx) => createStaff(tx, { actor: c.actors.admin, input }));
    expect(u).toMatchObject({ email: email.toLowerCase(), role: "NURSE", active: true, mustChangePassword: true });
    const login = await authenticate(email, "bright-orchard-42");
    expect(login.ok && login.user.mustChangePassword).toBe(true);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { entityId: u.id, action: "user.create" } });
    expect(JSON.stringify(audit.after)).not.toMatch(/argon2|passwordHash/);
  });

  it("refuses a password that breaks the policy (schema, before anything is written)", () => {
    const r = CreateStaffSchema.safeParse({ name: "X", email: "short@test.clinic", role: "NURSE", password: "short" });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(["password"]);
  });

  it("answers 409 for an email already in use (in any clinic) and stores nothing", async () => {
    const input = CreateStaffSchema.parse({ name: "Dup", email: other.nurse.email, role: "NURSE", password: "bright-orchard-42" });
    await refused(() => db.$transaction((tx) => createStaff(tx, { actor: c.actors.admin, input })), "CONFLICT");
  });

  it("a deactivated user cannot sign in; their past signatures stay; reactivation restores sign-in", async () => {
    const u = await createUser(db, { clinicId: c.clinic.id, email: `leaver.${tag()}@test.clinic`, name: "Leaver", role: "NURSE", password: "leaver-password-1" });
    expect((await authenticate(u.email, "leaver-password-1")).ok).toBe(true);
    const { series } = await patientWithSeries(c, IV);
    const ordered = await db.series.findUniqueOrThrow({ where: { id: series.id } });
    await db.$transaction((tx) => deactivateStaff(tx, { actor: c.actors.admin, userId: u.id }));
    expect(await authenticate(u.email, "leaver-password-1")).toEqual({ ok: false });
    expect(await db.series.findUniqueOrThrow({ where: { id: series.id } })).toEqual(ordered);
    expect(await db.user.findUnique({ where: { id: u.id } })).not.toBeNull();
    await db.$transaction((tx) => reactivateStaff(tx, { actor: c.actors.admin, userId: u.id }));
    expect((await authenticate(u.email, "leaver-password-1")).ok).toBe(true);
  });

  it("reset gives a one-time temporary password; the old one stops working; the user then sets their own", async () => {
    const u = await createUser(db, { clinicId: c.clinic.id, email: `forgot.${tag()}@test.clinic`, name: "Forgetful", role: "PHYSICIAN", password: "old-password-99" });
    const { temporaryPassword, user } = await db.$transaction((tx) => resetStaffPassword(tx, { actor: c.actors.admin, userId: u.id }));
    expect(user.mustChangePassword).toBe(true);
    expect(temporaryPassword).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    expect((await authenticate(u.email, "old-password-99")).ok).toBe(false);
    expect((await authenticate(u.email, temporaryPassword)).ok).toBe(true);
    const actor = actorFor(u);
    await expectAppError(
      db.$transaction((tx) => changeOwnPassword(tx, { actor, input: ChangeOwnPasswordSchema.parse({ currentPassword: "wrong", newPassword: "new-password-123", confirmPassword: "new-password-123" }) })),
      "BAD_INPUT",
    );
    await expectAppError(
      db.$transaction((tx) => changeOwnPassword(tx, { actor, input: ChangeOwnPasswordSchema.parse({ currentPassword: temporaryPassword, newPassword: u.email, confirmPassword: u.email }) })),
      "BAD_INPUT",
    );
    await db.$transaction((tx) => changeOwnPassword(tx, { actor, input: ChangeOwnPasswordSchema.parse({ currentPassword: temporaryPassword, newPassword: "new-password-123", confirmPassword: "new-password-123" }) }));
    const after = await authenticate(u.email, "new-password-123");
    expect(after.ok && after.user.mustChangePassword).toBe(false);
  });
});

describe("the last active administrator", () => {
  it("cannot be demoted or deactivated (409), nothing changes; with a second admin both work", async () => {
    const k = await freshClinic();
    const admin = k.actors.admin;
    await refused(() => db.$transaction((tx) => changeStaffRole(tx, { actor: admin, userId: k.admin.id, input: { role: "NURSE" } })), "CONFLICT");
    await refused(() => db.$transaction((tx) => deactivateStaff(tx, { actor: admin, userId: k.admin.id })), "CONFLICT");
    // A deactivated admin does not count.
    const second = await createUser(db, { clinicId: k.clinic.id, email: `admin2.${tag()}@test.clinic`, name: "Second admin", role: "ADMIN", active: false });
    await refused(() => db.$transaction((tx) => deactivateStaff(tx, { actor: admin, userId: k.admin.id })), "CONFLICT");
    await db.$transaction((tx) => reactivateStaff(tx, { actor: admin, userId: second.id }));
    await db.$transaction((tx) => changeStaffRole(tx, { actor: admin, userId: k.admin.id, input: { role: "PHYSICIAN" } }));
    const secondActor = actorFor(second);
    await refused(() => db.$transaction((tx) => deactivateStaff(tx, { actor: secondActor, userId: second.id })), "CONFLICT");
    expect((await findClinicStaff({ actor: secondActor })).filter((u) => u.role === "ADMIN" && u.active)).toHaveLength(1);
  });

  it("two administrators demoting each other at once: one succeeds, one gets 409", async () => {
    const k = await freshClinic();
    const second = await createUser(db, { clinicId: k.clinic.id, email: `admin3.${tag()}@test.clinic`, name: "Third", role: "ADMIN" });
    const results = await Promise.allSettled([
      db.$transaction((tx) => changeStaffRole(tx, { actor: k.actors.admin, userId: second.id, input: { role: "NURSE" } })),
      db.$transaction((tx) => changeStaffRole(tx, { actor: actorFor(second), userId: k.admin.id, input: { role: "NURSE" } })),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await db.user.count({ where: { clinicId: k.clinic.id, role: "ADMIN", active: true } })).toBe(1);
  });
});

describe("protocol versions", () => {
  it("a new version does not alter existing series; new series can use it; the used version cannot change", async () => {
    // a clinic of its own: the version numbers and series counts below are this test's alone
    const k = await freshClinic();
    const { series } = await patientWithSeries(k, IV);
    const v1 = k.protocolByName(IV).version;
    const before = await db.protocolVersion.findUniqueOrThrow({ where: { id: v1.id } });
    const { version: v2 } = await db.$transaction((tx) => addProtocolVersion(tx, { actor: k.actors.admin, protocolId: v1.protocolId, input: versionInput() }));
    expect(v2.version).toBe(2);
    expect(v2.limits).toMatchObject({ softMinRateUgPerKgPerH: 100, softMaxRateUgPerKgPerH: 300, hardMaxRateUgPerKgPerH: 800, hardMaxBolusUgPerKg: 500 });
    // The clinic's defaults filled the vitals thresholds the input left out.
    expect(v2.limits.vitalsIntervalMin).toBe(15);
    expect(await db.series.findUniqueOrThrow({ where: { id: series.id }, select: { protocolVersionId: true } })).toEqual({ protocolVersionId: v1.id });
    expect(await db.protocolVersion.findUniqueOrThrow({ where: { id: v1.id } })).toEqual(before);

    // The database refuses to change (or delete) a version a series was ordered on.
    await expect(db.protocolVersion.update({ where: { id: v1.id }, data: { softMaxRateUgPerKgPerH: 999 } })).rejects.toThrow(/used by a series/);
    await expect(db.protocolVersion.delete({ where: { id: v1.id } })).rejects.toThrow(/used by a series/);
    expect(await db.protocolVersion.findUniqueOrThrow({ where: { id: v1.id } })).toEqual(before);

    const p = await getProtocol({ actor: k.actors.nurse, protocolId: v1.protocolId });
    expect(p.versions[0]).toMatchObject({ version: 2, seriesCount: 0 });
    expect(p.versions[1]).toMatchObject({ version: 1, seriesCount: 1 }); // the series ordered above

    // A series ordered now, on v2, carries v2's band; the old series still carries v1's.
    const { patient } = await patientWithSeries(k, IV);
    const order = OrderSeriesSchema.parse({ protocolVersionId: v2.id, plannedSessions: 3, startDate: "2026-03-01" });
    const { series: s2 } = await db.$transaction((tx) => orderSeries(tx, { actor: k.actors.physician, patientId: patient.id, input: order }));
    const withVersion = (id: string) => db.series.findUniqueOrThrow({ where: { id }, include: { protocolVersion: true } });
    expect((await withVersion(s2.id)).protocolVersion.softMaxRateUgPerKgPerH).toBe(300);
    expect((await withVersion(series.id)).protocolVersion.softMaxRateUgPerKgPerH).toBe(before.softMaxRateUgPerKgPerH);
  });

  it("validates ranges (400 with field names in user units) and stores nothing", async () => {
    const protocolId = c.protocolByName(IV).protocol.id;
    const cases: [Record<string, unknown>, string][] = [
      [{ softMinRateMgPerKgPerH: 0.4 }, "softMaxRateMgPerKgPerH"],
      [{ softMaxRateMgPerKgPerH: 0.8 }, "softMaxRateMgPerKgPerH"],
      [{ startMinRateMgPerKgPerH: 0.05 }, "startMinRateMgPerKgPerH"],
      [{ doseBasis: "FIXED_TOTAL" }, "maxCumulativeMg"],
      [{ hrLowPerMin: 130 }, "hrHighPerMin"],
    ];
    for (const [patch, field] of cases) {
      const before = await snapshotTables();
      const err = await expectAppError(db.$transaction((tx) => addProtocolVersion(tx, { actor: c.actors.admin, protocolId, input: versionInput(patch) })), "BAD_INPUT");
      expect(Object.keys(err.fields ?? {})).toContain(field);
      expect(await snapshotTables()).toEqual(before);
    }
    expect(NewProtocolVersionSchema.safeParse({ ...versionInput(), softMaxRateMgPerKgPerH: 0.3005 }).success).toBe(false);
    expect(NewProtocolVersionSchema.safeParse({ ...versionInput(), hardMaxRateMgPerKgPerH: -1 }).success).toBe(false);
  });

  it("creates a protocol with the clinic's default vitals thresholds; a retired protocol takes no new series", async () => {
    const k = await freshClinic();
    await db.$transaction((tx) => updateClinicSettings(tx, {
      actor: k.actors.admin,
      input: ClinicSettingsSchema.parse({ name: "Renamed", timezone: "Europe/Berlin", idleSignOutMin: 10, vitalsIntervalMin: 10, sbpHighMmHg: 150, dbpHighMmHg: 95, bpRisePct: 25, hrHighPerMin: 110, hrLowPerMin: 50, spo2LowPct: 93, rrLowPerMin: 10, rrHighPerMin: 24 }),
    }));
    const input = CreateProtocolSchema.parse({ ...versionInput(), name: "Clinic low-dose IV", indication: "neuropathic pain", route: "IV" }) as CreateProtocolInput;
    const p = await db.$transaction((tx) => createProtocol(tx, { actor: k.actors.admin, input }));
    expect(p.version.limits).toMatchObject({ vitalsIntervalMin: 10, sbpHighMmHg: 150, spo2LowPct: 93 });
    await refused(() => db.$transaction((tx) => createProtocol(tx, { actor: k.actors.admin, input })), "CONFLICT");

    await db.$transaction((tx) => retireProtocol(tx, { actor: k.actors.admin, protocolId: p.id }));
    const { patient } = await patientWithSeries(k, IV);
    const order = OrderSeriesSchema.parse({ protocolVersionId: p.version.id, plannedSessions: 3, startDate: "2026-03-01" });
    await refused(() => db.$transaction((tx) => orderSeries(tx, { actor: k.actors.physician, patientId: patient.id, input: order })), "CONFLICT");
    await refused(() => db.$transaction((tx) => addProtocolVersion(tx, { actor: k.actors.admin, protocolId: p.id, input: versionInput() })), "CONFLICT");
  });

  it("clinic settings refuse an unknown time zone and idle minutes outside 5-60", () => {
    const base = { name: "X", timezone: "America/New_York", idleSignOutMin: 15, vitalsIntervalMin: 15, sbpHighMmHg: 160, dbpHighMmHg: 100, bpRisePct: 20, hrHighPerMin: 120, hrLowPerMin: 50, spo2LowPct: 92, rrLowPerMin: 10, rrHighPerMin: 24 };
    expect(ClinicSettingsSchema.safeParse(base).success).toBe(true);
    expect(ClinicSettingsSchema.safeParse({ ...base, timezone: "Mars/Olympus" }).success).toBe(false);
    for (const [m, ok] of [[4, false], [5, true], [60, true], [61, false]] as const)
      expect(ClinicSettingsSchema.safeParse({ ...base, idleSignOutMin: m }).success).toBe(ok);
    for (const [pct, ok] of [[49, false], [50, true], [100, true], [101, false], [85.5, false]] as const)
      expect(ClinicSettingsSchema.safeParse({ ...base, deviceCriticalSpo2BelowPct: pct }).success).toBe(ok);
    for (const [mmHg, ok] of [[99, false], [100, true], [300, true], [301, false]] as const)
      expect(ClinicSettingsSchema.safeParse({ ...base, deviceCriticalSbpAtOrAboveMmHg: mmHg }).success).toBe(ok);
  });

  it("the monitor alert thresholds are clinic settings: 85 % and 180 mmHg by default, edited and audited", async () => {
    const k = await freshClinic();
    const base = { name: "Monitors", timezone: "America/New_York", idleSignOutMin: 15, vitalsIntervalMin: 15, sbpHighMmHg: 160, dbpHighMmHg: 100, bpRisePct: 20, hrHighPerMin: 120, hrLowPerMin: 50, spo2LowPct: 92, rrLowPerMin: 10, rrHighPerMin: 24 };
    const kept = await db.$transaction((tx) => updateClinicSettings(tx, { actor: k.actors.admin, input: ClinicSettingsSchema.parse(base) }));
    expect(kept).toMatchObject({ deviceCriticalSpo2BelowPct: 85, deviceCriticalSbpAtOrAboveMmHg: 180 });
    const changed = await db.$transaction((tx) => updateClinicSettings(tx, {
      actor: k.actors.admin, input: ClinicSettingsSchema.parse({ ...base, deviceCriticalSpo2BelowPct: 88, deviceCriticalSbpAtOrAboveMmHg: 175 }),
    }));
    expect(changed).toMatchObject({ deviceCriticalSpo2BelowPct: 88, deviceCriticalSbpAtOrAboveMmHg: 175 });
    const audit = await db.auditEvent.findFirst({ where: { clinicId: k.clinic.id, action: "clinic.settings.update" }, orderBy: { id: "desc" } });
    expect(audit?.after).toMatchObject({ deviceCriticalSpo2BelowPct: 88, deviceCriticalSbpAtOrAboveMmHg: 175 });
    expect(audit?.before).toMatchObject({ deviceCriticalSpo2BelowPct: 85, deviceCriticalSbpAtOrAboveMmHg: 180 });
  });

  it("the side effects patients are asked about: every patient-reportable kind by default, narrowed and audited", async () => {
    const k = await freshClinic();
    const base = { name: "Check-ins", timezone: "America/New_York", idleSignOutMin: 15, vitalsIntervalMin: 15, sbpHighMmHg: 160, dbpHighMmHg: 100, bpRisePct: 20, hrHighPerMin: 120, hrLowPerMin: 50, spo2LowPct: 92, rrLowPerMin: 10, rrHighPerMin: 24 };
    const kept = await db.$transaction((tx) => updateClinicSettings(tx, { actor: k.actors.admin, input: ClinicSettingsSchema.parse(base) }));
    expect(kept.checkInSideEffectKinds).toEqual([...PATIENT_REPORTABLE_KINDS]);
    const changed = await db.$transaction((tx) => updateClinicSettings(tx, { actor: k.actors.admin, input: ClinicSettingsSchema.parse({ ...base, checkInSideEffectKinds: ["NAUSEA_VOMITING", "OTHER"] }) }));
    expect(changed.checkInSideEffectKinds).toEqual(["NAUSEA_VOMITING", "OTHER"]);
    const audit = await db.auditEvent.findFirst({ where: { clinicId: k.clinic.id, action: "clinic.settings.update" }, orderBy: { id: "desc" } });
    expect(audit?.after).toMatchObject({ checkInSideEffectKinds: ["NAUSEA_VOMITING", "OTHER"] });
  });
});

describe("permissions", () => {
  const staffInput = () => CreateStaffSchema.parse({ name: "Sneaky", email: `sneaky.${tag()}@test.clinic`, role: "ADMIN", password: "bright-orchard-42" });
  it.each(["nurse", "physician"] as const)("a %s cannot manage staff, protocols, settings or read the audit log (FORBIDDEN)", async (role) => {
    const actor = c.actors[role];
    const protocolId = c.protocolByName(IV).protocol.id;
    await refused(() => db.$transaction((tx) => createStaff(tx, { actor, input: staffInput() })), "FORBIDDEN");
    await refused(() => db.$transaction((tx) => changeStaffRole(tx, { actor, userId: actor.userId, input: { role: "ADMIN" } })), "FORBIDDEN");
    await refused(() => db.$transaction((tx) => deactivateStaff(tx, { actor, userId: c.admin.id })), "FORBIDDEN");
    await refused(() => db.$transaction((tx) => resetStaffPassword(tx, { actor, userId: c.admin.id })), "FORBIDDEN");
    await refused(() => db.$transaction((tx) => addProtocolVersion(tx, { actor, protocolId, input: versionInput() })), "FORBIDDEN");
    await refused(() => db.$transaction((tx) => retireProtocol(tx, { actor, protocolId })), "FORBIDDEN");
    await refused(() => findAuditEvents({ actor, filter: {} }), "FORBIDDEN");
  });

  it("another clinic's user and protocol are NOT_FOUND for an admin", async () => {
    await refused(() => db.$transaction((tx) => deactivateStaff(tx, { actor: c.actors.admin, userId: other.nurse.id })), "NOT_FOUND");
    await refused(() => db.$transaction((tx) => resetStaffPassword(tx, { actor: c.actors.admin, userId: other.nurse.id })), "NOT_FOUND");
    await refused(() => db.$transaction((tx) => addProtocolVersion(tx, { actor: c.actors.admin, protocolId: other.protocolByName(IV).protocol.id, input: versionInput() })), "NOT_FOUND");
    await refused(() => getProtocol({ actor: c.actors.admin, protocolId: other.protocolByName(IV).protocol.id }), "NOT_FOUND");
  });

  it("the audit log shows only the clinic's events and filters by user, record and action", async () => {
    // two clinics of their own, each with one deactivation by its admin
    const [k, j] = [await freshClinic(), await freshClinic()];
    const deactivated = async (x: Clinic) => {
      const u = await createUser(db, { clinicId: x.clinic.id, email: `audited.${tag()}@test.clinic`, name: "Audited", role: "NURSE" });
      await db.$transaction((tx) => deactivateStaff(tx, { actor: x.actors.admin, userId: u.id }));
      return u.id;
    };
    const [kLeaver, jLeaver] = [await deactivated(k), await deactivated(j)];
    const page = await findAuditEvents({ actor: k.actors.admin, filter: { userId: k.admin.id, action: "user.deactivate" } });
    expect(page.total).toBe(1);
    expect(page.events.map((e) => [e.action, e.actorId, e.entityId])).toEqual([["user.deactivate", k.admin.id, kLeaver]]);
    // the other clinic's event exists, and only its own admin sees it
    expect((await findAuditEvents({ actor: j.actors.admin, filter: { entityId: jLeaver } })).total).toBe(1);
    expect((await findAuditEvents({ actor: k.actors.admin, filter: { entityId: jLeaver } })).total).toBe(0);
  });
});
