import "server-only";
import { createHash } from "node:crypto";
import { NextResponse } from "next/server";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { fieldMessages } from "@/lib/validation/common";
import type { Permission } from "@/lib/permissions";
import { requireApiActor, requirePermission, type Actor } from "./actor";
import { withDeferredAudit } from "./audit";
import { db, type Tx } from "./db";

/** Largest JSON body any route accepts; bedside payloads are a few hundred bytes. */
export const MAX_JSON_BYTES = 64 * 1024;

type RouteCtx<P> = { params: Promise<P> };

export function json(body: unknown, status = 200, headers?: Record<string, string>) {
  return NextResponse.json(body, { status, headers: { "Cache-Control": "no-store", ...headers } });
}

export function errorResponse(err: unknown): NextResponse {
  if (err instanceof AppError) return json(err.toBody(), err.status);
  // A unique constraint lost to a concurrent write (two corrections of one entry at once): the
  // database kept one, refused the other. That is a 409 for the loser, not a server fault.
  if (isUniqueViolation(err)) {
    console.warn("[api] concurrent write refused by a unique constraint:", (err as { meta?: unknown }).meta ?? "");
    return json({ error: { code: "CONFLICT", message: "This record was changed at the same moment by another request. Reload and try again; nothing was saved." } }, 409);
  }
  // Never echo internals (or patient data) to the client; log the error class and message only.
  console.error("[api] unexpected error:", err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  return json({ error: { code: "INTERNAL", message: "Something went wrong on the server. Nothing was saved." } }, 500);
}

/** Turns a zod failure into a 400 with one message per field. */
export function zodToAppError(error: z.ZodError): AppError {
  const fields = fieldMessages(error.issues);
  const first = Object.entries(fields)[0];
  return new AppError("BAD_INPUT", {
    userMessage: first ? `Invalid input: ${first[0] === "_" ? "" : `${first[0]}: `}${first[1]}` : "Invalid input.",
    fields,
  });
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw zodToAppError(parsed.error);
  return parsed.data;
}

/** Reads a JSON body: 415 unless JSON, 413 over the size limit, 400 when malformed. */
export async function readJson(req: Request): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type))
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", { userMessage: "Send the body as application/json." });
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_JSON_BYTES) throw tooLarge();
  const text = await req.text();
  if (Buffer.byteLength(text, "utf8") > MAX_JSON_BYTES) throw tooLarge();
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("BAD_INPUT", { userMessage: "The body is not valid JSON." });
  }
}

const tooLarge = () =>
  new AppError("PAYLOAD_TOO_LARGE", { userMessage: `The body is larger than ${MAX_JSON_BYTES / 1024} KiB.` });

/**
 * Wraps a route handler: resolves the actor (401 JSON when signed out), maps errors to the
 * `{ error: { code, message, fields } }` shape, never leaks a stack trace.
 */
export function apiRoute<P = Record<string, never>>(
  handler: (args: { req: Request; actor: Actor; params: P }) => Promise<Response>,
  opts: { permission?: Permission; allowPasswordChange?: boolean } = {},
) {
  return async (req: Request, ctx: RouteCtx<P>): Promise<Response> => {
    try {
      // 403 PASSWORD_CHANGE_REQUIRED for a user who must first replace an administrator-set
      // password; only the password-change route passes allowPasswordChange.
      const actor = await requireApiActor({ allowPasswordChange: opts.allowPasswordChange });
      // The role check comes before the body is read: a nurse's acknowledgement is a 403
      // whatever its body says. Services check again (defence in depth).
      if (opts.permission) requirePermission(actor, opts.permission);
      const params = ctx?.params === undefined ? ({} as P) : await ctx.params;
      return await handler({ req, actor, params });
    } catch (err) {
      return errorResponse(err);
    }
  };
}

/**
 * The caller's address for the public routes' rate limits: the last X-Forwarded-For hop, the
 * one the nearest proxy appended (earlier hops are the client's to forge), else X-Real-IP,
 * else "unknown". Next sets X-Forwarded-For to the socket's address only when the request
 * has none, so without such a proxy a client picks its own key (decision 0020, README).
 * Used only hashed, as a counter key.
 */
export function clientAddress(req: Request | { headers: Headers }): string {
  const hops = (req.headers.get("x-forwarded-for") ?? "").split(",").map((h) => h.trim()).filter(Boolean);
  return hops[hops.length - 1] ?? req.headers.get("x-real-ip")?.trim() ?? "unknown";
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

/**
 * The part of a body that identifies the intent. `queuedAt` says how the entry travelled (it
 * waited in a device's offline queue, decision 0017), not what was charted: a first attempt
 * whose answer was lost may have landed without it, and its resend from the queue carries it.
 * The resend must replay the stored answer, not be refused as another request.
 */
function intentOf(body: unknown): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body) || !("queuedAt" in body)) return body;
  const { queuedAt: _delivery, ...content } = body as Record<string, unknown>;
  return content;
}

/**
 * Runs a write at most once per (user, Idempotency-Key). The stored answer is written in the
 * same transaction as the write, so a retry after a crash either finds both or neither.
 * Without the header the write simply runs.
 */
export async function runIdempotent(
  req: Request,
  actor: Actor,
  body: unknown,
  work: (tx: Tx) => Promise<{ status: number; body: unknown }>,
): Promise<Response> {
  const key = req.headers.get("idempotency-key");
  if (key === null) {
    const result = await db.$transaction((tx) => withDeferredAudit(tx, () => work(tx)));
    return json(result.body, result.status);
  }
  if (!IDEMPOTENCY_KEY.test(key))
    throw new AppError("BAD_INPUT", {
      userMessage: "Idempotency-Key must be 8-128 characters of letters, digits, '-', '_', '.', ':'.",
      fields: { "Idempotency-Key": "invalid format" },
    });
  const requestHash = createHash("sha256")
    .update(`${req.method} ${new URL(req.url).pathname}\n${JSON.stringify(intentOf(body))}`)
    .digest("hex");
  const replay = async () => {
    const existing = await db.idempotencyRecord.findUnique({ where: { userId_key: { userId: actor.userId, key } } });
    if (!existing) return null;
    if (existing.requestHash !== requestHash)
      throw new AppError("CONFLICT", { userMessage: "This Idempotency-Key was already used for a different request." });
    return json(existing.responseBody, existing.status, { "Idempotent-Replay": "true" });
  };
  const earlier = await replay();
  if (earlier) return earlier;
  try {
    const result = await db.$transaction((tx) =>
      withDeferredAudit(tx, async () => {
        const r = await work(tx);
        await tx.$executeRaw`
          INSERT INTO "IdempotencyRecord" ("userId", "key", "requestHash", "status", "responseBody", "createdAt")
          VALUES (${actor.userId}, ${key}, ${requestHash}, ${r.status}, ${JSON.stringify(r.body)}::jsonb, ${new Date().toISOString()}::timestamp(3))`;
        return r;
      }),
    );
    return json(result.body, result.status);
  } catch (err) {
    // A concurrent retry with the same key won the race: answer what it stored.
    if (isUniqueViolation(err)) {
      const winner = await replay();
      if (winner) return winner;
    }
    throw err;
  }
}

/** A unique constraint refused the write: P2002 from a model query, P2010 from raw SQL. */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const e = err as { code?: string; meta?: { driverAdapterError?: { cause?: { kind?: string } } } };
  return e.code === "P2002" || (e.code === "P2010" && e.meta?.driverAdapterError?.cause?.kind === "UniqueConstraintViolation");
}
