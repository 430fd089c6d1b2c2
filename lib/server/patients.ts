import "server-only";
import { evaluateScreening } from "@/lib/domain/flags";
import { gFromKg } from "@/lib/domain/units";
import { AppError, notFound } from "@/lib/errors";
import type { Patient } from "@/lib/generated/prisma/client";
import type { RegisterPatientInput } from "@/lib/validation/patient";
import { requirePermission, type Actor } from "./actor";
import { recordAccess } from "./access-audit";
import { auditAs } from "./audit";
import { db, type Tx } from "./db";
import { isUniqueViolation } from "./http";

export function screeningOf(p: Patient) {
  return {
    substanceMisuse: p.screenSubstanceMisuse,
    psychosis: p.screenPsychosis,
    cardiovascular: p.screenCardiovascular,
    hepatic: p.screenHepatic,
    interactingMeds: p.screenInteractingMeds,
  };
}

export function patientDto(p: Patient) {
  const screening = screeningOf(p);
  return {
    id: p.id,
    mrn: p.mrn,
    givenName: p.givenName,
    familyName: p.familyName,
    birthDate: p.birthDate.toISOString().slice(0, 10),
    sex: p.sex,
    allergies: p.allergies,
    weightG: p.weightG,
    screening: { ...screening, notes: p.screeningNotes, screenedAt: p.screenedAt?.toISOString() ?? null },
    screeningPositive: evaluateScreening(screening).length > 0,
    consentOnFile: p.consentOnFile,
    consentDate: p.consentDate?.toISOString().slice(0, 10) ?? null,
  };
}
export type PatientDto = ReturnType<typeof patientDto>;

/** Loads a patient of the actor's clinic or throws NOT_FOUND (another clinic's too). */
export async function loadPatient(tx: Tx | typeof db, actor: Actor, patientId: string) {
  const p = await tx.patient.findFirst({ where: { id: patientId, clinicId: actor.clinicId } });
  if (!p) throw notFound("Patient");
  return p;
}

export async function registerPatient(tx: Tx, { actor, input, now = new Date() }: { actor: Actor; input: RegisterPatientInput; now?: Date }) {
  requirePermission(actor, "patient:register");
  const weightG = input.weightKg === undefined ? null : gFromKg(input.weightKg);
  const s = input.screening;
  try {
    const p = await tx.patient.create({
      data: {
        clinicId: actor.clinicId,
        mrn: input.mrn,
        givenName: input.givenName,
        familyName: input.familyName,
        birthDate: new Date(`${input.birthDate}T00:00:00Z`),
        sex: input.sex,
        allergies: input.allergies ?? "",
        weightG,
        screenSubstanceMisuse: s?.substanceMisuse ?? null,
        screenPsychosis: s?.psychosis ?? null,
        screenCardiovascular: s?.cardiovascular ?? null,
        screenHepatic: s?.hepatic ?? null,
        screenInteractingMeds: s?.interactingMeds ?? null,
        screeningNotes: s?.notes ?? "",
        screenedAt: s ? now : null,
        consentOnFile: input.consentOnFile ?? false,
        consentDate: input.consentDate ? new Date(`${input.consentDate}T00:00:00Z`) : null,
      },
    });
    if (weightG !== null)
      await tx.patientWeight.create({ data: { patientId: p.id, weightG, measuredAt: now, enteredById: actor.userId } });
    await auditAs(tx, actor)("patient.register", "Patient", p.id, { after: p });
    return patientDto(p);
  } catch (err) {
    if (isUniqueViolation(err))
      throw new AppError("CONFLICT", { userMessage: `A patient with MRN ${input.mrn} already exists in this clinic.`, fields: { mrn: "already in use" } });
    throw err;
  }
}

/**
 * The patient's record. `route` names the page or API route that shows it, for the access row
 * (lib/server/access-audit.ts); every caller reads through here, so every read is audited.
 */
export async function getPatient({ actor, patientId, route = "internal" }: { actor: Actor; patientId: string; route?: string }) {
  requirePermission(actor, "patient:read");
  const p = await loadPatient(db, actor, patientId);
  const [series, weights] = await Promise.all([
    db.series.findMany({
      where: { patientId: p.id, clinicId: actor.clinicId },
      orderBy: { startDate: "desc" },
      include: {
        protocolVersion: { include: { protocol: true } },
        orderingPhysician: { select: { name: true } },
        closedBy: { select: { name: true } },
        _count: { select: { sessions: true } },
      },
    }),
    db.patientWeight.findMany({ where: { patientId: p.id }, orderBy: { measuredAt: "asc" } }),
    recordAccess(actor, { route, record: "Patient", recordId: p.id, patientIds: [p.id] }),
  ]);
  return {
    ...patientDto(p),
    weights: weights.map((w) => ({ weightG: w.weightG, measuredAt: w.measuredAt.toISOString(), sessionId: w.sessionId })),
    series: series.map((s) => ({
      id: s.id,
      status: s.status,
      protocolName: s.protocolVersion.protocol.name,
      protocolVersion: s.protocolVersion.version,
      protocolVersionId: s.protocolVersionId,
      plannedSessions: s.plannedSessions,
      sessionCount: s._count.sessions,
      startDate: s.startDate.toISOString().slice(0, 10),
      orderingPhysician: s.orderingPhysician.name,
      closedAt: s.closedAt?.toISOString() ?? null,
      closedBy: s.closedBy?.name ?? null,
      closeReason: s.closeReason,
    })),
  };
}

/** The clinic's patients (or those matching `query`); one access row names every patient listed. */
export async function findPatients({ actor, query, route = "internal" }: { actor: Actor; query?: string; route?: string }) {
  requirePermission(actor, "patient:read");
  const q = query?.trim();
  const patients = await db.patient.findMany({
    where: {
      clinicId: actor.clinicId,
      ...(q
        ? { OR: [{ mrn: { contains: q, mode: "insensitive" } }, { familyName: { contains: q, mode: "insensitive" } }, { givenName: { contains: q, mode: "insensitive" } }] }
        : {}),
    },
    orderBy: [{ familyName: "asc" }, { givenName: "asc" }],
    take: 200,
  });
  await recordAccess(actor, { route, record: "PatientList", recordId: actor.clinicId, patientIds: patients.map((p) => p.id) });
  return patients.map(patientDto);
}
