import type { Metadata } from "next";
import { requirePageActor } from "@/lib/server/actor";
import { findClinicStaff } from "@/lib/server/staff";
import { StaffManager } from "./staff-manager";

export const metadata: Metadata = { title: "Staff" };

export default async function StaffPage() {
  const actor = await requirePageActor();
  const staff = await findClinicStaff({ actor });
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">Staff</h1>
      <StaffManager staff={staff} currentUserId={actor.userId} />
    </div>
  );
}
