// Emailing the check-in link (decision 0020) through a real SMTP server the test starts
// (smtp-server on 127.0.0.1), reading the message that arrives: the link, the clinic's name,
// nothing else of the patient's record. Without SMTP_URL nothing is sent; a server that
// refuses gives a 409, never a 5xx.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SMTPServer } from "smtp-server";
import { isEmailConfigured, sendCheckInEmail } from "@/lib/server/check-in-mail";
import { emailCheckInLink, issueCheckInLinkForRoute, openCheckIn } from "@/lib/server/check-ins";
import { db, freshClinic } from "@/test/helpers";
import { completedSession, expectAppError, type Clinic } from "@/test/charting";

const PORT = 2526;
const REFUSING_PORT = 2527;
type Received = { from: string; to: string[]; raw: string };
const received: Received[] = [];

const accepting = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString("utf8") });
      callback();
    });
  },
});
const refusing = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  onRcptTo(_address, _session, callback) {
    callback(new Error("mailbox unavailable"));
  },
});

let c: Clinic;
beforeAll(async () => {
  c = await freshClinic();
  await db.clinic.update({ where: { id: c.clinic.id }, data: { phone: "+1 555 0199" } });
  await new Promise<void>((resolve) => accepting.listen(PORT, "127.0.0.1", resolve));
  await new Promise<void>((resolve) => refusing.listen(REFUSING_PORT, "127.0.0.1", resolve));
});
afterAll(async () => {
  delete process.env.SMTP_URL;
  await new Promise<void>((resolve) => accepting.close(() => resolve()));
  await new Promise<void>((resolve) => refusing.close(() => resolve()));
});

/** The message body as text: quoted-printable soft line breaks and =XX escapes undone. */
const decoded = (raw: string) => raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));

describe("sendCheckInEmail", () => {
  it("sends nothing and says so when SMTP_URL is not set", async () => {
    delete process.env.SMTP_URL;
    expect(isEmailConfigured()).toBe(false);
    expect(await sendCheckInEmail({ actor: c.actors.nurse, to: "patient@example.test", url: "http://x/check-in/abc", expiresAt: "2027-01-01T00:00:00.000Z" })).toBe(false);
  });

  it("delivers the link, the clinic's name and phone, the expiry and the emergency advice to the given address", async () => {
    process.env.SMTP_URL = `smtp://127.0.0.1:${PORT}`;
    const url = "https://clinic.example/check-in/AbCdEfGhIjKlMnOpQrStUv";
    expect(await sendCheckInEmail({ actor: c.actors.nurse, to: "patient@example.test", url, expiresAt: "2027-01-10T00:00:00.000Z" })).toBe(true);
    expect(received).toHaveLength(1);
    const mail = received[0]!;
    expect(mail.to).toEqual(["patient@example.test"]);
    const text = decoded(mail.raw);
    expect(text).toContain(`Subject: Your check-in link from ${c.clinic.name}`);
    expect(text).toContain(url);
    expect(text).toContain("works until 2027-01-10");
    expect(text).toContain("+1 555 0199");
    expect(text).toContain("call your local emergency number");
  });

  it("a server that refuses the recipient is a 409 for the sheet, not a crash", async () => {
    process.env.SMTP_URL = `smtp://127.0.0.1:${REFUSING_PORT}`;
    const before = received.length;
    await expectAppError(sendCheckInEmail({ actor: c.actors.nurse, to: "nobody@example.test", url: "https://clinic.example/check-in/x", expiresAt: "2027-01-10T00:00:00.000Z" }), "CONFLICT");
    expect(received).toHaveLength(before);
  });
});

describe("emailing from the discharge sheet", () => {
  const urlOf = (token: string) => `https://clinic.example/check-in/${token}`;
  const completedSeries = async (clinic: Clinic) => (await completedSession(clinic, new Date(Date.now() - 3 * 3_600_000))).series;

  it("without SMTP_URL an email request is a 409 and issues nothing (the printed link stays valid)", async () => {
    delete process.env.SMTP_URL;
    const series = await completedSeries(c);
    const printed = await issueCheckInLinkForRoute({ actor: c.actors.nurse, seriesId: series.id, urlOf });
    await expectAppError(issueCheckInLinkForRoute({ actor: c.actors.nurse, seriesId: series.id, email: "p@example.test", urlOf }), "CONFLICT");
    await expectAppError(emailCheckInLink({ actor: c.actors.nurse, seriesId: series.id, token: printed.url.split("/check-in/")[1]!, email: "p@example.test", urlOf }), "CONFLICT");
    expect(await db.checkInLink.count({ where: { seriesId: series.id } })).toBe(1);
    expect(await openCheckIn({ token: printed.url.split("/check-in/")[1]! })).not.toBeNull();
  });

  it("emails the link the sheet shows without issuing another: the printed QR keeps working, the email is audited", async () => {
    process.env.SMTP_URL = `smtp://127.0.0.1:${PORT}`;
    const series = await completedSeries(c);
    const printed = await issueCheckInLinkForRoute({ actor: c.actors.physician, seriesId: series.id, urlOf });
    const token = printed.url.split("/check-in/")[1]!;
    const before = received.length;
    const r = await emailCheckInLink({ actor: c.actors.physician, seriesId: series.id, token, email: "same-link@example.test", urlOf });
    expect(r).toEqual({ emailed: true, expiresAt: printed.expiresAt });
    expect(received).toHaveLength(before + 1);
    expect(received.at(-1)!.to).toEqual(["same-link@example.test"]);
    expect(decoded(received.at(-1)!.raw)).toContain(printed.url);
    expect(await db.checkInLink.count({ where: { seriesId: series.id } })).toBe(1);
    expect(await openCheckIn({ token })).not.toBeNull();
    const audit = await db.auditEvent.findMany({ where: { action: "check-in-link.email", actorId: c.actors.physician.userId }, orderBy: { id: "desc" }, take: 1 });
    expect(audit[0]?.after).toEqual({ emailed: true });
    expect(JSON.stringify(audit[0]?.after)).not.toContain("same-link@example.test");
  });

  it("a token of another series, a revoked one, or one not issued at all is a 409, nothing sent", async () => {
    process.env.SMTP_URL = `smtp://127.0.0.1:${PORT}`;
    const one = await completedSeries(c);
    const two = await completedSeries(c);
    const oneToken = (await issueCheckInLinkForRoute({ actor: c.actors.nurse, seriesId: one.id, urlOf })).url.split("/check-in/")[1]!;
    const before = received.length;
    await expectAppError(emailCheckInLink({ actor: c.actors.nurse, seriesId: two.id, token: oneToken, email: "x@example.test", urlOf }), "CONFLICT");
    await expectAppError(emailCheckInLink({ actor: c.actors.nurse, seriesId: one.id, token: "Q".repeat(22), email: "x@example.test", urlOf }), "CONFLICT");
    // re-issuing revokes the first link: it can no longer be emailed
    await issueCheckInLinkForRoute({ actor: c.actors.nurse, seriesId: one.id, urlOf });
    await expectAppError(emailCheckInLink({ actor: c.actors.nurse, seriesId: one.id, token: oneToken, email: "x@example.test", urlOf }), "CONFLICT");
    // an administrator may not email links, and another clinic's staff do not find the series
    await expectAppError(emailCheckInLink({ actor: c.actors.admin, seriesId: one.id, token: oneToken, email: "x@example.test", urlOf }), "FORBIDDEN");
    const other = await freshClinic();
    await expectAppError(emailCheckInLink({ actor: other.actors.nurse, seriesId: one.id, token: oneToken, email: "x@example.test", urlOf }), "NOT_FOUND");
    expect(received).toHaveLength(before);
  });
});
