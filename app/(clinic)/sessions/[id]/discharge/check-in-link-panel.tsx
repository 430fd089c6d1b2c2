"use client";
import { useState } from "react";
import QRCode from "qrcode";
import { useMutation } from "@/app/_components/data/use-mutation";
import { Field } from "@/app/_components/forms/fields";
import { EmailCheckInLinkSchema, IssueCheckInLinkSchema } from "@/lib/validation/check-in";

type Issued = { url: string; expiresAt: string; emailed: boolean };

/**
 * Issues the check-in link and shows it as a QR code and a short link for printing, or
 * emails it (when the clinic set SMTP_URL). The token is in the page's memory only: while the
 * sheet shows it, "Email this link" sends that same link (the printed QR keeps working); after
 * a reload only a new link can be emailed, which revokes the old one, and the button says so.
 * Revoking ends the link at once.
 */
export function CheckInLinkPanel({ seriesId, canIssue, activeUntil }: { seriesId: string; canIssue: boolean; activeUntil: string | null }) {
  const issue = useMutation();
  const revoke = useMutation();
  const mail = useMutation();
  const [mailedTo, setMailedTo] = useState<string | null>(null);
  const [issued, setIssued] = useState<(Issued & { svg: string }) | null>(null);
  const [revoked, setRevoked] = useState(false);
  const [email, setEmail] = useState("");

  async function onIssue(withEmail: boolean) {
    const body = withEmail ? { email: email.trim() } : {};
    const r = await issue.submit<Issued>(`/api/series/${seriesId}/check-in-link`, body, { schema: IssueCheckInLinkSchema });
    if (r?.ok) {
      const svg = await QRCode.toString(r.data.url, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
      setIssued({ ...r.data, svg });
      setMailedTo(null);
      setRevoked(false);
    }
  }

  async function onEmailShown() {
    if (!issued) return;
    const token = issued.url.split("/check-in/")[1] ?? "";
    const to = email.trim();
    setMailedTo(null);
    const r = await mail.submit<{ emailed: boolean }>(`/api/series/${seriesId}/check-in-link/email`, { token, email: to }, { schema: EmailCheckInLinkSchema });
    if (r?.ok && r.data.emailed) setMailedTo(to);
  }

  async function onRevoke() {
    const r = await revoke.submit(`/api/series/${seriesId}/check-in-link/revoke`, {});
    if (r?.ok) { setIssued(null); setRevoked(true); }
  }

  return (
    <div className="space-y-3" data-testid="check-in-link">
      {issued ? (
        <div className="flex flex-wrap items-center gap-4">
          {/* eslint-disable-next-line @next/next/no-img-element -- a data: URL drawn in the browser from the answer; next/image has nothing to fetch or optimise */}
          <img className="h-44 w-44" alt="QR code of your check-in link" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(issued.svg)}`} />
          <div className="min-w-0 space-y-1">
            <p className="text-sm text-slate-600">Scan the code with your phone camera, or type:</p>
            <p className="break-all font-mono text-base font-semibold" data-testid="check-in-url">{issued.url}</p>
            <p className="text-sm text-slate-600">Works until {issued.expiresAt.slice(0, 10)}. Keep it private.</p>
            <p className="text-sm font-semibold text-calm" role="status">{issued.emailed || mailedTo ? "Emailed." : ""}</p>
          </div>
        </div>
      ) : (
        <p className="text-sm text-slate-700" data-testid="check-in-link-state">
          {revoked ? "The link is revoked." : activeUntil ? `A check-in link is active until ${activeUntil}. Its code is shown only when issued: issue a new one to print it (the old one stops working).` : "No check-in link yet."}
        </p>
      )}
      {canIssue && (
        <div className="no-print space-y-2">
          <div className="flex flex-wrap gap-2">
            <button type="button" className="btn-primary min-h-11" disabled={issue.pending} onClick={() => onIssue(false)}>{issued || activeUntil ? "Issue a new check-in link" : "Create check-in link"}</button>
            {(issued || (activeUntil && !revoked)) && <button type="button" className="btn-secondary min-h-11" disabled={revoke.pending} onClick={onRevoke}>Revoke link</button>}
          </div>
          <div className="flex flex-wrap items-end gap-2">
            <div className="min-w-64 grow">
              <Field id="checkInEmail" type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} error={issue.fieldErrors.email ?? mail.fieldErrors.email}
                label={issued ? "Email this link to the patient (the address is not stored)" : activeUntil && !revoked ? "Or email a new link to the patient (the earlier link stops working; the address is not stored)" : "Or email a link to the patient (the address is not stored)"} />
            </div>
            {issued
              ? <button type="button" className="btn-secondary min-h-11" disabled={mail.pending || !email.trim()} onClick={onEmailShown}>Email this link</button>
              : <button type="button" className="btn-secondary min-h-11" disabled={issue.pending || !email.trim()} onClick={() => onIssue(true)}>{activeUntil && !revoked ? "Email a new link" : "Email link"}</button>}
          </div>
          {(issue.formError || revoke.formError || mail.formError) && !issue.fieldErrors.email && !mail.fieldErrors.email && <p className="field-error" role="alert">{issue.formError ?? revoke.formError ?? mail.formError}</p>}
        </div>
      )}
    </div>
  );
}
