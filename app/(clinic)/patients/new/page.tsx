import type { Metadata } from "next";
import { can } from "@/lib/permissions";
import { requirePageActor } from "@/lib/server/actor";
import { RegisterPatientForm } from "./register-patient-form";

export const metadata: Metadata = { title: "Register patient" };

export default async function NewPatientPage() {
  const actor = await requirePageActor();
  // A notice, not a thrown FORBIDDEN (which rendered a 500 page for administrators).
  if (!can(actor, "patient:register"))
    return (
      <div className="card max-w-xl space-y-2" role="alert">
        <h1 className="text-xl font-semibold">Not available for your role</h1>
        <p className="text-slate-600">Patients are registered by nurses and physicians.</p>
      </div>
    );
  return (
    <div className="max-w-3xl space-y-4">
      <h1 className="text-2xl font-bold">Register patient</h1>
      <RegisterPatientForm />
    </div>
  );
}
