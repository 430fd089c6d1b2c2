import "server-only";
import { AppError } from "@/lib/errors";
import type { Actor } from "./actor";
import { db } from "./db";

/**
 * The patient's check-in URL. The origin is the clinic's public address (TITRATE_PUBLIC_URL,
 * else NEXTAUTH_URL, else the request's own), so a link printed behind a proxy still opens.
 * The token is the only patient-specific part (decision 0020: nothing else in URLs).
 */
export function checkInUrl(req: Request, token: string): string {
  const base = process.env.TITRATE_PUBLIC_URL || process.env.NEXTAUTH_URL || new URL(req.url).origin;
  return new URL(`/check-in/${token}`, base).toString();
}

export function isEmailConfigured(): boolean {
  return Boolean(process.env.SMTP_URL);
}

/**
 * Emails the check-in link through the clinic's SMTP server (SMTP_URL, e.g.
 * smtp://user:pass@mail.example:587). The address is used for this message only and never
 * stored; the body names the clinic, not the patient or a treatment. False when SMTP is not
 * configured; a refused delivery is a 409 the sheet shows (the link itself stays valid).
 */
export async function sendCheckInEmail({ actor, to, url, expiresAt }: { actor: Actor; to: string; url: string; expiresAt: string }): Promise<boolean> {
  const smtpUrl = process.env.SMTP_URL;
  if (!smtpUrl) return false;
  const { createTransport } = await import("nodemailer");
  const clinic = await db.clinic.findUniqueOrThrow({ where: { id: actor.clinicId }, select: { name: true, phone: true } });
  const transport = createTransport(smtpUrl);
  const from = process.env.SMTP_FROM || `"${clinic.name.replace(/["\r\n]/g, "")}" <no-reply@localhost>`;
  const until = expiresAt.slice(0, 10);
  try {
    await transport.sendMail({
      from,
      to,
      subject: `Your check-in link from ${clinic.name}`,
      text: [
        `${clinic.name} asks you to tell us how you are doing between treatments.`,
        "",
        `Open this link on your phone to check in: ${url}`,
        "",
        `The link works until ${until}. Keep it private: anyone with it can send a check-in for you.`,
        clinic.phone ? `Questions? Call ${clinic.phone}.` : "",
        "If you are in danger or have a medical emergency, call your local emergency number.",
      ].join("\n"),
    });
  } catch (err) {
    // the log gets the error class only: the message may contain the address
    console.error("[check-in] email not delivered:", err instanceof Error ? err.name : "unknown");
    throw new AppError("CONFLICT", { userMessage: "The email could not be sent. The link is issued: print the sheet or try again." });
  } finally {
    transport.close();
  }
  return true;
}
