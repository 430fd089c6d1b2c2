import { badInput } from "@/lib/errors";
import { apiRoute, parseWith, readJson, runIdempotent } from "@/lib/server/http";
import { retractEntry, type RetractableKind } from "@/lib/server/sessions";
import { CORRECTABLE, RetractSchema } from "@/lib/validation/session";

export const POST = apiRoute<{ id: string; kind: string; entryId: string }>(async ({ req, actor, params }) => {
  if (!(CORRECTABLE as readonly string[]).includes(params.kind))
    throw badInput(`Unknown entry kind "${params.kind}".`, { kind: `must be one of ${CORRECTABLE.join(", ")}` });
  const body = await readJson(req);
  const input = parseWith(RetractSchema, body);
  return runIdempotent(req, actor, body, async (tx) => ({
    status: 201,
    body: await retractEntry(tx, { actor, sessionId: params.id, kind: params.kind as RetractableKind, entryId: params.entryId, correctionReason: input.correctionReason }),
  }));
}, { permission: "session:chart" });
