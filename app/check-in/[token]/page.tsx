import type { Metadata } from "next";
import { headers } from "next/headers";
import { AppError } from "@/lib/errors";
import { limitCheckInRequest, NEUTRAL_MESSAGE, openCheckIn } from "@/lib/server/check-ins";
import { clientAddress } from "@/lib/server/http";
import { CheckInForm } from "./check-in-form";

// No sign-in: the token in the path is the patient's only credential (decision 0020). The
// page shows the first name and the clinic's name, nothing else of the record; the referrer
// is never sent on, so the token does not travel to another site; search engines stay out.
export const metadata: Metadata = {
  title: "Check-in",
  referrer: "no-referrer",
  robots: { index: false, follow: false },
};
export const dynamic = "force-dynamic";

function Notice({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <main className="mx-auto max-w-lg p-4">
      <div className="card space-y-2" data-testid="check-in-notice">
        <h1 className="text-xl font-bold">{title}</h1>
        {children}
      </div>
    </main>
  );
}

export default async function CheckInPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const now = new Date();
  try {
    // a page view counts against the address only; the token's own limit is for submissions
    await limitCheckInRequest({ token, address: clientAddress({ headers: await headers() }), now, countToken: false });
  } catch (err) {
    if (err instanceof AppError && err.code === "TOO_MANY_REQUESTS") return <Notice title="Please wait">{<p>{err.userMessage}</p>}</Notice>;
    throw err;
  }
  const page = await openCheckIn({ token, now });
  // unknown, expired, revoked: one page, one wording (no way to tell them apart)
  if (!page) return <Notice title="Check-in">{<p>{NEUTRAL_MESSAGE}</p>}</Notice>;
  return (
    <main className="mx-auto max-w-lg space-y-4 p-4">
      <header>
        <p className="text-sm text-slate-600">{page.clinicName}</p>
        <h1 className="text-2xl font-bold">Hello {page.firstName}, how are you today?</h1>
        <p className="text-base text-slate-700">Your answers go to your care team at {page.clinicName}. They read them on working days.</p>
      </header>
      <EmergencyAdvice phone={page.clinicPhone} />
      {page.alreadyToday
        ? <div className="card" data-testid="check-in-done"><p className="text-lg">You have already checked in today. Thank you! You can check in again tomorrow.</p></div>
        : <CheckInForm token={token} sideEffectKinds={page.sideEffectKinds} lateFor={page.lateFor} clinicPhone={page.clinicPhone} />}
    </main>
  );
}

function EmergencyAdvice({ phone }: { phone: string }) {
  return (
    <p className="text-sm text-slate-700">
      This is not for emergencies. If you are in danger, call your local emergency number now.
      {phone ? <> For other questions call the clinic: <a className="font-semibold text-calm underline" href={`tel:${phone.replace(/[^+\d]/g, "")}`}>{phone}</a>.</> : null}
    </p>
  );
}
