/**
 * One error type for every expected failure. `message` goes to the log, `userMessage` to the
 * screen and the API body; `fields` maps form fields to messages shown beside the input.
 */
export type AppErrorCode =
  | "BAD_INPUT"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "PASSWORD_CHANGE_REQUIRED"
  | "NOT_FOUND"
  | "CONFLICT"
  | "HARD_LIMIT"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "TOO_MANY_REQUESTS";

export const HTTP_STATUS: Record<AppErrorCode, number> = {
  BAD_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  PASSWORD_CHANGE_REQUIRED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  HARD_LIMIT: 422,
  TOO_MANY_REQUESTS: 429,
};

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly userMessage: string;
  readonly fields?: Record<string, string>;
  /** extra machine-readable detail for the client (e.g. the flags a HARD_LIMIT would raise) */
  readonly detail?: unknown;

  constructor(
    code: AppErrorCode,
    opts: { message?: string; userMessage: string; fields?: Record<string, string>; detail?: unknown },
  ) {
    super(opts.message ?? opts.userMessage);
    this.name = "AppError";
    this.code = code;
    this.userMessage = opts.userMessage;
    this.fields = opts.fields;
    this.detail = opts.detail;
  }

  get status(): number {
    return HTTP_STATUS[this.code];
  }

  toBody() {
    return {
      error: {
        code: this.code,
        message: this.userMessage,
        ...(this.fields ? { fields: this.fields } : {}),
        ...(this.detail !== undefined ? { detail: this.detail } : {}),
      },
    };
  }
}

export const notFound = (what: string) =>
  new AppError("NOT_FOUND", { userMessage: `${what} not found.` });

export const badInput = (userMessage: string, fields?: Record<string, string>) =>
  new AppError("BAD_INPUT", { userMessage, fields });

export const conflict = (userMessage: string) => new AppError("CONFLICT", { userMessage });
