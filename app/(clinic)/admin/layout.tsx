import Link from "next/link";
import { can } from "@/lib/permissions";
import { requirePageActor } from "@/lib/server/actor";
import { NotAllowed } from "../protocols/not-allowed";

/** Administrator pages; every service behind them checks the permission again. */
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const actor = await requirePageActor();
  if (!can(actor, "staff:manage")) return <NotAllowed />;
  return (
    <div className="space-y-4">
      <nav aria-label="Administration" className="flex flex-wrap gap-1 text-sm font-medium">
        <Link href="/admin/staff" className="rounded border border-slate-200 bg-white px-3 py-1.5 hover:bg-slate-100">Staff</Link>
        <Link href="/admin/chairs" className="rounded border border-slate-200 bg-white px-3 py-1.5 hover:bg-slate-100">Chairs</Link>
        <Link href="/admin/devices" className="rounded border border-slate-200 bg-white px-3 py-1.5 hover:bg-slate-100">Monitors</Link>
        <Link href="/protocols" className="rounded border border-slate-200 bg-white px-3 py-1.5 hover:bg-slate-100">Protocols</Link>
        <Link href="/admin/settings" className="rounded border border-slate-200 bg-white px-3 py-1.5 hover:bg-slate-100">Clinic settings</Link>
        <Link href="/admin/audit" className="rounded border border-slate-200 bg-white px-3 py-1.5 hover:bg-slate-100">Audit log</Link>
      </nav>
      {children}
    </div>
  );
}
