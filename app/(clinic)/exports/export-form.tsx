"use client";

import { useEffect, useId, useMemo, useRef, useState } from "react";
import { requestStream } from "@/app/_components/data/send";
import { read } from "@/app/_components/data/use-read";
import { fieldMessages } from "@/lib/validation/common";
import { EXPORT_FORMATS, ExportFilterSchema, type ExportFormat } from "@/lib/validation/export";

type Option = { id: string; name?: string; label?: string };
type Filter = { from: string; to: string; protocolId: string; patientId: string; status: string };
type Progress = { received: number; total: number; bytes: number; done: boolean };

const FORMAT_LABELS: Record<ExportFormat, { title: string; hint: string }> = {
  csv: { title: "CSV", hint: "one row per session, opens in a spreadsheet" },
  pdf: { title: "PDF", hint: "one printable page per session" },
  fhir: { title: "FHIR R4", hint: "a JSON Bundle for other systems" },
};

/** Counts finished sessions in the stream so far: CSV rows, PDF pages, FHIR encounters. */
function sessionCounter(format: ExportFormat) {
  const marker = format === "csv" ? "\r\n" : format === "pdf" ? "/Type /Page\n" : '"resourceType":"Encounter"';
  let carry = "";
  let seen = 0;
  return (text: string) => {
    const hay = carry + text;
    let i = hay.indexOf(marker);
    while (i !== -1) {
      seen += 1;
      i = hay.indexOf(marker, i + marker.length);
    }
    // keep the end, minus any marker already counted, so a marker split across chunks is found once
    const keep = hay.slice(-marker.length + 1);
    carry = keep.includes(marker) ? "" : keep;
    return format === "csv" ? Math.max(0, seen - 1) : seen; // the CSV header is not a session
  };
}

const params = (f: Filter, format?: ExportFormat) => {
  const p = new URLSearchParams();
  if (format) p.set("format", format);
  for (const [k, v] of Object.entries(f)) if (v) p.set(k, v);
  return p.toString();
};

const fileNameOf = (res: Response, fallback: string) => /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? fallback;

export function ExportForm({ protocols, patients, defaults }: { protocols: Option[]; patients: Option[]; defaults: { from: string; to: string } }) {
  const id = useId();
  const [filter, setFilter] = useState<Filter>({ from: defaults.from, to: defaults.to, protocolId: "", patientId: "", status: "signed" });
  const [format, setFormat] = useState<ExportFormat>("csv");
  const [serverCount, setCount] = useState<number | null>(null);
  const [serverFieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [running, setRunning] = useState(false);
  const [doneMessage, setDoneMessage] = useState<string | null>(null);
  const abortRef = useRef<AbortController | null>(null);

  // Preview count: the same schema as the server for instant feedback, then the server's count.
  // The schema's verdict is derived during render (no state to keep in step with the filter);
  // the effect only asks the server, and only for a filter the schema accepts.
  const validation = useMemo(() => ExportFilterSchema.safeParse(filter), [filter]);
  const fieldErrors = validation.success ? serverFieldErrors : fieldMessages(validation.error.issues);
  const count = validation.success ? serverCount : null;
  useEffect(() => {
    if (!validation.success) return;
    const ctrl = new AbortController();
    const countNow = async () => {
      setFieldErrors({});
      const res = await read<{ count: number }>(`/api/exports/sessions/count?${params(filter)}`, { signal: ctrl.signal });
      if (res.ok) {
        setFormError(null);
        setCount(res.data.count);
      } else if (res.error.code === "ABORTED") {
        // a newer filter replaced this count
      } else if (res.error.kind === "network") {
        setFormError("Could not reach the server to count the sessions.");
      } else {
        setFieldErrors(res.error.fields);
        setFormError(res.error.message);
        setCount(null);
      }
    };
    const t = setTimeout(() => void countNow(), 250);
    return () => {
      clearTimeout(t);
      ctrl.abort();
    };
  }, [filter, validation.success]);

  const set = (k: keyof Filter) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setFilter((f) => ({ ...f, [k]: e.target.value }));

  async function runExport(e: React.FormEvent) {
    e.preventDefault();
    setDoneMessage(null);
    setFormError(null);
    const ctrl = new AbortController();
    abortRef.current = ctrl;
    setRunning(true);
    try {
      const answer = await requestStream({ method: "GET", url: `/api/exports/sessions?${params(filter, format)}`, signal: ctrl.signal });
      if (!answer.ok) {
        if (answer.error.code === "ABORTED") throw new DOMException("cancelled", "AbortError");
        if (answer.error.kind === "network") throw new Error(answer.error.message);
        setFieldErrors(answer.error.fields);
        setFormError(answer.error.message);
        return;
      }
      const res = answer.response;
      if (!res.body) return; // requestStream answers ok only with a body
      const total = Number(res.headers.get("x-total-count") ?? count ?? 0);
      const name = fileNameOf(res, `titrate-sessions.${format === "fhir" ? "fhir.json" : format}`);
      const reader = res.body.getReader();
      const decoder = new TextDecoder(format === "pdf" ? "latin1" : "utf-8");
      const countSessions = sessionCounter(format);
      const chunks: Uint8Array<ArrayBuffer>[] = [];
      let bytes = 0;
      let received = 0;
      setProgress({ received, total, bytes, done: false });
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value as Uint8Array<ArrayBuffer>);
        bytes += value.byteLength;
        received = Math.min(total, countSessions(decoder.decode(value, { stream: true })));
        setProgress({ received, total, bytes, done: false });
      }
      setProgress({ received: total, total, bytes, done: true });
      const type = res.headers.get("content-type") ?? "application/octet-stream";
      const url = URL.createObjectURL(new Blob(chunks, { type }));
      const a = document.createElement("a");
      a.href = url;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setDoneMessage(`Downloaded ${name}: ${total} session${total === 1 ? "" : "s"}, ${formatBytes(bytes)}.`);
    } catch (err) {
      if ((err as Error).name === "AbortError") setFormError("Export cancelled. Nothing was downloaded; the partial export is recorded in the audit log.");
      else setFormError("The export was interrupted. Try again.");
      setProgress(null);
    } finally {
      setRunning(false);
      abortRef.current = null;
    }
  }

  const err = (k: string) =>
    fieldErrors[k] ? (
      <p id={`${id}-${k}-error`} className="field-error" aria-live="polite">{fieldErrors[k]}</p>
    ) : null;
  const described = (k: string) => (fieldErrors[k] ? { "aria-describedby": `${id}-${k}-error`, "aria-invalid": true as const } : {});

  return (
    <form onSubmit={(e) => void runExport(e)} noValidate className="card max-w-4xl space-y-4" aria-label="Export sessions">
      <fieldset className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <legend className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-600">Which sessions</legend>
        <div>
          <label className="field-label" htmlFor={`${id}-from`}>From (session date)</label>
          <input id={`${id}-from`} type="date" className="field-input" value={filter.from} onChange={set("from")} {...described("from")} />
          {err("from")}
        </div>
        <div>
          <label className="field-label" htmlFor={`${id}-to`}>To (inclusive)</label>
          <input id={`${id}-to`} type="date" className="field-input" value={filter.to} onChange={set("to")} {...described("to")} />
          {err("to")}
        </div>
        <div>
          <label className="field-label" htmlFor={`${id}-status`}>Status</label>
          <select id={`${id}-status`} className="field-input" value={filter.status} onChange={set("status")} {...described("status")}>
            <option value="signed">Signed only</option>
            <option value="completed">Completed, not yet signed</option>
            <option value="in_progress">In progress</option>
            <option value="all">All</option>
          </select>
          {err("status")}
        </div>
        <div>
          <label className="field-label" htmlFor={`${id}-protocol`}>Protocol</label>
          <select id={`${id}-protocol`} className="field-input" value={filter.protocolId} onChange={set("protocolId")} {...described("protocolId")}>
            <option value="">All protocols</option>
            {protocols.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
          </select>
          {err("protocolId")}
        </div>
        <div className="lg:col-span-2">
          <label className="field-label" htmlFor={`${id}-patient`}>Patient</label>
          <select id={`${id}-patient`} className="field-input" value={filter.patientId} onChange={set("patientId")} {...described("patientId")}>
            <option value="">All patients</option>
            {patients.map((p) => <option key={p.id} value={p.id}>{p.label}</option>)}
          </select>
          {err("patientId")}
        </div>
      </fieldset>

      <p className="text-base font-semibold" aria-live="polite" data-testid="export-count">
        {count === null ? "Counting…" : `${count} session${count === 1 ? "" : "s"} match${count === 1 ? "es" : ""}`}
      </p>

      <fieldset>
        <legend className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-600">Format</legend>
        <div className="seg" role="radiogroup" aria-label="Format">
          {EXPORT_FORMATS.map((f) => (
            <label key={f} className="seg-item" title={FORMAT_LABELS[f].hint}>
              <input type="radio" name="format" value={f} checked={format === f} onChange={() => setFormat(f)} aria-label={`${FORMAT_LABELS[f].title}: ${FORMAT_LABELS[f].hint}`} />
              <span>{FORMAT_LABELS[f].title}</span>
            </label>
          ))}
        </div>
        <p className="mt-1 text-sm text-slate-600">{FORMAT_LABELS[format].hint}</p>
      </fieldset>

      {formError && <p role="alert" className="field-error">{formError}</p>}

      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className="btn-primary" disabled={running || count === null || count === 0}>
          {running ? "Exporting…" : `Export ${FORMAT_LABELS[format].title}`}
        </button>
        {running && <button type="button" className="btn-secondary" onClick={() => abortRef.current?.abort()}>Cancel</button>}
      </div>

      {progress && (
        <div className="space-y-1">
          <progress className="h-3 w-full" aria-label="Export progress" max={Math.max(progress.total, 1)} value={progress.done ? Math.max(progress.total, 1) : progress.received} />
          <p className="text-sm tabular-nums text-slate-700" data-testid="export-progress">
            {progress.done ? "Done: " : "Received "}
            {progress.received} of {progress.total} sessions · {formatBytes(progress.bytes)}
          </p>
        </div>
      )}
      {doneMessage && <p className="rounded-md border-2 border-ok bg-green-50 px-4 py-2 font-semibold text-ok" role="status">{doneMessage}</p>}
    </form>
  );
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
