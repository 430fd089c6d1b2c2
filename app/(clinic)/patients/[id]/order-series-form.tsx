"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useMutation } from "@/app/_components/data/use-mutation";
import { Field } from "@/app/_components/forms/fields";
import { parseNumberInput } from "@/lib/validation/number-input";
import { OrderSeriesSchema } from "@/lib/validation/series";

type ProtocolOption = { name: string; route: string; versions: { id: string; version: number; defaultPlannedSessions: number | null }[] };

export function OrderSeriesForm({ patientId, screeningPositive, protocols, today }: { patientId: string; screeningPositive: boolean; protocols: ProtocolOption[]; today: string }) {
  const router = useRouter();
  const { submit, pending, fieldErrors: fields, formError } = useMutation();
  const [versionId, setVersionId] = useState("");
  const chosen = protocols.flatMap((p) => p.versions.map((v) => ({ ...v, name: p.name }))).find((v) => v.id === versionId);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const raw = {
      protocolVersionId: versionId,
      plannedSessions: parseNumberInput(f.get("plannedSessions")),
      intervalDays: parseNumberInput(f.get("intervalDays")),
      startDate: String(f.get("startDate") ?? ""),
      screeningOverrideReason: String(f.get("screeningOverrideReason") ?? "").trim() || undefined,
    };
    const res = await submit<{ series: { id: string } }>(`/api/patients/${patientId}/series`, raw, { schema: OrderSeriesSchema });
    if (!res?.ok) return;
    router.push(`/series/${res.data.series.id}`);
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3">
      <div aria-live="assertive">{formError && <p role="alert" className="rounded-md bg-hard-50 p-2 text-sm font-medium text-hard">{formError}</p>}</div>
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <Field id="protocolVersionId" label="Protocol" error={fields.protocolVersionId}>
          <select id="protocolVersionId" className="field-input" value={versionId} onChange={(e) => setVersionId(e.target.value)}>
            <option value="">Choose a protocol…</option>
            {protocols.map((p) => (
              <optgroup key={p.name} label={`${p.name} (${p.route})`}>
                {p.versions.map((v) => <option key={v.id} value={v.id}>{p.name} — v{v.version}</option>)}
              </optgroup>
            ))}
          </select>
        </Field>
        <Field id="plannedSessions" label="Planned sessions" inputMode="numeric" error={fields.plannedSessions} key={`planned-${versionId}`} defaultValue={chosen?.defaultPlannedSessions ?? ""} />
        <Field id="intervalDays" label="Interval (days)" inputMode="numeric" error={fields.intervalDays} />
        <Field id="startDate" label="First session" type="date" error={fields.startDate} defaultValue={today} />
      </div>
      {screeningPositive && (
        <div className="rounded-md border-2 border-soft bg-soft-50 p-3 text-sm" role="note">
          <p className="font-semibold">Screening is positive for this patient (flag SCREENING_POSITIVE).</p>
          <Field id="screeningOverrideReason" label="Reason to proceed" error={fields.screeningOverrideReason} />
        </div>
      )}
      <button className="btn-primary" type="submit" disabled={pending}>{pending ? "Ordering…" : "Order series"}</button>
    </form>
  );
}
