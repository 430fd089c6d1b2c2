import Link from "next/link";
import { IdleSignOut } from "@/app/_components/idle-sign-out";
import { OfflineSync } from "@/app/_components/offline-sync";
import { LiveIndicator } from "@/app/_components/live-indicator";
import { SignOutButton } from "@/app/_components/sign-out-button";
import { can, ROLE_LABELS } from "@/lib/permissions";
import { requirePageActor } from "@/lib/server/actor";
import { getClinic } from "@/lib/server/clinic";

export const dynamic = "force-dynamic";

export default async function ClinicLayout({ children }: { children: React.ReactNode }) {
  const actor = await requirePageActor();
  const clinic = await getClinic({ actor });
  return (
    <div className="min-h-screen">
      {/* the first Tab stop: keyboard users skip the navigation (WCAG 2.4.1, docs/decisions/0016-accessibility.md) */}
      <a href="#main" className="skip-link">Skip to main content</a>
      <nav className="border-b border-slate-200 bg-white" aria-label="Main">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-4 px-4 py-2">
          <Link href="/" className="text-lg font-bold text-calm">Titrate</Link>
          <span className="text-sm text-slate-600">{clinic.name}</span>
          <div className="flex flex-1 flex-wrap gap-1 text-sm font-medium">
            <Link href="/" className="rounded px-3 py-2 hover:bg-slate-100">Home</Link>
            {can(actor, "board:read") && <Link href="/board" className="rounded px-3 py-2 hover:bg-slate-100">Board</Link>}
            <Link href="/patients" className="rounded px-3 py-2 hover:bg-slate-100">Patients</Link>
            {can(actor, "protocol:read") && <Link href="/protocols" className="rounded px-3 py-2 hover:bg-slate-100">Protocols</Link>}
            {can(actor, "staff:manage") && <Link href="/admin/staff" className="rounded px-3 py-2 hover:bg-slate-100">Staff</Link>}
            {can(actor, "export:sessions") && <Link href="/exports" className="rounded px-3 py-2 hover:bg-slate-100">Exports</Link>}
          </div>
          <LiveIndicator />
          <span className="text-sm" data-testid="current-user">
            {actor.name} · <span className="font-semibold">{ROLE_LABELS[actor.role]}</span>
          </span>
          <SignOutButton />
        </div>
      </nav>
      <IdleSignOut idleMinutes={clinic.idleSignOutMin} />
      <OfflineSync userId={actor.userId} clinicId={actor.clinicId} name={actor.name} />
      <main id="main" tabIndex={-1} className="mx-auto max-w-7xl p-4 focus:outline-none">{children}</main>
    </div>
  );
}
