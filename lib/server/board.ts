import "server-only";
import { sortTiles, tileClinical, tileLive, type BoardFlag, type TileClinical, type TileLive } from "@/lib/domain/board";
import { pendingReadingSources } from "@/lib/domain/device-vitals";
import type { DoseEventPoint } from "@/lib/domain/dose";
import { requirePermission, type Actor } from "./actor";
import { recordAccess } from "./access-audit";
import { db } from "./db";
import { limitsOf } from "./protocols";

// The chair board (docs/decisions/0013-chairs-and-the-board.md): every active chair of the
// clinic and every running (IN_PROGRESS) session, with the values of the session chart.
// One read whatever the number of chairs: the chairs, and the running sessions with their
// rows through one Prisma include (one query per relation, not per session), then the tiles
// are computed by lib/domain/board.ts.


export interface BoardTileDto {
  /** a stable key: the chair id, or "session:<id>" for a running session without a chair */
  key: string;
  chair: { id: string; name: string; sortOrder: number; active: boolean } | null;
  session: {
    id: string;
    seriesId: string;
    sequence: number;
    openedAt: string;
    nurse: string;
    patient: { id: string; name: string; mrn: string; allergies: string };
    protocol: { name: string; version: number; route: string };
    weightG: number;
    concentrationUgPerMl: number;
  } | null;
  clinical: TileClinical | null;
  /** the tile at `serverNow` (the page recomputes it every second from `clinical`) */
  live: TileLive | null;
  /**
   * Monitor readings not yet validated (docs/decisions/0021-monitor-vitals-over-hl7.md): how
   * many, and the critical values among them, which alert on the board at once, before any
   * nurse validates them. Null for a free chair.
   */
  monitor: {
    pending: number;
    /** which monitors the pending readings come from: name, how many, the latest one's time */
    sources: { deviceName: string; pending: number; latestAt: string }[];
    critical: { readingId: string; at: string; deviceName: string; text: string }[];
  } | null;
}

export interface Board {
  serverNow: string;
  tiles: BoardTileDto[];
  counts: { chairs: number; free: number; running: number; unassigned: number };
}

/** `live: false` leaves each tile's `live` null (the page: the browser computes it from `clinical`). */
export async function getBoard({ actor, now = new Date(), live = true, route = "internal" }: { actor: Actor; now?: Date; live?: boolean; route?: string }): Promise<Board> {
  requirePermission(actor, "board:read");
  const [chairs, sessions] = await Promise.all([
    db.chair.findMany({ where: { clinicId: actor.clinicId, active: true }, orderBy: [{ sortOrder: "asc" }, { name: "asc" }], select: { id: true, name: true, sortOrder: true, active: true } }),
    db.infusionSession.findMany({
      where: { clinicId: actor.clinicId, status: "IN_PROGRESS" },
      orderBy: { openedAt: "asc" },
      select: {
        id: true, seriesId: true, sequence: true, openedAt: true, weightG: true, concentrationUgPerMl: true,
        nurse: { select: { name: true } },
        chair: { select: { id: true, name: true, sortOrder: true, active: true } },
        series: { select: { patient: { select: { id: true, givenName: true, familyName: true, mrn: true, allergies: true } }, protocolVersion: { include: { protocol: { select: { name: true, route: true } } } } } },
        doseEvents: { orderBy: [{ at: "asc" }, { enteredAt: "asc" }], select: { id: true, type: true, at: true, enteredAt: true, rateUgPerKgPerH: true, bolusUg: true, correctsId: true, isRetraction: true } },
        vitals: { orderBy: [{ at: "asc" }, { enteredAt: "asc" }], select: { id: true, at: true, enteredAt: true, systolicMmHg: true, diastolicMmHg: true, heartRatePerMin: true, spo2Pct: true, respRatePerMin: true, sedationRass: true, correctsId: true, isRetraction: true } },
        painScores: { orderBy: [{ at: "asc" }, { enteredAt: "asc" }], select: { id: true, at: true, enteredAt: true, score: true, scale: true, phase: true, correctsId: true, isRetraction: true } },
        // resolved flags are history: neither open nor shown beside the last vitals
        deviceVitals: { where: { status: "PENDING" }, orderBy: { at: "asc" }, select: { id: true, at: true, criticalText: true, device: { select: { name: true } } } },
        flags: { where: { resolvedAt: null }, select: { id: true, code: true, severity: true, message: true, valueText: true, limitText: true, sourceType: true, sourceId: true, acknowledgedAt: true, raisedAt: true } },
      },
    }),
  ]);
  const nowMs = now.getTime();
  const tiles: BoardTileDto[] = [];
  const byChair = new Map<string, BoardTileDto>();
  for (const s of sessions) {
    const pv = s.series.protocolVersion;
    const p = s.series.patient;
    const clinical = tileClinical({
      weightG: s.weightG, concentrationUgPerMl: s.concentrationUgPerMl, limits: limitsOf(pv),
      doseEvents: s.doseEvents.map((e) => ({ id: e.id, type: e.type as DoseEventPoint["type"], atMs: e.at.getTime(), enteredAtMs: e.enteredAt.getTime(), rateUgPerKgPerH: e.rateUgPerKgPerH, bolusUg: e.bolusUg, correctsId: e.correctsId, isRetraction: e.isRetraction })),
      vitals: s.vitals.map((v) => ({ ...v, atMs: v.at.getTime(), enteredAtMs: v.enteredAt.getTime() })),
      pain: s.painScores.map((r) => ({ id: r.id, atMs: r.at.getTime(), enteredAtMs: r.enteredAt.getTime(), score: r.score, scale: r.scale, phase: r.phase, correctsId: r.correctsId, isRetraction: r.isRetraction })),
      flags: s.flags.map((f): BoardFlag => ({
        id: f.id, code: f.code, severity: f.severity, message: f.message, valueText: f.valueText, limitText: f.limitText,
        sourceType: f.sourceType, sourceId: f.sourceId, status: f.acknowledgedAt ? "ACKNOWLEDGED" : "OPEN", raisedAtMs: f.raisedAt.getTime(),
      })),
    });
    const tile: BoardTileDto = {
      key: s.chair ? s.chair.id : `session:${s.id}`,
      // a running session in a chair deactivated meanwhile still shows, under its chair's name
      chair: s.chair,
      session: {
        id: s.id, seriesId: s.seriesId, sequence: s.sequence, openedAt: s.openedAt.toISOString(), nurse: s.nurse.name,
        patient: { id: p.id, name: `${p.familyName}, ${p.givenName}`, mrn: p.mrn, allergies: p.allergies },
        protocol: { name: pv.protocol.name, version: pv.version, route: pv.protocol.route },
        weightG: s.weightG, concentrationUgPerMl: s.concentrationUgPerMl,
      },
      clinical,
      live: live ? tileLive(clinical, nowMs) : null,
      monitor: {
        pending: s.deviceVitals.length,
        sources: pendingReadingSources(s.deviceVitals.map((r) => ({ deviceName: r.device.name, atMs: r.at.getTime() })))
          .map((x) => ({ deviceName: x.deviceName, pending: x.pending, latestAt: new Date(x.latestAtMs).toISOString() })),
        critical: s.deviceVitals.filter((r) => r.criticalText !== null)
          .map((r) => ({ readingId: r.id, at: r.at.toISOString(), deviceName: r.device.name, text: r.criticalText as string })),
      },
    };
    tiles.push(tile);
    if (s.chair) byChair.set(s.chair.id, tile);
  }
  for (const c of chairs) if (!byChair.has(c.id)) tiles.push({ key: c.id, chair: c, session: null, clinical: null, live: null, monitor: null });
  // One access row per board read, naming every patient shown (none when no session runs).
  await recordAccess(actor, { route, record: "Board", recordId: actor.clinicId, patientIds: sessions.map((s) => s.series.patient.id) });
  return {
    serverNow: now.toISOString(),
    // most urgent first (the page can re-sort by chair)
    tiles: sortTiles(tiles, "urgency", nowMs),
    counts: {
      chairs: chairs.length,
      free: chairs.length - chairs.filter((c) => byChair.has(c.id)).length,
      running: sessions.length,
      unassigned: sessions.filter((s) => s.chair === null).length,
    },
  };
}

/** Whether the clinic has a running session (the nurse's home opens the board then). */
export async function hasRunningSessions({ actor }: { actor: Actor }): Promise<boolean> {
  requirePermission(actor, "board:read");
  return (await db.infusionSession.count({ where: { clinicId: actor.clinicId, status: "IN_PROGRESS" } })) > 0;
}
