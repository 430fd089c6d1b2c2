import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { bandText } from "@/app/_components/session/protocol-text";
import { AppError } from "@/lib/errors";
import { ClockProvider } from "@/app/_components/session/clock";
import { safetySettingsOf } from "@/lib/domain/protocol";
import { formatKg } from "@/lib/domain/units";
import { requirePageActor } from "@/lib/server/actor";
import { findFreeChairs } from "@/lib/server/chairs";
import { findNurseWorklist } from "@/lib/server/dashboard";
import { getPatient } from "@/lib/server/patients";
import { findProtocols } from "@/lib/server/protocols";
import { formatDate } from "@/lib/time";
import { StartSessionForm } from "./start-session-form";

export const metadata: Metadata = { title: "Start session" };

/**
 * Starting a session from an active series. The series comes from the worklist service
 * (active series without a session in progress), the patient and the protocol version from
 * their own services, so this page adds no query of its own.
 */
export default async function StartSessionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const actor = await requirePageActor();
  let ready;
  try {
    ready = (await findNurseWorklist({ actor, route: "page /series/[id]/start" })).readySeries.find((s) => s.id === id);
  } catch (err) {
    if (err instanceof AppError && err.code === "FORBIDDEN") {
      return <Notice title="Start session">Your role cannot start infusion sessions.</Notice>;
    }
    throw err;
  }
  if (!ready) {
    return (
      <Notice title="No session to start">
        This series is not active, already has a session in progress, or does not exist. Open the session in progress from{" "}
        <Link className="font-semibold text-calm underline" href="/">Today&apos;s sessions</Link>.
      </Notice>
    );
  }
  let patient;
  try {
    patient = await getPatient({ actor, patientId: ready.patientId, route: "page /series/[id]/start" });
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") notFound();
    throw err;
  }
  const series = patient.series.find((s) => s.id === id);
  const [protocols, freeChairs] = await Promise.all([findProtocols({ actor }), findFreeChairs({ actor })]);
  const version = protocols.flatMap((p) => p.versions.map((v) => ({ ...v, protocol: p }))).find((v) => v.id === series?.protocolVersionId);
  if (!series || !version) notFound();
  const tz = actor.clinicTimezone;
  const lastWeight = patient.weights.at(-1);
  const allergies = patient.allergies?.trim() ?? "";
  // the form's late-documentation check starts from the server's clock (corrected for a drifting tablet)
  const serverNowIso = new Date().toISOString();

  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <h1 className="text-2xl font-bold">Start session</h1>
      <section aria-labelledby="who-h" className="card space-y-2">
        <h2 id="who-h" className="text-lg font-semibold">
          {patient.familyName}, {patient.givenName} <span className="text-base font-medium text-slate-600">MRN {patient.mrn}</span>
        </h2>
        <dl className="kv grid grid-cols-1 gap-3 sm:grid-cols-2">
          <div><dt>Born</dt><dd>{patient.birthDate} · {patient.sex.toLowerCase()}</dd></div>
          <div><dt>Allergies</dt><dd className={allergies && !/^none/i.test(allergies) ? "text-hard" : ""}>{allergies || "not recorded"}</dd></div>
          <div>
            <dt>Protocol</dt>
            <dd>{version.protocol.name} <span className="font-normal">v{version.version} · {version.protocol.route}</span></dd>
          </div>
          <div><dt>Sessions</dt><dd>{ready.sessionsDone} done of {ready.plannedSessions} planned · this is session {ready.sessionsDone + 1}</dd></div>
          <div className="sm:col-span-2"><dt>Documented range</dt><dd className="text-sm">{bandText(version.limits, true)}</dd></div>
          <div className="sm:col-span-2">
            <dt>Source</dt>
            <dd className="text-sm font-normal">{version.sourceDocument}{version.sourceWording ? <> — <q>{version.sourceWording}</q></> : null}</dd>
          </div>
          <div>
            <dt>Consent on file</dt>
            <dd className={patient.consentOnFile ? "" : "text-hard"}>{patient.consentOnFile ? `yes${patient.consentDate ? `, ${patient.consentDate}` : ""}` : "NO: record consent before starting"}</dd>
          </div>
          <div>
            <dt>Screening</dt>
            <dd className={patient.screeningPositive ? "text-soft" : ""}>
              {patient.screeningPositive ? "▲ positive: review the notes below" : "no positive answer"}
            </dd>
          </div>
        </dl>
        {patient.screening.notes && <p className="text-sm text-slate-700">Screening notes: {patient.screening.notes}</p>}
      </section>
      <ClockProvider serverNowIso={serverNowIso}>
        <StartSessionForm
          seriesId={id}
          lastWeight={lastWeight ? `${formatKg(lastWeight.weightG)} kg on ${formatDate(lastWeight.measuredAt, tz)}` : null}
          lastWeightG={lastWeight?.weightG ?? patient.weightG ?? null}
          settings={safetySettingsOf(version.limits)}
          route={version.protocol.route}
          timeZone={tz}
          chairs={freeChairs}
        />
      </ClockProvider>
    </div>
  );
}

function Notice({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <h1 className="text-2xl font-bold">{title}</h1>
      <p className="card">{children}</p>
    </div>
  );
}
