import type { Metadata } from "next";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ reason?: string }> }) {
  const { reason } = await searchParams;
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="card w-full max-w-sm">
        <h1 className="text-2xl font-bold text-calm">Titrate</h1>
        <p className="mb-4 text-sm text-slate-600">Infusion charting and review</p>
        {reason === "idle" && (
          <p role="status" className="mb-3 rounded-md bg-calm-50 p-2 text-sm">You were signed out after a period of inactivity.</p>
        )}
        <LoginForm />
      </div>
    </main>
  );
}
