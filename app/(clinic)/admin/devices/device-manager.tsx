"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useMutation } from "@/app/_components/data/use-mutation";
import { Field } from "@/app/_components/forms/fields";
import { formatDateHm } from "@/app/_components/session/clinic-time";
import type { ClinicDevices, DeviceDto } from "@/lib/server/devices";
import { CreateDeviceSchema, UpdateDeviceSchema } from "@/lib/validation/devices";

type Chair = { id: string; name: string };

export function DeviceManager({ devices, refused, silence, chairs, timeZone }: {
  devices: ClinicDevices["devices"]; refused: ClinicDevices["refused"]; silence: ClinicDevices["silence"]; chairs: Chair[]; timeZone: string;
}) {
  const router = useRouter();
  const create = useMutation();
  const rowAction = useMutation();
  const [notice, setNotice] = useState<string | null>(null);
  const when = (iso: string | null) => (iso ? formatDateHm(Date.parse(iso), timeZone) : "never");

  async function onCreate(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setNotice(null);
    const form = e.currentTarget;
    const data = new FormData(form);
    const chairId = String(data.get("device-chair") ?? "");
    const body = { identifier: String(data.get("device-identifier") ?? ""), name: String(data.get("device-name") ?? ""), chairId: chairId || null };
    const res = await create.submit<{ device: DeviceDto }>("/api/admin/devices", body, { schema: CreateDeviceSchema });
    if (!res?.ok) return;
    form.reset();
    setNotice(`${res.data.device.name} registered.`);
    router.refresh();
  }

  async function change(device: DeviceDto, body: { chairId?: string | null; active?: boolean }, done: string) {
    setNotice(null);
    const res = await rowAction.submit<{ device: DeviceDto }>(`/api/admin/devices/${device.id}`, body, { schema: UpdateDeviceSchema });
    if (!res?.ok) return;
    setNotice(done);
    router.refresh();
  }

  return (
    <div className="space-y-6">
      <section className="card overflow-x-auto" aria-labelledby="devices-h">
        <h2 id="devices-h" className="mb-2 text-lg font-semibold">Monitors</h2>
        <p role="alert" className="field-error">{rowAction.formError}</p>
        {notice && <p role="status" className="mb-2 rounded-md bg-calm-50 p-2 text-sm">{notice}</p>}
        {devices.length === 0 ? <p className="text-slate-600">No monitors registered: vitals are typed by the nurses.</p> : (
          <>
          <p className="mb-2 text-sm text-slate-600" data-testid="silence-threshold">
            An active monitor is marked &ldquo;No message&rdquo; after more than {silence.thresholdMin} min without a message:
            {silence.isDefault ? ` 2 × 15 min [default]` : ` twice the clinic's vitals interval (${silence.vitalsIntervalMin} min)`}.
          </p>
          <table className="table-dense" data-testid="devices-table">
            <thead><tr><th>Name</th><th>Identifier</th><th>Chair</th><th>Last message</th><th>Answer</th><th>Actions</th></tr></thead>
            <tbody>
              {devices.map((d) => (
                <tr key={d.id} className={d.active ? undefined : "text-slate-500"} data-device-id={d.id}>
                  <td className="font-medium">{d.name}{d.active ? "" : " (deactivated)"}</td>
                  <td className="font-mono text-xs">{d.identifier}</td>
                  <td>
                    <label className="sr-only" htmlFor={`chair-${d.id}`}>Chair of {d.name}</label>
                    <select id={`chair-${d.id}`} className="field-input mt-0 h-12" value={d.chairId ?? ""}
                      onChange={(e) => void change(d, { chairId: e.target.value || null }, `${d.name}: chair changed.`)}>
                      <option value="">not assigned</option>
                      {chairs.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
                      {d.chairId && !chairs.some((c) => c.id === d.chairId) && <option value={d.chairId}>{d.chairName ?? "deactivated chair"}</option>}
                    </select>
                  </td>
                  <td className="tabular-nums">
                    {when(d.lastMessageAt)}
                    {d.silent && (
                      <span className="mt-1 block font-semibold text-hard" data-testid="device-silent">
                        ⚠ {d.silent.neverSent ? `No message since registration (${d.silent.silentMin} min)` : `No message for ${d.silent.silentMin} min`}
                      </span>
                    )}
                  </td>
                  <td>
                    {d.lastAckCode === null ? "—" : d.lastAckCode === "AA" ? "stored" : <span className="font-semibold text-hard">{d.lastAckCode}: {d.lastError}</span>}
                  </td>
                  <td>
                    {d.active
                      ? <button type="button" className="btn-secondary min-h-12" aria-label={`Deactivate ${d.name}`} onClick={() => void change(d, { active: false }, `${d.name} is deactivated: its messages are refused.`)}>Deactivate</button>
                      : <button type="button" className="btn-secondary min-h-12" aria-label={`Reactivate ${d.name}`} onClick={() => void change(d, { active: true }, `${d.name} is active again.`)}>Reactivate</button>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          </>
        )}
      </section>
      <section className="card overflow-x-auto" aria-labelledby="refused-h">
        <h2 id="refused-h" className="mb-2 text-lg font-semibold">Refused messages and errors <span className="text-sm font-normal text-slate-600">(latest {refused.length})</span></h2>
        {refused.length === 0 ? <p className="text-slate-600">None.</p> : (
          <table className="table-dense" data-testid="refused-messages">
            <thead><tr><th>Received</th><th>Monitor</th><th>Control id</th><th>Answer</th><th>Reason</th></tr></thead>
            <tbody>
              {refused.map((m) => (
                <tr key={m.id}>
                  <td className="tabular-nums">{when(m.receivedAt)}</td>
                  <td>{m.deviceName ?? "—"}</td>
                  <td className="font-mono text-xs">{m.controlId || "—"}</td>
                  <td>{m.ackCode}</td>
                  <td>{m.error}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card" aria-labelledby="new-device-h">
        <h2 id="new-device-h" className="mb-2 text-lg font-semibold">Register a monitor</h2>
        <form onSubmit={onCreate} noValidate className="grid gap-3 sm:grid-cols-3">
          <Field id="device-identifier" label="Identifier it sends" autoComplete="off" error={create.fieldErrors.identifier} hint="OBX-18 equipment id (e.g. its EUI-64) or MSH-3 sending application." />
          <Field id="device-name" label="Name" autoComplete="off" error={create.fieldErrors.name} hint="As the staff call it, e.g. Monitor 7." />
          <div>
            <label htmlFor="device-chair" className="field-label">Chair</label>
            <select id="device-chair" name="device-chair" className="field-input">
              <option value="">not assigned</option>
              {chairs.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
            </select>
          </div>
          <div className="sm:col-span-3">
            <p role="alert" className="field-error">{create.formError}</p>
            <button type="submit" className="btn-primary min-h-12" disabled={create.pending}>{create.pending ? "Registering…" : "Register monitor"}</button>
          </div>
        </form>
      </section>
    </div>
  );
}
