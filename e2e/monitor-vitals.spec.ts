import net from "node:net";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { e2eDb } from "./db-probe";
import { apiAs, baseURL, newChair, signedInPage, USERS } from "./fixtures";

/**
 * Vitals from the bedside monitor (docs/decisions/0021-monitor-vitals-over-hl7.md), in
 * Chromium: the nurse has the session chart open and the board is open on another screen; a
 * monitor sends an IHE PCD-01 ORU^R01 over MLLP to the app's listener (E2E_MLLP_PORT, the
 * HL7_MLLP_PORT of the first instance: scripts/test-all.sh); the reading appears on her chart,
 * unverified, and its critical SpO2 on the board, without a reload; she accepts it and the
 * stored vitals carry the monitor as their source, in her name.
 */
test.describe.configure({ mode: "serial" });
test.setTimeout(180_000);

const MLLP_PORT = Number(process.env.E2E_MLLP_PORT ?? 2577);
const db = e2eDb();
let nurseApi: APIRequestContext;
let adminApi: APIRequestContext;

test.beforeAll(async () => {
  [nurseApi, adminApi] = await Promise.all([apiAs(baseURL(), USERS.nurse), apiAs(baseURL(), USERS.admin)]);
});
test.afterAll(async () => {
  await Promise.all([nurseApi?.dispose(), adminApi?.dispose()]);
  await db.end();
});

function hl7Time(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, "").replace(/\.\d+Z$/, "+0000");
}

/** Sends one MLLP frame (VT message FS CR) and returns the framed answer, as any HL7 v2 sender does. */
function sendMllp(message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(MLLP_PORT, "127.0.0.1");
    let buffer = Buffer.alloc(0);
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no acknowledgement from port ${MLLP_PORT}`)); }, 15_000);
    socket.on("error", (err) => { clearTimeout(timer); reject(err); });
    socket.on("data", (d) => {
      buffer = Buffer.concat([buffer, d]);
      const end = buffer.indexOf(Buffer.from([0x1c, 0x0d]));
      if (end < 0) return;
      clearTimeout(timer);
      socket.end();
      resolve(buffer.subarray(1, end).toString("utf-8"));
    });
    socket.on("connect", () => socket.write(Buffer.concat([Buffer.from([0x0b]), Buffer.from(message, "utf-8"), Buffer.from([0x1c, 0x0d])])));
  });
}

test("a monitor reading appears on the open chart and the board, the nurse validates it, the set carries the monitor as source", async ({ browser }) => {
  // a running session of its own, in a chair of its own, and a monitor assigned to that chair
  const chair = await newChair(adminApi, "Monitor chair");
  const created = await nurseApi.post("/api/patients", { data: { mrn: `E2E-MON-${Date.now()}`, givenName: "Monitor", familyName: "Reading", birthDate: "1970-02-03", sex: "MALE", consentOnFile: true } });
  expect(created.status()).toBe(201);
  const physicianApi = await apiAs(baseURL(), USERS.physician);
  const { protocols } = await (await physicianApi.get("/api/protocols")).json();
  const protocol = protocols.find((p: { name: string }) => p.name === "IV infusion (routes table)");
  const ordered = await physicianApi.post(`/api/patients/${(await created.json()).patient.id}/series`, {
    data: { protocolVersionId: protocol.versions[0].id, plannedSessions: 3, startDate: new Date().toISOString().slice(0, 10) },
  });
  expect(ordered.status()).toBe(201);
  const seriesId = (await ordered.json()).series.id as string;
  await physicianApi.dispose();
  const started = await nurseApi.post(`/api/series/${seriesId}/sessions`, {
    data: { weightKg: 70, concentrationMgPerMl: 1, consentConfirmed: true, screeningReviewed: true, chairId: chair.id },
  });
  expect(started.status()).toBe(201);
  const sessionId = (await started.json()).session.id as string;
  const identifier = `E2E-MON-${Date.now().toString(36)}`;
  const registered = await adminApi.post("/api/admin/devices", { data: { identifier, name: `Monitor ${chair.name}`, chairId: chair.id } });
  expect(registered.status()).toBe(201);

  const nurse = await signedInPage(browser, USERS.nurse);
  await nurse.goto(`/sessions/${sessionId}`);
  await expect(nurse.getByRole("heading", { name: /Vitals/ }).first()).toBeVisible();
  const board = await signedInPage(browser, USERS.physician);
  await board.goto("/board");
  const tile = board.getByTestId("board-tile").filter({ has: board.getByRole("heading", { name: new RegExp(chair.name) }) });
  await expect(tile).toBeVisible();
  // a page that reloads loses this mark: its presence afterwards proves the update came live
  await nurse.evaluate(() => { (window as unknown as { __noReload: number }).__noReload = 1; });
  await board.evaluate(() => { (window as unknown as { __noReload: number }).__noReload = 1; });

  // measured now (to the second, as HL7 carries it): after the session opened, which is what
  // maps the reading to it; a time before the opening would rightly be refused (AE)
  const t = hl7Time(Date.now());
  const eq = `${identifier}^EUI-64`;
  const control = `E2E${Date.now()}`;
  const ack = await sendMllp([
    `MSH|^~\\&|MONITOR^${identifier}^EUI-64|SUITE|TITRATE|CLINIC|${t}||ORU^R01^ORU_R01|${control}|P|2.6`,
    `OBR|1|||182777000^monitoring of patient^SCT|||${t}`,
    `OBX|1|NM|150021^MDC_PRESS_BLD_NONINV_SYS^MDC|1.1.9.150021|131|266016^MDC_DIM_MMHG^MDC|||||R|||${t}||||${eq}`,
    `OBX|2|NM|150022^MDC_PRESS_BLD_NONINV_DIA^MDC|1.1.9.150022|84|266016^MDC_DIM_MMHG^MDC|||||R|||${t}||||${eq}`,
    `OBX|3|NM|147842^MDC_ECG_HEART_RATE^MDC|1.2.1.147842|77|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||${t}||||${eq}`,
    `OBX|4|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.3.1.150456|83|262688^MDC_DIM_PERCENT^MDC|||||R|||${t}||||${eq}`,
    `OBX|5|NM|151562^MDC_RESP_RATE^MDC|1.5.1.151562|13|264928^MDC_DIM_RESP_PER_MIN^MDC|||||R|||${t}||||${eq}`,
  ].join("\r"));
  expect(ack).toContain(`MSA|AA|${control}`);

  // on the chart: unverified, with its source and the critical value
  const reading = nurse.getByTestId("device-reading");
  await expect(reading).toBeVisible({ timeout: 10_000 });
  await expect(reading).toContainText("Unverified");
  await expect(reading).toContainText(`from Monitor ${chair.name}`);
  await expect(reading.getByTestId("device-critical")).toContainText("SpO2 83 % (critical below 85 %)");
  // on the board: the critical alert at once, before validation
  await expect(tile.getByTestId("tile-monitor-critical")).toContainText("SpO2 83 %", { timeout: 10_000 });
  // and which monitor the pending reading comes from, marked unverified in words
  await expect(tile.getByTestId("tile-monitor-pending")).toContainText("Unverified");
  await expect(tile.getByTestId("tile-monitor-source")).toContainText(`from Monitor ${chair.name}, latest`);
  expect(await nurse.evaluate(() => (window as unknown as { __noReload?: number }).__noReload)).toBe(1);
  expect(await board.evaluate(() => (window as unknown as { __noReload?: number }).__noReload)).toBe(1);

  // the session cannot be completed while the reading waits: the completion panel says why
  await expect(nurse.getByText("1 monitor reading is not validated yet: accept or reject it first.")).toBeAttached();

  await reading.getByRole("button", { name: "Accept and chart" }).click();
  await expect(nurse.getByTestId("save-confirmation")).toContainText("accepted and charted");
  await expect(nurse.getByTestId("device-reading")).toHaveCount(0);
  await expect(nurse.getByTestId("device-source").first()).toContainText(`Monitor ${chair.name} (validated)`);
  // the board's alert goes once the reading is validated (its SpO2 is now a charted flag)
  await expect(tile.getByTestId("tile-monitor-critical")).toHaveCount(0, { timeout: 10_000 });
  await expect(tile.getByTestId("tile-monitor-pending")).toHaveCount(0);
  await expect(nurse.getByText("1 monitor reading is not validated yet: accept or reject it first.")).toHaveCount(0);

  const stored = await db.query<{ enteredById: string; email: string; spo2Pct: number; deviceReadingId: string; status: string; identifier: string }>(
    `SELECT v."enteredById", u.email, v."spo2Pct", v."deviceReadingId", r.status, d.identifier
       FROM "VitalSigns" v JOIN "User" u ON u.id = v."enteredById"
       JOIN "DeviceVitals" r ON r.id = v."deviceReadingId" JOIN "Device" d ON d.id = r."deviceId"
      WHERE v."sessionId" = $1`, [sessionId]);
  expect(stored.rows).toEqual([expect.objectContaining({ email: USERS.nurse, spo2Pct: 83, status: "ACCEPTED", identifier })]);
  await nurse.context().close();
  await board.context().close();
});
