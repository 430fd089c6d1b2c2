import "server-only";
import { randomBytes } from "node:crypto";

/**
 * A new row id for rows written with plain SQL, in the shape of Prisma's `cuid()` default
 * (a "c", then 24 lowercase base-36 characters): time first so ids of one table sort
 * roughly by creation, then 96 random bits. Accepted wherever an id is validated
 * (lib/validation/common.ts `cuidLike`).
 */
export function newId(now = Date.now()): string {
  const time = now.toString(36).padStart(9, "0").slice(-9);
  const random = BigInt(`0x${randomBytes(12).toString("hex")}`).toString(36).padStart(19, "0").slice(-15);
  return `c${time}${random}`;
}
