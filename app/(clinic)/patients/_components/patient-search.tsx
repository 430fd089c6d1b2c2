"use client";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { useRead } from "@/app/_components/data/use-read";
import { ageYears } from "@/lib/domain/patient";

export type PatientRow = {
  id: string;
  mrn: string;
  givenName: string;
  familyName: string;
  birthDate: string;
  sex: string;
  screeningPositive: boolean;
  consentOnFile: boolean;
};

/**
 * Search by name or MRN. The query is sent in a POST body to /api/patients/search so that
 * no patient name or MRN is ever part of a URL (history, logs, Referer).
 */
export function PatientSearch({ initial, today }: { initial: PatientRow[]; today: string }) {
  const [patients, setPatients] = useState(initial);
  const { read, pending: busy, error } = useRead();

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const q = String(new FormData(e.currentTarget).get("q") ?? "").slice(0, 100);
    // a read sent as POST: the query stays out of the URL
    const res = await read<{ patients: PatientRow[] }>("/api/patients/search", { body: { q } });
    if (res.ok) setPatients(res.data.patients);
  }

  return (
    <>
      <form className="flex gap-2" role="search" onSubmit={(e) => void onSubmit(e)}>
        <label htmlFor="q" className="sr-only">Search by name or MRN</label>
        <input id="q" name="q" maxLength={100} placeholder="Search by name or MRN" className="field-input mt-0 max-w-md" />
        <button className="btn-secondary" type="submit" disabled={busy}>Search</button>
      </form>
      {error && <p role="alert" className="text-hard">{error.kind === "network" ? "The search failed: no connection to the server." : error.message}</p>}
      <div className="card overflow-x-auto" aria-live="polite" aria-busy={busy}>
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
    </>
  );
}
