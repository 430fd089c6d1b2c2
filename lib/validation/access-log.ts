import { z } from "zod";
import { cuidLike, instant } from "./common";

export const ACCESS_LOG_MAX_LIMIT = 200;

/**
 * The access report's query string (GET /api/admin/access-log): all optional. `from`/`to` are
 * instants with an offset (from inclusive, to exclusive); `cursor` is the `nextCursor` of the
 * previous page (the id of its last row, newest first).
 */
export const AccessLogQuerySchema = z
  .strictObject({
    patientId: cuidLike.optional(),
    userId: cuidLike.optional(),
    from: instant.optional(),
    to: instant.optional(),
    cursor: z.string().regex(/^[1-9][0-9]{0,17}$/, "is not a cursor from this report").optional(),
    limit: z.coerce.number().int("must be a whole number").min(1).max(ACCESS_LOG_MAX_LIMIT).optional(),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), { message: "must be after from", path: ["to"] });
export type AccessLogQuery = z.infer<typeof AccessLogQuerySchema>;
