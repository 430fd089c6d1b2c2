import type { ExportedSession } from "./projection";

/** One file format of an export: its bytes before, for each batch of sessions, and after. */
export interface FormatWriter {
  contentType: string;
  head(): Promise<Uint8Array[]> | Uint8Array[];
  batch(sessions: ExportedSession[]): Promise<Uint8Array[]> | Uint8Array[];
  tail(): Promise<Uint8Array[]> | Uint8Array[];
}

export const utf8 = new TextEncoder();
