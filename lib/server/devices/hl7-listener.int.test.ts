// Bedside monitors over HL7 v2 / MLLP (docs/decisions/0021-monitor-vitals-over-hl7.md), end to
// end against PostgreSQL: a real HL7 client (@medplum/hl7's Hl7Client) sends IHE PCD-01
// ORU^R01 messages to the real listener; raw MLLP frames for what no client would send. Then
// the nurse's validation through the services.
import net from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Hl7Client } from "@medplum/hl7";
// @ts-expect-error ws ships no type declarations; only its WebSocket class is used
import { WebSocket } from "ws";
import { createChairs } from "@/prisma/seed/factories";
import { getBoard } from "@/lib/server/board";
import { acceptDeviceVitals, createDevice, findClinicDevices, rejectDeviceVitals, updateDevice } from "@/lib/server/devices";
import { startHl7Listener, type RunningListener } from "@/lib/server/devices/listener";
import { getSessionChart, startSession } from "@/lib/server/sessions";
import { AcceptDeviceVitalsSchema, CreateDeviceSchema, RejectDeviceVitalsSchema } from "@/lib/validation/devices";
import { StartSessionSchema } from "@/lib/validation/session";
import { complete, dose, expectAppError, pain, patientWithSeries, vitals, type Clinic } from "@/test/charting";
import { db, freshClinic } from "@/test/helpers";

(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
const { Hl7Message } = await import("@medplum/core");

const IV = "IV infusion (routes table)";
// free ports the system chooses when the listeners start: parallel runs on one host never meet
let PORT = 0;
let PORT_B = 0;

let c: Clinic;
let other: Clinic;
let listener: RunningListener;
let listenerB: RunningListener;
let chairs: { id: string; name: string }[];
let sessionId: string;
const runId = Math.random().toString(36).slice(2, 8);
const MON_A = `0012A0FFFE${runId}`; // in chair 1, which holds a running session
const MON_B = `0012B0FFFE${runId}`; // in chair 2, free

/** HL7 TS with offset, `minutesAgo` before now. */
function ts(minutesAgo = 1): string {
  return new Date(Date.now() - minutesAgo * 60_000).toISOString().replace(/[-:T]/g, "").replace(/\.\d+Z$/, "+0000");
}

let seq = 0;
function controlId() {
  return `${runId}-${++seq}`;
}

/** A PCD-01 ORU^R01 from a monitor: the equipment id in OBX-18 and MSH-3, MDC codes and units. */
function oru(opts: { device: string; control?: string; spo2?: string; sys?: string; tempUnit?: string; time?: string; extraObx?: string[] } = { device: MON_A }) {
  const t = opts.time ?? ts();
  const eq = `${opts.device}^EUI-64`;
  const lines = [
    `MSH|^~\\&|MONITOR^${opts.device}^EUI-64|SUITE|TITRATE|CLINIC|${t}||ORU^R01^ORU_R01|${opts.control ?? controlId()}|P|2.6|||AL|NE||UNICODE UTF-8|||IHE_PCD_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO`,
    `PID|||||`,
    `OBR|1|||182777000^monitoring of patient^SCT|||${t}`,
    `OBX|1|NM|150021^MDC_PRESS_BLD_NONINV_SYS^MDC|1.1.9.150021|${opts.sys ?? "124"}|266016^MDC_DIM_MMHG^MDC|||||R|||${t}||||${eq}`,
    `OBX|2|NM|150022^MDC_PRESS_BLD_NONINV_DIA^MDC|1.1.9.150022|78|266016^MDC_DIM_MMHG^MDC|||||R|||${t}||||${eq}`,
    `OBX|3|NM|147842^MDC_ECG_HEART_RATE^MDC|1.2.1.147842|71|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||${t}||||${eq}`,
    `OBX|4|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.3.1.150456|${opts.spo2 ?? "97"}|262688^MDC_DIM_PERCENT^MDC|||||R|||${t}||||${eq}`,
    `OBX|5|NM|151562^MDC_RESP_RATE^MDC|1.5.1.151562|15|264928^MDC_DIM_RESP_PER_MIN^MDC|||||R|||${t}||||${eq}`,
    `OBX|6|NM|150344^MDC_TEMP^MDC|1.4.1.150344|${opts.tempUnit === "MDC_DIM_FAHR" ? "98.6" : "36.9"}|${opts.tempUnit === "MDC_DIM_FAHR" ? "268160^MDC_DIM_FAHR" : "268192^MDC_DIM_DEGC"}^MDC|||||R|||${t}||||${eq}`,
    ...(opts.extraObx ?? []),
  ];
  return lines.join("\r");
}

async function send(text: string, port = PORT) {
  const client = new Hl7Client({ host: "127.0.0.1", port });
  try {
    // @medplum/hl7 5.0.10 pins its own @medplum/core: the same class, a separate declaration
    const message = Hl7Message.parse(text) as unknown as Parameters<Hl7Client["sendAndWait"]>[0];
    const ack = await client.sendAndWait(message, { timeoutMs: 15_000 });
    return { code: ack.getSegment("MSA")?.getField(1)?.toString(), echo: ack.getSegment("MSA")?.getField(2)?.toString(), text: ack.getSegment("MSA")?.getField(3)?.toString() ?? "" };
  } finally {
    await client.close();
  }
}

/** A raw MLLP connection: frames out, every framed answer collected. */
function rawConnection(port = PORT) {
  const socket = net.connect(port, "127.0.0.1");
  const answers: string[] = [];
  let buffer = Buffer.alloc(0);
  const waiters: (() => void)[] = [];
  socket.on("data", (d) => {
    buffer = Buffer.concat([buffer, d]);
    for (;;) {
      const start = buffer.indexOf(0x0b);
      const end = buffer.indexOf(Buffer.from([0x1c, 0x0d]), start + 1);
      if (start < 0 || end < 0) break;
      answers.push(buffer.subarray(start + 1, end).toString("utf-8"));
      buffer = buffer.subarray(end + 2);
      waiters.shift()?.();
    }
  });
  return {
    answers,
    ready: new Promise<void>((resolve) => socket.once("connect", () => resolve())),
    /** sends one frame and waits for its answer (or fails after 15 s) */
    async exchange(payload: Buffer | string): Promise<string> {
      const before = answers.length;
      const got = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no answer within 15 s")), 15_000);
        waiters.push(() => { clearTimeout(timer); resolve(); });
      });
      socket.write(Buffer.concat([Buffer.from([0x0b]), Buffer.isBuffer(payload) ? payload : Buffer.from(payload, "utf-8"), Buffer.from([0x1c, 0x0d])]));
      await got;
      return answers[before] as string;
    },
    /** writes several frames in one write (one TCP chunk on loopback), waiting for nothing */
    writeFrames(payloads: string[]): void {
      socket.write(Buffer.concat(payloads.map((p) => Buffer.concat([Buffer.from([0x0b]), Buffer.from(p, "utf-8"), Buffer.from([0x1c, 0x0d])]))));
    },
    close: () => new Promise<void>((resolve) => socket.end(() => resolve())),
  };
}

/** MSA-1 of an answer, read with the field separator its MSH declares (an ACK echoes the sender's encoding characters). */
const msaCode = (ack: string) => {
  const sep = ack.startsWith("MSH") ? ack.charAt(3) : "|";
  return ack.split("\r").find((s) => s.startsWith(`MSA${sep}`))?.split(sep)[1];
};

beforeAll(async () => {
  [c, other] = await Promise.all([freshClinic(), freshClinic()]);
  chairs = await createChairs(db, { clinicId: c.clinic.id, count: 3, prefix: `Bay ${runId}` });
  const { series } = await patientWithSeries(c, IV);
  const input = StartSessionSchema.parse({ weightKg: 70, concentrationMgPerMl: 1, consentConfirmed: true, screeningReviewed: true, chairId: chairs[0]!.id });
  // opened 30 minutes ago: the monitor's readings of the last minutes fall within it
  const started = await db.$transaction((tx) => startSession(tx, { actor: c.actors.nurse, seriesId: series.id, input, now: new Date(Date.now() - 30 * 60_000) }));
  sessionId = started.session.id;
  await db.$transaction(async (tx) => {
    await createDevice(tx, { actor: c.actors.admin, input: CreateDeviceSchema.parse({ identifier: MON_A, name: "Monitor A", chairId: chairs[0]!.id }) });
    await createDevice(tx, { actor: c.actors.admin, input: CreateDeviceSchema.parse({ identifier: MON_B, name: "Monitor B", chairId: chairs[1]!.id }) });
  });
  listener = await startHl7Listener(0, () => undefined);
  listenerB = await startHl7Listener(0, () => undefined);
  [PORT, PORT_B] = [listener.port, listenerB.port];
});

afterAll(async () => {
  await Promise.all([listener?.stop(), listenerB?.stop()]);
});

describe("the MLLP listener", () => {
  it("AA and an unverified device reading for a monitor in a chair with a running session, announced on the live stream", async () => {
    const events = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await events.connect();
    const payloads: string[] = [];
    events.on("notification", (n) => payloads.push(n.payload ?? ""));
    await events.query("LISTEN titrate_events");
    try {
      const control = controlId();
      const ack = await send(oru({ device: MON_A, control }));
      expect(ack).toEqual({ code: "AA", echo: control, text: "stored" });
      const rows = await db.deviceVitals.findMany({ where: { controlId: control } });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        sessionId, clinicId: c.clinic.id, status: "PENDING", systolicMmHg: 124, diastolicMmHg: 78, heartRatePerMin: 71, spo2Pct: 97,
        respRatePerMin: 15, temperatureDeciC: 369, criticalText: null, validatedById: null,
      });
      // nothing charted yet: a device row is not a vitals set until a nurse validates it
      expect(await db.vitalSigns.count({ where: { sessionId } })).toBe(0);
      const audit = await db.auditEvent.findFirst({ where: { entityId: rows[0]!.id, action: "device-vitals.receive" } });
      expect(audit).toMatchObject({ clinicId: c.clinic.id, actorId: null });
      await expect.poll(() => payloads.map((p) => JSON.parse(p) as { kind: string; sessionId: string }).some((p) => p.kind === "device-vitals" && p.sessionId === sessionId)).toBe(true);
      const device = await db.device.findUniqueOrThrow({ where: { identifier: MON_A } });
      expect(device).toMatchObject({ lastAckCode: "AA", lastError: null });
    } finally {
      await events.end();
    }
  });

  it("AE for an unknown device, logged with no clinic", async () => {
    const control = controlId();
    const ack = await send(oru({ device: `UNKNOWN${runId}`, control }));
    expect(ack.code).toBe("AE");
    expect(ack.text).toMatch(/unknown device/);
    expect(await db.deviceVitals.count({ where: { controlId: control } })).toBe(0);
    expect(await db.deviceMessage.findFirst({ where: { controlId: control } })).toMatchObject({ ackCode: "AE", clinicId: null, deviceId: null });
  });

  it("AE for a monitor whose chair holds no running session, shown on the device page", async () => {
    const control = controlId();
    const ack = await send(oru({ device: MON_B, control }));
    expect(ack.code).toBe("AE");
    expect(ack.text).toContain(`no running session in Bay ${runId} 2`);
    expect(await db.deviceVitals.count({ where: { controlId: control } })).toBe(0);
    const page = await findClinicDevices({ actor: c.actors.admin });
    expect(page.devices.find((d) => d.identifier === MON_B)).toMatchObject({ lastAckCode: "AE", chairName: `Bay ${runId} 2` });
    expect(page.refused.find((m) => m.controlId === control)).toMatchObject({ ackCode: "AE", deviceName: "Monitor B" });
    // another clinic's administrator sees none of it
    const theirs = await findClinicDevices({ actor: other.actors.admin });
    expect(theirs.devices).toEqual([]);
    expect(theirs.refused.find((m) => m.controlId === control)).toBeUndefined();
  });

  it("AE for a value in an unexpected unit: nothing stored, nothing converted", async () => {
    const control = controlId();
    const ack = await send(oru({ device: MON_A, control, tempUnit: "MDC_DIM_FAHR" }));
    expect(ack.code).toBe("AE");
    expect(ack.text).toContain("Temperature: unexpected unit MDC_DIM_FAHR");
    expect(await db.deviceVitals.count({ where: { controlId: control } })).toBe(0);
  });

  it("AE for an observation time without a UTC offset (never guessed)", async () => {
    const control = controlId();
    const ack = await send(oru({ device: MON_A, control, time: "20261130120000" }));
    expect(ack.code).toBe("AE");
    expect(ack.text).toMatch(/UTC offset/);
  });

  /** The message with the OBX lines that contain `match` rewritten field by field (1-based OBX field numbers). */
  const withObx = (text: string, match: string, fields: Record<number, string>) =>
    text.split("\r").map((l) => {
      if (!l.startsWith("OBX|") || !l.includes(match)) return l;
      const f = l.split("|");
      for (const [i, v] of Object.entries(fields)) f[Number(i)] = v;
      return f.join("|");
    }).join("\r");

  it("AE when the observations name two registered monitors (OBX-18): nothing merged, nothing stored", async () => {
    const control = controlId();
    const ack = await send(withObx(oru({ device: MON_A, control }), "MDC_RESP_RATE", { 18: `${MON_B}^EUI-64` }));
    expect(ack.code).toBe("AE");
    expect(ack.text).toBe(`observations from 2 devices (OBX-18 ${MON_A}, ${MON_B}): send one message per monitor`);
    expect(await db.deviceVitals.count({ where: { controlId: control } })).toBe(0);
    expect(await db.deviceMessage.findFirst({ where: { controlId: control } })).toMatchObject({ ackCode: "AE", clinicId: c.clinic.id });
  });

  it("AE when the observation times (OBX-14) are more than a minute apart; within it, the set takes the earliest", async () => {
    const far = controlId();
    const ack = await send(withObx(oru({ device: MON_A, control: far, time: ts(1) }), "MDC_PRESS_BLD_NONINV", { 14: ts(6) }));
    expect(ack.code).toBe("AE");
    expect(ack.text).toMatch(/^observation times \(OBX-14\) differ by 300 s, more than 60 s/);
    expect(await db.deviceVitals.count({ where: { controlId: far } })).toBe(0);

    const near = controlId();
    const earliest = new Date(Date.now() - 90_000);
    const nearTs = earliest.toISOString().replace(/[-:T]/g, "").replace(/\.\d+Z$/, "+0000");
    expect((await send(withObx(oru({ device: MON_A, control: near, time: ts(1) }), "MDC_PRESS_BLD_NONINV", { 14: nearTs }))).code).toBe("AA");
    const stored = await db.deviceVitals.findFirstOrThrow({ where: { controlId: near } });
    expect(stored.at.toISOString()).toBe(new Date(Math.floor(earliest.getTime() / 1000) * 1000).toISOString());
  });

  it("OBX-11: a value marked W (wrong) or P (preliminary) is not stored; nothing final left is an AE with the reason", async () => {
    const control = controlId();
    const ack = await send(withObx(oru({ device: MON_A, control }), "MDC_PULS_OXIM_SAT_O2", { 11: "W" }));
    expect(ack).toMatchObject({ code: "AA", text: "stored; not stored: SpO2 (W wrong)" });
    expect(await db.deviceVitals.findFirstOrThrow({ where: { controlId: control } })).toMatchObject({ spo2Pct: null, systolicMmHg: 124 });

    const none = controlId();
    const preliminary = withObx(oru({ device: MON_A, control: none }), "|NM|", { 11: "P" });
    const refused = await send(preliminary);
    expect(refused.code).toBe("AE");
    // MSA-3 holds 200 characters; the device page keeps the whole reason
    expect(refused.text).toMatch(/^no final result to chart: Systolic BP \(P preliminary\), Diastolic BP \(P preliminary\)/);
    expect((await db.deviceMessage.findFirstOrThrow({ where: { controlId: none } })).error).toMatch(/Temperature \(P preliminary\); only OBX-11 F, C or R is charted$/);
    expect(await db.deviceVitals.count({ where: { controlId: none } })).toBe(0);
  });

  it("AR for a frame that is not HL7, and for a message that is not ORU^R01", async () => {
    const raw = rawConnection();
    await raw.ready;
    try {
      expect(msaCode(await raw.exchange("garbage, not a message"))).toBe("AR");
      // the connection still serves the next message
      const control = controlId();
      const next = await raw.exchange(oru({ device: MON_A, control }));
      expect(msaCode(next)).toBe("AA");
      expect(next).toContain(`MSA|AA|${control}`);
      const adt = await raw.exchange(`MSH|^~\\&|X|Y|||${ts()}||ADT^A01|${controlId()}|P|2.6\rPID|1`);
      expect(msaCode(adt)).toBe("AR");
    } finally {
      await raw.close();
    }
  });

  it("a repeated control id is acknowledged again and stored once, also sent to two listeners at the same moment", async () => {
    const control = controlId();
    const text = oru({ device: MON_A, control });
    expect((await send(text)).code).toBe("AA");
    const again = await send(text);
    expect(again).toMatchObject({ code: "AA", text: "duplicate message control id: already stored" });
    expect(await db.deviceVitals.count({ where: { controlId: control } })).toBe(1);

    const raced = controlId();
    const racedText = oru({ device: MON_A, control: raced });
    const answers = await Promise.all([send(racedText, PORT), send(racedText, PORT_B), send(racedText, PORT), send(racedText, PORT_B)]);
    expect(answers.map((a) => a.code)).toEqual(["AA", "AA", "AA", "AA"]);
    expect(await db.deviceVitals.count({ where: { controlId: raced } })).toBe(1);
  });

  it("a resend after a lost ACK is AA again and stored once after the session ended, the monitor moved and was deactivated", async () => {
    const [chair, elsewhere] = await createChairs(db, { clinicId: c.clinic.id, count: 2, prefix: `Resend ${runId}` });
    const { series } = await patientWithSeries(c, IV);
    const input = StartSessionSchema.parse({ weightKg: 70, concentrationMgPerMl: 1, consentConfirmed: true, screeningReviewed: true, chairId: chair!.id });
    const started = await db.$transaction((tx) => startSession(tx, { actor: c.actors.nurse, seriesId: series.id, input, now: new Date(Date.now() - 30 * 60_000) }));
    const identifier = `0012C0FFFE${runId}`;
    const device = await db.$transaction((tx) => createDevice(tx, { actor: c.actors.admin, input: CreateDeviceSchema.parse({ identifier, name: "Monitor C", chairId: chair!.id }) }));
    const control = controlId();
    const text = oru({ device: identifier, control, time: ts(3) });
    expect(await send(text)).toMatchObject({ code: "AA", text: "stored" });

    await pain(c.actors.nurse, started.session.id, new Date(Date.now() - 2 * 60_000), { score: 3, phase: "POST" });
    // a reading nobody validated holds the completion: a closed chart could no longer take it
    const err = await expectAppError(complete(c.actors.nurse, started.session.id, new Date()), "CONFLICT");
    expect(err.userMessage).toBe("1 monitor reading is not validated: accept or reject it before completing.");
    const reading = await db.deviceVitals.findFirstOrThrow({ where: { sessionId: started.session.id, status: "PENDING" } });
    await db.$transaction((tx) => rejectDeviceVitals(tx, { actor: c.actors.nurse, sessionId: started.session.id, readingId: reading.id, input: RejectDeviceVitalsSchema.parse({ reason: "Taken while the cuff was off the arm" }) }));
    await complete(c.actors.nurse, started.session.id, new Date());
    expect(await send(text)).toMatchObject({ code: "AA", echo: control, text: "duplicate message control id: already stored" });
    // a new message from the same monitor now finds no running session: the state is checked, just not for a resend
    expect((await send(oru({ device: identifier, time: ts(1) }))).code).toBe("AE");

    await db.$transaction((tx) => updateDevice(tx, { actor: c.actors.admin, deviceId: device.id, input: { chairId: elsewhere!.id } }));
    expect((await send(text)).code).toBe("AA");
    await db.$transaction((tx) => updateDevice(tx, { actor: c.actors.admin, deviceId: device.id, input: { active: false } }));
    expect(await send(text)).toMatchObject({ code: "AA", text: "duplicate message control id: already stored" });

    expect(await db.deviceVitals.count({ where: { deviceId: device.id, controlId: control } })).toBe(1);
    // no refusal was logged for it, and the device page shows the monitor as answered AA
    expect(await db.deviceMessage.count({ where: { deviceId: device.id, controlId: control } })).toBe(0);
    expect(await db.device.findUniqueOrThrow({ where: { id: device.id } })).toMatchObject({ lastAckCode: "AA", lastError: null });
  });

  it("a message refused before is evaluated afresh when resent: stored once a session runs in the chair", async () => {
    const [chair] = await createChairs(db, { clinicId: c.clinic.id, count: 1, prefix: `Afresh ${runId}` });
    const identifier = `0012D0FFFE${runId}`;
    await db.$transaction((tx) => createDevice(tx, { actor: c.actors.admin, input: CreateDeviceSchema.parse({ identifier, name: "Monitor D", chairId: chair!.id }) }));
    const control = controlId();
    const text = oru({ device: identifier, control, time: ts(2) });
    expect((await send(text)).code).toBe("AE");
    const { series } = await patientWithSeries(c, IV);
    const input = StartSessionSchema.parse({ weightKg: 70, concentrationMgPerMl: 1, consentConfirmed: true, screeningReviewed: true, chairId: chair!.id });
    const started = await db.$transaction((tx) => startSession(tx, { actor: c.actors.nurse, seriesId: series.id, input, now: new Date(Date.now() - 30 * 60_000) }));
    expect(await send(text)).toMatchObject({ code: "AA", text: "stored" });
    expect(await db.deviceVitals.findFirstOrThrow({ where: { controlId: control } })).toMatchObject({ sessionId: started.session.id });
  });

  it("exactly one answer per frame for a message carrying an MSA segment (which the library also reports as an error)", async () => {
    const raw = rawConnection();
    await raw.ready;
    try {
      const control = controlId();
      const withMsa = oru({ device: MON_A, control }).replace("\rPID|", `\rMSA|AA|NOSUCH${runId}\rPID|`);
      expect(await raw.exchange(withMsa)).toContain(`MSA|AA|${control}`);
      // an acknowledgement sent to the listener, as a confused sender might: one AR, not two
      const ack = await raw.exchange(`MSH|^~\\&|X|Y|||${ts()}||ACK^R01|${controlId()}|P|2.6\rMSA|AA|NOSUCH${runId}`);
      expect(msaCode(ack)).toBe("AR");
      // read the socket a while longer: a second answer to either frame would arrive here
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(raw.answers).toHaveLength(2);
      expect(await db.deviceVitals.count({ where: { controlId: control } })).toBe(1);
    } finally {
      await raw.close();
    }
  });

  it("frames sharing a TCP chunk with an unparsable frame are lost with it (a limitation of @medplum/hl7): one AR for the chunk", async () => {
    const raw = rawConnection();
    await raw.ready;
    try {
      const [before, after] = [controlId(), controlId()];
      raw.writeFrames([oru({ device: MON_A, control: before }), "garbage, not a message", oru({ device: MON_A, control: after })]);
      await expect.poll(() => raw.answers.length).toBe(1);
      expect(msaCode(raw.answers[0]!)).toBe("AR");
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(raw.answers).toHaveLength(1);
      expect(await db.deviceVitals.count({ where: { controlId: { in: [before, after] } } })).toBe(0);
      // an MLLP sender waits for each ACK, so it resends both; on their own they are stored
      expect(msaCode(await raw.exchange(oru({ device: MON_A, control: before })))).toBe("AA");
    } finally {
      await raw.close();
    }
  });

  it("1,000 generated malformed messages: every one acknowledged, the listener keeps working", async () => {
    const valid = oru({ device: MON_A, control: "TEMPLATE" });
    let rng = 42;
    const rand = (n: number) => { rng = (rng * 1103515245 + 12345) % 2 ** 31; return rng % n; };
    const junk = () => Array.from({ length: 1 + rand(40) }, () => String.fromCharCode(1 + rand(250))).join("").replace(/[\x0b\x1c]/g, "x");
    const mutate = (i: number): string => {
      const lines = valid.replace("TEMPLATE", `${runId}-bad-${i}`).split("\r");
      switch (i % 10) {
        case 0: return junk();
        case 1: return valid.slice(0, rand(valid.length));
        case 2: return lines.map((l) => (rand(3) === 0 ? l.replace(/\|/g, "^") : l)).join("\r");
        case 3: return lines.filter(() => rand(2) === 0).join("\r") || "MSH|";
        case 4: return valid.replace(/\|(\d+(\.\d+)?)\|2\d{5}\^/g, () => `|${junk()}|262688^`);
        case 5: return valid.replace("ORU^R01^ORU_R01", junk());
        case 6: return valid.replace("TEMPLATE", "");
        case 7: return lines.map((l) => (l.startsWith("OBX") ? l.split("|").map((f, k) => (k > 0 && rand(4) === 0 ? junk() : f)).join("|") : l)).join("\r");
        case 8: return `MSH|^~\\&|${junk()}`;
        default: return lines.slice(0, 1 + rand(lines.length)).join("\r") + "\r" + junk();
      }
    };
    const raw = rawConnection();
    await raw.ready;
    const codes = new Map<string, number>();
    const unreadable: string[] = [];
    try {
      for (let i = 0; i < 1000; i++) {
        const answer = await raw.exchange(mutate(i));
        const code = msaCode(answer) ?? "none";
        if (code === "none" && unreadable.length < 3) unreadable.push(JSON.stringify(answer));
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    } finally {
      await raw.close();
    }
    expect([...codes.values()].reduce((a, b) => a + b, 0)).toBe(1000);
    expect(unreadable).toEqual([]);
    expect(codes.get("none") ?? 0).toBe(0);
    expect((codes.get("AR") ?? 0) + (codes.get("AE") ?? 0)).toBeGreaterThan(500);
    // still serving
    expect((await send(oru({ device: MON_A }))).code).toBe("AA");
  }, 240_000);
});

describe("validation by the nurse", () => {
  async function reading(opts: Partial<Parameters<typeof oru>[0]> = {}) {
    const control = controlId();
    const ack = await send(oru({ device: MON_A, control, ...opts }));
    expect(ack.code).toBe("AA");
    return db.deviceVitals.findFirstOrThrow({ where: { controlId: control } });
  }

  it("a critical SpO2 alerts the board at once, before validation", async () => {
    const r = await reading({ spo2: "82" });
    expect(r.criticalText).toBe("SpO2 82 % (critical below 85 %)");
    const board = await getBoard({ actor: c.actors.nurse });
    const tile = board.tiles.find((t) => t.session?.id === sessionId);
    expect(tile?.monitor?.critical.map((x) => x.readingId)).toContain(r.id);
    // the tile names the monitor the pending readings come from, not only their count
    expect(tile?.monitor?.sources).toEqual([{ deviceName: "Monitor A", pending: tile?.monitor?.pending, latestAt: expect.any(String) }]);
    expect(Date.parse(tile!.monitor!.sources[0]!.latestAt)).toBeGreaterThanOrEqual(r.at.getTime());
    await db.$transaction((tx) => rejectDeviceVitals(tx, { actor: c.actors.nurse, sessionId, readingId: r.id, input: RejectDeviceVitalsSchema.parse({ reason: "probe off the finger" }) }));
    const after = (await getBoard({ actor: c.actors.nurse })).tiles.find((t) => t.session?.id === sessionId);
    expect(after?.monitor?.critical.map((x) => x.readingId)).not.toContain(r.id);
    expect(await db.deviceVitals.findUniqueOrThrow({ where: { id: r.id } })).toMatchObject({ status: "REJECTED", rejectReason: "probe off the finger", validatedById: c.actors.nurse.userId });
  });

  it("accepting makes a charted set attributed to the nurse with the monitor as source, raising flags as for any set; once only", async () => {
    const r = await reading({ spo2: "88" });
    const result = await db.$transaction((tx) => acceptDeviceVitals(tx, { actor: c.actors.nurse, sessionId, readingId: r.id, input: AcceptDeviceVitalsSchema.parse({}) }));
    expect(result.vitals).toMatchObject({ spo2Pct: 88, systolicMmHg: 124, deviceReadingId: r.id, enteredById: c.actors.nurse.userId, at: r.at.toISOString() });
    // SpO2 88 % is below the protocol's 92 % [default]: the same flag typing it would raise
    expect(result.flags.map((f) => f.code)).toContain("SPO2_LOW");
    const stored = await db.vitalSigns.findUniqueOrThrow({ where: { id: result.vitals.id } });
    expect(stored).toMatchObject({ deviceReadingId: r.id, enteredById: c.actors.nurse.userId, temperatureDeciC: 369 });
    expect(await db.deviceVitals.findUniqueOrThrow({ where: { id: r.id } })).toMatchObject({ status: "ACCEPTED", validatedById: c.actors.nurse.userId });
    const chart = await getSessionChart({ actor: c.actors.nurse, sessionId });
    expect(chart.vitals.find((v) => v.id === result.vitals.id)?.deviceReadingId).toBe(r.id);
    expect(chart.deviceReadings.find((d) => d.id === r.id)).toMatchObject({ status: "ACCEPTED", deviceName: "Monitor A", validatedBy: c.actors.nurse.name });

    await expectAppError(db.$transaction((tx) => acceptDeviceVitals(tx, { actor: c.actors.nurse, sessionId, readingId: r.id, input: {} })), "CONFLICT");
    await expectAppError(db.$transaction((tx) => rejectDeviceVitals(tx, { actor: c.actors.nurse, sessionId, readingId: r.id, input: { reason: "changed my mind" } })), "CONFLICT");
    expect(await db.vitalSigns.count({ where: { deviceReadingId: r.id } })).toBe(1);
  });

  it("accepting clears the vitals countdown as typing the set does: the next set is due one interval after the reading's time", async () => {
    // two sessions running alike since 40 min ago; in one the monitor's set is accepted, in the other the same set is typed
    const [monChair, typedChair] = await createChairs(db, { clinicId: c.clinic.id, count: 2, prefix: `Countdown ${runId}` });
    const identifier = `0012E0FFFE${runId}`;
    await db.$transaction((tx) => createDevice(tx, { actor: c.actors.admin, input: CreateDeviceSchema.parse({ identifier, name: "Monitor E", chairId: monChair!.id }) }));
    const openedAt = new Date(Date.now() - 40 * 60_000);
    const startedAt = new Date(openedAt.getTime() + 60_000);
    const sessionIds: string[] = [];
    for (const chair of [monChair!, typedChair!]) {
      const { series } = await patientWithSeries(c, IV);
      const input = StartSessionSchema.parse({ weightKg: 70, concentrationMgPerMl: 1, consentConfirmed: true, screeningReviewed: true, chairId: chair.id });
      const started = await db.$transaction((tx) => startSession(tx, { actor: c.actors.nurse, seriesId: series.id, input, now: openedAt }));
      await dose(c.actors.nurse, started.session.id, startedAt, { type: "START", rateMgPerKgPerH: 0.1 });
      sessionIds.push(started.session.id);
    }
    const [monSession, typedSession] = sessionIds as [string, string];
    const { vitalsIntervalMin } = await db.infusionSession.findUniqueOrThrow({ where: { id: monSession }, select: { series: { select: { protocolVersion: { select: { vitalsIntervalMin: true } } } } } })
      .then((s) => s.series.protocolVersion);
    const dueOf = async (id: string) => (await getBoard({ actor: c.actors.nurse })).tiles.find((t) => t.session?.id === id)?.clinical?.nextVitalsDueAtMs;
    const firstDueMs = startedAt.getTime() + vitalsIntervalMin * 60_000;
    expect(await dueOf(monSession)).toBe(firstDueMs);

    const control = controlId();
    expect((await send(oru({ device: identifier, control, time: ts(2) }))).code).toBe("AA");
    const r = await db.deviceVitals.findFirstOrThrow({ where: { controlId: control } });
    // an unverified reading is not a charted set: the countdown still runs from the start
    expect(await dueOf(monSession)).toBe(firstDueMs);

    await db.$transaction((tx) => acceptDeviceVitals(tx, { actor: c.actors.nurse, sessionId: monSession, readingId: r.id, input: {} }));
    await vitals(c.actors.nurse, typedSession, r.at, { systolicMmHg: 124, diastolicMmHg: 78, heartRatePerMin: 71, spo2Pct: 97, respRatePerMin: 15, backTimeReason: "typed from the monitor" }, new Date());
    const expectedMs = r.at.getTime() + vitalsIntervalMin * 60_000;
    expect(await dueOf(monSession)).toBe(expectedMs);
    expect(await dueOf(typedSession)).toBe(expectedMs);
    expect(firstDueMs).toBeLessThan(expectedMs);
  });

  it("a value the monitor did not send must be entered; one it sent cannot be changed", async () => {
    const control = controlId();
    const text = oru({ device: MON_A, control }).split("\r").filter((l) => !l.includes("MDC_RESP_RATE")).join("\r");
    expect((await send(text)).code).toBe("AA");
    const r = await db.deviceVitals.findFirstOrThrow({ where: { controlId: control } });
    expect(r.respRatePerMin).toBeNull();
    const missing = await expectAppError(db.$transaction((tx) => acceptDeviceVitals(tx, { actor: c.actors.nurse, sessionId, readingId: r.id, input: {} })), "BAD_INPUT");
    expect(missing.fields).toEqual({ respRatePerMin: "is required: the monitor did not send it" });
    const changed = await expectAppError(db.$transaction((tx) => acceptDeviceVitals(tx, { actor: c.actors.nurse, sessionId, readingId: r.id, input: { respRatePerMin: 14, spo2Pct: 99 } })), "BAD_INPUT");
    expect(changed.fields).toEqual({ spo2Pct: "was measured by the monitor" });
    const ok = await db.$transaction((tx) => acceptDeviceVitals(tx, { actor: c.actors.nurse, sessionId, readingId: r.id, input: { respRatePerMin: 14 } }));
    expect(ok.vitals).toMatchObject({ respRatePerMin: 14, spo2Pct: 97 });
  });

  it("another clinic's nurse, an admin and a wrong session get 404 or 403, and nothing changes", async () => {
    const r = await reading();
    await expectAppError(db.$transaction((tx) => acceptDeviceVitals(tx, { actor: other.actors.nurse, sessionId, readingId: r.id, input: {} })), "NOT_FOUND");
    await expectAppError(db.$transaction((tx) => acceptDeviceVitals(tx, { actor: c.actors.admin, sessionId, readingId: r.id, input: {} })), "FORBIDDEN");
    await expectAppError(db.$transaction((tx) => rejectDeviceVitals(tx, { actor: c.actors.nurse, sessionId, readingId: "nosuchreading", input: { reason: "not mine" } })), "NOT_FOUND");
    expect(await db.deviceVitals.findUniqueOrThrow({ where: { id: r.id } })).toMatchObject({ status: "PENDING" });
  });
});

describe("the device page", () => {
  it("marks an active monitor silent for more than twice the clinic's vitals interval, and says so", async () => {
    await db.clinic.update({ where: { id: other.clinic.id }, data: { defaultVitalsIntervalMin: 10 } });
    const d = await db.$transaction((tx) => createDevice(tx, { actor: other.actors.admin, input: CreateDeviceSchema.parse({ identifier: `SIL${runId}`, name: "Quiet" }) }));
    const registered = Date.parse(d.createdAt);
    const page = (afterMs: number) => findClinicDevices({ actor: other.actors.admin, now: new Date(registered + afterMs) });
    expect((await page(20 * 60_000)).silence).toEqual({ thresholdMin: 20, isDefault: false, vitalsIntervalMin: 10 });
    expect((await page(20 * 60_000)).devices.find((x) => x.id === d.id)?.silent).toBeNull();
    expect((await page(21 * 60_000)).devices.find((x) => x.id === d.id)?.silent).toEqual({ silentMin: 21, neverSent: true });
    // a deactivated monitor is meant to be silent
    await db.$transaction((tx) => updateDevice(tx, { actor: other.actors.admin, deviceId: d.id, input: { active: false } }));
    expect((await page(60 * 60_000)).devices.find((x) => x.id === d.id)?.silent).toBeNull();
  });

  it("counts from the last message; 2 × 15 min with the clinic's default interval", async () => {
    expect((await send(oru({ device: MON_B }))).code).toBe("AE");
    const last = (await db.device.findUniqueOrThrow({ where: { identifier: MON_B } })).lastMessageAt!.getTime();
    const page = (afterMs: number) => findClinicDevices({ actor: c.actors.admin, now: new Date(last + afterMs) });
    expect((await page(0)).silence.thresholdMin).toBe(30);
    expect((await page(30 * 60_000)).devices.find((x) => x.identifier === MON_B)?.silent).toBeNull();
    expect((await page(45 * 60_000)).devices.find((x) => x.identifier === MON_B)?.silent).toEqual({ silentMin: 45, neverSent: false });
  });

  it("lists a registered monitor's unreadable message (AR) and a processing error under the monitor", async () => {
    const noControl = oru({ device: MON_B, control: "" });
    const raw = rawConnection();
    await raw.ready;
    try {
      expect(msaCode(await raw.exchange(noControl))).toBe("AR");
      // a NUL in the control id is text PostgreSQL refuses: our failure, an AE the device retries
      const nul = await raw.exchange(oru({ device: MON_B, control: `${runId}\u0000nul` }));
      expect(msaCode(nul)).toBe("AE");
      expect(nul).toContain("could not be stored now");
    } finally {
      await raw.close();
    }
    const page = await findClinicDevices({ actor: c.actors.admin });
    expect(page.refused.find((m) => m.deviceName === "Monitor B" && m.ackCode === "AR")).toMatchObject({ error: "MSH-10 message control id is missing" });
    await expect.poll(async () => (await findClinicDevices({ actor: c.actors.admin })).refused.find((m) => m.controlId === `${runId}?nul`))
      .toMatchObject({ ackCode: "AE", deviceName: "Monitor B", error: expect.stringContaining("server error") });
    expect((await findClinicDevices({ actor: other.actors.admin })).refused.find((m) => m.controlId === `${runId}?nul`)).toBeUndefined();
  });
});

describe("device administration", () => {
  it("registers a device once per identifier, assigns chairs of the clinic only", async () => {
    const input = CreateDeviceSchema.parse({ identifier: `DUP${runId}`, name: "Spare" });
    const d = await db.$transaction((tx) => createDevice(tx, { actor: c.actors.admin, input }));
    expect(d).toMatchObject({ chairId: null, active: true });
    await expectAppError(db.$transaction((tx) => createDevice(tx, { actor: c.actors.admin, input })), "CONFLICT");
    await expectAppError(db.$transaction((tx) => createDevice(tx, { actor: c.actors.nurse, input: { ...input, identifier: `N${runId}` } })), "FORBIDDEN");
    await expectAppError(db.$transaction((tx) => updateDevice(tx, { actor: other.actors.admin, deviceId: d.id, input: { name: "Mine" } })), "NOT_FOUND");
    const otherChair = (await createChairs(db, { clinicId: other.clinic.id, count: 1, prefix: `Other ${runId}` }))[0]!;
    await expectAppError(db.$transaction((tx) => updateDevice(tx, { actor: c.actors.admin, deviceId: d.id, input: { chairId: otherChair.id } })), "NOT_FOUND");
    const moved = await db.$transaction((tx) => updateDevice(tx, { actor: c.actors.admin, deviceId: d.id, input: { chairId: chairs[2]!.id, active: false } }));
    expect(moved).toMatchObject({ chairId: chairs[2]!.id, active: false });
  });
});
