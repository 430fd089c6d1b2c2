import type { Metadata } from "next";
import Link from "next/link";
import { can } from "@/lib/permissions";
import { requirePageActor } from "@/lib/server/actor";
import { findPatients } from "@/lib/server/patients";
import { PatientSearch } from "./_components/patient-search";

export const metadata: Metadata = { title: "Patients" };

/**
 * The clinic's patients. The search box never puts the query in the URL (no `?q=`): it posts
 * it to /api/patients/search (docs/SECURITY.md, no patient data in URLs or logs).
 */
export default async function PatientsPage() {
  const actor = await requirePageActor();
  const patients = await findPatients({ actor, route: "page /patients" });
  const today = new Date().toISOString().slice(0, 10);
  const rows = patients.map(({ id, mrn, givenName, familyName, birthDate, sex, screeningPositive, consentOnFile }) => ({
    id, mrn, givenName, familyName, birthDate, sex, screeningPositive, consentOnFile,
  }));
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h1 className="text-2xl font-bold">Patients</h1>
        {can(actor, "patient:register") && <Link href="/patients/new" className="btn-primary">Register patient</Link>}
      </div>
      <PatientSearch initial={rows} today={today} />
    </div>
  );
}
