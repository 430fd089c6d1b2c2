import { describe, expect, it } from "vitest";
import {
  CONFLICT_MESSAGE, errorFromResponse, invalidInputError, needsReload, NETWORK_MESSAGE, networkError, SIGNED_OUT_MESSAGE,
} from "./api-error";

const body = (error: Record<string, unknown>) => ({ error });

describe("errorFromResponse: what each answer means at the screen", () => {
  it("400 with fields: invalid, the server's field messages kept for the fields, not retryable", () => {
    const e = errorFromResponse(400, body({ code: "BAD_INPUT", message: "Check the fields.", fields: { systolicMmHg: "must be at most 300 mmHg" } }));
    expect(e).toEqual({ status: 400, code: "BAD_INPUT", kind: "invalid", message: "Check the fields.", fields: { systolicMmHg: "must be at most 300 mmHg" }, retryable: false });
  });

  it("401: signed out, with the sign-in message whatever the server said", () => {
    const e = errorFromResponse(401, body({ code: "UNAUTHENTICATED", message: "Sign in." }));
    expect(e.kind).toBe("signed-out");
    expect(e.message).toBe(SIGNED_OUT_MESSAGE);
    expect(e.retryable).toBe(false);
  });

  it("409 without fields: a conflict to reload, in the server's words", () => {
    const msg = "This record was changed at the same moment by another request. Reload and try again; nothing was saved.";
    const e = errorFromResponse(409, body({ code: "CONFLICT", message: msg }));
    expect(e.kind).toBe("conflict");
    expect(e.message).toBe(msg);
    expect(needsReload(e)).toBe(true);
  });

  it("409 with no body at all still says what a conflict means", () => {
    const e = errorFromResponse(409, null);
    expect(e.message).toBe(CONFLICT_MESSAGE);
    expect(e.code).toBe("HTTP_409");
  });

  it("409 with a field (an MRN in use) is fixed at the field, not by reloading", () => {
    const e = errorFromResponse(409, body({ code: "CONFLICT", message: "A patient with MRN 1 already exists in this clinic.", fields: { mrn: "already in use" } }));
    expect(e.kind).toBe("conflict");
    expect(e.fields).toEqual({ mrn: "already in use" });
    expect(needsReload(e)).toBe(false);
  });

  it("422 HARD_LIMIT: an override is needed, the override field named, the flags kept as detail", () => {
    const detail = { flags: [{ code: "RATE_ABOVE_HARD_LIMIT" }] };
    const e = errorFromResponse(422, body({ code: "HARD_LIMIT", message: "Hard limit: ... A physician's override reason is required.", fields: { overrideReason: "required to pass a hard limit" }, detail }));
    expect(e.kind).toBe("override-needed");
    expect(e.fields).toEqual({ overrideReason: "required to pass a hard limit" });
    expect(e.detail).toEqual(detail);
    expect(e.retryable).toBe(false);
  });

  it.each([
    [403, "forbidden"],
    [404, "not-found"],
    [413, "too-large"],
    [429, "rate-limited"],
  ] as const)("%d is %s", (status, kind) => {
    expect(errorFromResponse(status, body({ message: "x" })).kind).toBe(kind);
  });

  it("5xx is retryable with the same key; 499 is not (the boundary)", () => {
    expect(errorFromResponse(499, null).retryable).toBe(false);
    expect(errorFromResponse(500, body({ code: "INTERNAL", message: "Something went wrong on the server. Nothing was saved." }))).toMatchObject({ kind: "server", retryable: true });
    expect(errorFromResponse(503, "not json").retryable).toBe(true);
  });

  it("an answer that is not our error shape gets a plain message, and non-string field messages are dropped", () => {
    expect(errorFromResponse(502, "<html>").message).toBe("The server answered 502. Nothing was saved.");
    expect(errorFromResponse(400, body({ fields: { a: "bad", b: 3, c: null } })).fields).toEqual({ a: "bad" });
    expect(errorFromResponse(400, { error: "text" }).fields).toEqual({});
  });
});

describe("networkError / invalidInputError", () => {
  it("no answer: status 0, retryable, says the retry will not chart twice", () => {
    expect(networkError()).toEqual({ status: 0, code: "NETWORK", kind: "network", message: NETWORK_MESSAGE, fields: {}, retryable: true });
  });

  it("refused in the browser: invalid, nothing sent, not retryable", () => {
    const e = invalidInputError({ weightKg: "must be a number in kg" });
    expect(e).toMatchObject({ status: 0, kind: "invalid", fields: { weightKg: "must be a number in kg" }, retryable: false });
    expect(needsReload(e)).toBe(false);
  });
});
