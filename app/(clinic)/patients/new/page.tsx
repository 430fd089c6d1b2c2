import type { Metadata } from "next";
import { requirePageActor, requirePermission } from "@/lib/server/actor";
import { RegisterPatientForm } from "./register-patient-form";

export const metadata: Metadata = { title: "Register patient" };

export default async function NewPatientPage() {
  const actor = await requirePageActor();
  requirePermission(actor, "patient:register");
  return (
    <div className="max-w-3xl space-y-4">
      <h1 className="text-2xl font-bold">Register patient</h1>
      <RegisterPatientForm />
    </div>
  );
}
