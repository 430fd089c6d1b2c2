import type { Metadata } from "next";
import Link from "next/link";
import { can } from "@/lib/permissions";
import { requirePageActor } from "@/lib/server/actor";
import { findPatients } from "@/lib/server/patients";
import { ageYears } from "@/lib/domain/patient";

export const metadata: Metadata = { title: "Patients" };

export default async function PatientsPage({ searchParams }: { searchParams: Promise<{ q?: string }> }) {
  const actor = await requirePageActor();
  const { q } = await searchParams;
  const patients = await findPatients({ actor, query: q?.slice(0, 100) });
  const today = new Date().toISOString().slice(0, 10);
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h1 className="text-2xl font-bold">Patients</h1>
        {can(actor, "patient:register") && <Link href="/patients/new" className="btn-primary">Register patient</Link>}
      </div>
      <form className="flex gap-2" role="search">
        <label htmlFor="q" className="sr-only">Search by name or MRN</label>
        <input id="q" name="q" defaultValue={q ?? ""} placeholder="Search by name or MRN" className="field-input mt-0 max-w-md" />
        <button className="btn-secondary" type="submit">Search</button>
      </form>
      <div className="card overflow-x-auto">
        {patients.length === 0 ? <p className="text-slate-600">No patients found.</p> : (
          <table className="table-dense">
            <thead><tr><th>Name</th><th>MRN</th><th>Age</th><th>Sex</th><th>Screening</th><th>Consent</th></tr></thead>
            <tbody>
              {patients.map((p) => (
                <tr key={p.id}>
                  <td><Link className="font-medium text-calm underline-offset-2 hover:underline" href={`/patients/${p.id}`}>{p.familyName}, {p.givenName}</Link></td>
                  <td className="tabular-nums">{p.mrn}</td>
                  <td className="tabular-nums">{ageYears(p.birthDate, today)}</td>
                  <td>{p.sex.toLowerCase()}</td>
                  <td>{p.screeningPositive ? <span className="font-semibold text-soft">positive</span> : "negative"}</td>
                  <td>{p.consentOnFile ? "on file" : <span className="font-semibold text-hard">missing</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
