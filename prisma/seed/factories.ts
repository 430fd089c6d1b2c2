/**
 * Builders shared by the seed, integration tests and e2e: one way to make a clinic, its
 * staff, protocols, patients and series. Sessions are charted through the real services
 * (see seed.ts), so demo flags and audit rows come from the same rules as live charting.
 */
import { SEEDED_PROTOCOLS } from "@/lib/domain/protocol-catalog";
import type { PrismaClient, Role } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/server/actor";
import { hashPassword } from "@/lib/server/passwords";

export const DEMO_PASSWORD = "titrate-demo";

let passwordHashCache: Promise<string> | null = null;
/** Hashing is deliberately slow; tests and the seed reuse one hash of the demo password. */
export function demoPasswordHash() {
  passwordHashCache ??= hashPassword(DEMO_PASSWORD);
  return passwordHashCache;
}

export async function createClinic(db: PrismaClient, data: { name: string; timezone?: string }) {
  return db.clinic.create({ data: { name: data.name, timezone: data.timezone ?? "America/New_York" } });
}

/** Treatment chairs "<prefix> 1".."<prefix> n" of a clinic, in board order. */
export async function createChairs(db: PrismaClient, data: { clinicId: string; count: number; prefix?: string }) {
  const chairs = [];
  for (let i = 1; i <= data.count; i++)
    chairs.push(await db.chair.create({ data: { clinicId: data.clinicId, name: `${data.prefix ?? "Chair"} ${i}`, sortOrder: i } }));
  return chairs;
}

export async function createUser(
  db: PrismaClient,
  data: { clinicId: string; email: string; name: string; role: Role; password?: string; active?: boolean },
) {
  return db.user.create({
    data: {
      clinicId: data.clinicId,
      email: data.email.toLowerCase(),
      name: data.name,
      role: data.role,
      active: data.active ?? true,
      passwordHash: data.password ? await hashPassword(data.password) : await demoPasswordHash(),
    },
  });
}

export function actorFor(user: { id: string; clinicId: string; role: Role; name: string; email: string }, timezone = "America/New_York"): Actor {
  return { userId: user.id, clinicId: user.clinicId, role: user.role, name: user.name, email: user.email, clinicTimezone: timezone };
}

/** Every documented-range protocol of docs/clinical-brief.md, version 1, for one clinic. */
export async function createSeededProtocols(db: PrismaClient, clinicId: string) {
  const created = [];
  for (const p of SEEDED_PROTOCOLS) {
    const protocol = await db.protocol.create({
      data: {
        clinicId, name: p.name, indication: p.indication, route: p.route,
        versions: {
          create: {
            version: 1, ...p.limits,
            sourceDocument: p.sourceDocument, sourceWording: p.sourceWording, limitRationale: p.limitRationale,
          },
        },
      },
      include: { versions: true },
    });
    created.push({ protocol, version: protocol.versions[0]! });
  }
  return created;
}

export async function createPatient(
  db: PrismaClient,
  data: {
    clinicId: string; mrn: string; givenName: string; familyName: string; birthDate: string;
    sex?: "FEMALE" | "MALE" | "OTHER" | "UNKNOWN"; weightKg?: number; allergies?: string;
    screening?: Partial<Record<"substanceMisuse" | "psychosis" | "cardiovascular" | "hepatic" | "interactingMeds", boolean>>;
    screeningNotes?: string; consentOnFile?: boolean;
  },
) {
  const s = data.screening ?? {};
  return db.patient.create({
    data: {
      clinicId: data.clinicId, mrn: data.mrn, givenName: data.givenName, familyName: data.familyName,
      birthDate: new Date(`${data.birthDate}T00:00:00Z`), sex: data.sex ?? "FEMALE",
      weightG: data.weightKg === undefined ? null : Math.round(data.weightKg * 10) * 100,
      allergies: data.allergies ?? "",
      screenSubstanceMisuse: s.substanceMisuse ?? false, screenPsychosis: s.psychosis ?? false,
      screenCardiovascular: s.cardiovascular ?? false, screenHepatic: s.hepatic ?? false,
      screenInteractingMeds: s.interactingMeds ?? false, screeningNotes: data.screeningNotes ?? "",
      screenedAt: new Date(), consentOnFile: data.consentOnFile ?? true,
      consentDate: data.consentOnFile === false ? null : new Date(),
    },
  });
}

/** A clinic with one user per role and the seeded protocols: the unit of test isolation. */
export async function createTestClinic(db: PrismaClient, tag: string) {
  const clinic = await createClinic(db, { name: `Test clinic ${tag}` });
  const [nurse, physician, admin] = await Promise.all([
    createUser(db, { clinicId: clinic.id, email: `nurse.${tag}@test.clinic`, name: `Nurse ${tag}`, role: "NURSE" }),
    createUser(db, { clinicId: clinic.id, email: `physician.${tag}@test.clinic`, name: `Dr ${tag}`, role: "PHYSICIAN" }),
    createUser(db, { clinicId: clinic.id, email: `admin.${tag}@test.clinic`, name: `Admin ${tag}`, role: "ADMIN" }),
  ]);
  const protocols = await createSeededProtocols(db, clinic.id);
  return {
    clinic, nurse, physician, admin, protocols,
    actors: { nurse: actorFor(nurse), physician: actorFor(physician), admin: actorFor(admin) },
    protocolByName: (name: string) => {
      const p = protocols.find((x) => x.protocol.name === name);
      if (!p) throw new Error(`no seeded protocol named ${name}`);
      return p;
    },
  };
}
