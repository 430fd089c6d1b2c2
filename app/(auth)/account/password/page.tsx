import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentActor } from "@/lib/server/actor";
import { SignOutButton } from "@/app/_components/sign-out-button";
import { ChangePasswordForm } from "./change-password-form";

export const metadata: Metadata = { title: "Set a new password" };
export const dynamic = "force-dynamic";

/**
 * The only page a user whose password was set by an administrator may open (requirePageActor
 * sends them here); any signed-in user may also change their password here.
 */
export default async function ChangePasswordPage() {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="card w-full max-w-sm space-y-3">
        <h1 className="text-2xl font-bold text-calm">Set a new password</h1>
        <p className="text-sm text-slate-600">
          {actor.mustChangePassword
            ? `${actor.name}, your password was set by an administrator. Choose your own before continuing.`
            : `${actor.name}, choose a new password.`}
        </p>
        <ChangePasswordForm email={actor.email} />
        <SignOutButton />
      </div>
    </main>
  );
}
