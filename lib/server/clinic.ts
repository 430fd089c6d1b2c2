import "server-only";
import type { Actor } from "./actor";
import { db } from "./db";

export async function getClinic({ actor }: { actor: Actor }) {
  const c = await db.clinic.findUniqueOrThrow({
    where: { id: actor.clinicId },
    select: { id: true, name: true, timezone: true, idleSignOutMin: true, defaultVitalsIntervalMin: true },
  });
  return c;
}
