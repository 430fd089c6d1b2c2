import "server-only";
import type { AddressInfo } from "node:net";
import { Hl7Server, type Hl7Connection, type Hl7ErrorEvent, type Hl7MessageEvent } from "@medplum/hl7";
import { describeError } from "../leader-loop";
import { extractMessage, type ExtractedMessage } from "./hl7-extract";
import { ingestDeviceMessage, recordProcessingFailure, recordUnparsable, type AckCode, type IngestAnswer } from "./ingest";

// The HL7 v2 MLLP listener (docs/decisions/0021-monitor-vitals-over-hl7.md), on @medplum/hl7's
// server: every framed message gets an acknowledgement. AA stored, AE understood but not
// usable (the reason in MSA-3), AR not understood. Storage is idempotent by (device, control
// id), so several app instances may each listen (on their own hosts, or taking the port over
// when its holder stops): a monitor that resends to another instance is stored once.

export type ListenerLog = (line: string) => void;

/** MSA-3 is one HL7 field: the separators and line breaks of a reason must not end it early. */
export function hl7Text(text: string): string {
  return text.replace(/[|^~\\&\r\n\x0b\x1c]/g, " ").slice(0, 200);
}

let ackSequence = 0;
/** A fresh control id for each acknowledgement (the library's is the time in ms, which repeats). */
function ackControlId(): string {
  ackSequence = (ackSequence + 1) % 1_000_000;
  return `T${Date.now().toString(36)}${process.pid.toString(36)}${ackSequence.toString(36)}`;
}

const VT = 0x0b;
const FS = 0x1c;
const CR = 0x0d;

function hl7Now(): string {
  return new Date().toISOString().replace(/[-:T]/g, "").replace(/\.\d+Z$/, "+0000");
}

/**
 * The AR for a frame the parser refused (no MSH at all): there is no control id to echo, so
 * MSA-2 is empty; written as an MLLP frame on the connection's socket, since there is no
 * parsed message to build it from.
 */
function writeUnparsableAck(connection: Hl7Connection, reason: string): void {
  const text = `MSH|^~\\&|TITRATE|TITRATE|||${hl7Now()}||ACK|${ackControlId()}|P|2.6\rMSA|AR||${hl7Text(reason)}\r`;
  const body = Buffer.from(text, "utf-8");
  connection.socket.write(Buffer.concat([Buffer.from([VT]), body, Buffer.from([FS, CR])]));
}

function sendAck(event: Hl7MessageEvent, code: AckCode, text: string): void {
  const ack = event.message.buildAck({ ackCode: code });
  ack.header.setField(10, ackControlId());
  ack.getSegment("MSA")?.setField(3, hl7Text(text));
  if (!event.connection.isClosed()) event.connection.send(ack);
}

/** Handles one parsed message: always answers, whatever happens (a failure of ours is an AE the device retries). */
export async function answerMessage(event: Hl7MessageEvent, log: ListenerLog): Promise<IngestAnswer | null> {
  let answer: IngestAnswer | null = null;
  let extracted: ExtractedMessage | null = null;
  try {
    extracted = extractMessage(event.message);
    answer = await ingestDeviceMessage(extracted);
    sendAck(event, answer.code, answer.text);
  } catch (err) {
    log(`[hl7] could not process a message: ${describeError(err)}`);
    try {
      sendAck(event, "AE", "could not be stored now: send it again");
    } catch (sendErr) {
      log(`[hl7] could not answer: ${describeError(sendErr)}`);
    }
    // the device page shows it (when the database is down this fails too, and the log has it)
    if (extracted) await recordProcessingFailure(extracted).catch((dbErr) => log(`[hl7] could not log a processing error: ${describeError(dbErr)}`));
  }
  return answer;
}

export interface RunningListener {
  /** the port bound (the one asked for, or the system's choice when asked for 0) */
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts the listener on `port` (0: a free port the system chooses, as the tests do, so that
 * parallel runs on one host never meet). Resolves once it listens. (@medplum/hl7 retries a port in
 * use every 50 ms; a caller that must not wait for it does not await.)
 */
export async function startHl7Listener(port: number, log: ListenerLog = console.log): Promise<RunningListener> {
  const server = new Hl7Server((connection) => {
    connection.addEventListener("message", (event: Hl7MessageEvent) => {
      void answerMessage(event, log);
    });
    connection.addEventListener("error", (event: Hl7ErrorEvent) => {
      const err = event.error as Error & { code?: unknown; outcome?: unknown };
      // Exactly one answer per frame. A socket error (reset, broken pipe) has a system code:
      // nothing to answer. The library's OperationOutcomeError (it carries an `outcome`) is
      // about a frame it still delivered as a message, which answerMessage acknowledges: a frame
      // with an MSA segment whose MSA-2 is none of its own sends. Answering it here too would give
      // the sender a second, contradicting ACK. What remains is a frame the parser refused (no
      // message delivered): answer AR so the sender does not wait for its timeout.
      if (err?.outcome !== undefined) {
        log(`[hl7] ${describeError(err)}`);
        return;
      }
      if (typeof err?.code === "string" || connection.isClosed()) return;
      const reason = "not an HL7 v2 message (no MSH segment)";
      try {
        writeUnparsableAck(connection, reason);
      } catch (writeErr) {
        log(`[hl7] could not answer an unparsable frame: ${describeError(writeErr)}`);
      }
      void recordUnparsable(reason).catch((dbErr) => log(`[hl7] could not log an unparsable frame: ${describeError(dbErr)}`));
    });
  });
  await server.start(port);
  const bound = (server.server?.address() as AddressInfo | null)?.port ?? port;
  log(`[hl7] MLLP listener on port ${bound} (pid ${process.pid})`);
  return {
    port: bound,
    stop: () => server.stop({ forceDrainTimeoutMs: 1_000 }),
  };
}
