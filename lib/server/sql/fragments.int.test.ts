// The shared SQL fragments against real PostgreSQL: the epoch-ms conversion at its boundaries,
// and the one chart order, which the series review and the exports must both follow so that a
// session's pre and post scores (lib/domain/pain.ts sessionPrePost: at the same time, the
// later-charted PRE and the earlier-charted POST win, by input order) and so its relief % are
// the same on both.
import { beforeAll, describe, expect, it } from "vitest";
import { summarizeSeries } from "@/lib/domain/series-summary";
import { readExportRows, toExportedSession } from "@/lib/server/exports";
import { readSeriesForReview } from "@/lib/server/series-review-reader";
import { epochMs } from "@/lib/server/sql/fragments";
import { at, dose, pain, patientWithSeries, start, T0, type Clinic } from "@/test/charting";
import { db, freshClinic } from "@/test/helpers";

describe("epochMs", () => {
  it("is the exact epoch millisecond of a timestamp(3), as a bigint, around 1970, 2038 and the calendar's ends", async () => {
    const instants = [
      "1970-01-01T00:00:00.000", "1970-01-01T00:00:00.001", "1969-12-31T23:59:59.999", "1969-12-31T23:59:59.000",
      "1900-01-01T00:00:00.000", "2038-01-19T03:14:07.999", "2038-01-19T03:14:08.000",
      "2026-03-29T01:00:00.500", "2026-11-30T05:49:03.123", "9999-12-31T23:59:59.999",
    ];
    const rows = await db.$queryRawUnsafe<{ t: string; ms: bigint }[]>(
      `SELECT v.t, ${epochMs("v.t::timestamp(3)")} AS ms FROM unnest($1::text[]) WITH ORDINALITY AS v(t, n) ORDER BY v.n`,
      instants,
    );
    expect(rows.map((r) => typeof r.ms)).toEqual(instants.map(() => "bigint"));
    expect(rows.map((r) => Number(r.ms))).toEqual(instants.map((t) => Date.parse(`${t}Z`)));
    // hand-checked anchors: one millisecond either side of the epoch
    expect(Number(rows[1]!.ms)).toBe(1);
    expect(Number(rows[2]!.ms)).toBe(-1);
  });

  it("NULL stays NULL (a session not completed, a flag not acknowledged)", async () => {
    const [row] = await db.$queryRawUnsafe<{ ms: bigint | null }[]>(`SELECT ${epochMs("NULL::timestamp(3)")} AS ms`);
    expect(row!.ms).toBeNull();
  });
});

describe("chart order: the review and the exports read charted rows in the same order", () => {
  let c: Clinic;
  let seriesId: string;
  let sessionId: string;
  const ids: Record<"preEnteredLate" | "preEnteredEarly" | "postEnteredLate" | "postEnteredEarly", string> = {} as never;

  beforeAll(async () => {
    c = await freshClinic();
    const n = c.actors.nurse;
    seriesId = (await patientWithSeries(c, "IV infusion (routes table)")).series.id;
    sessionId = (await start(n, seriesId, T0)).session.id;
    // Two PRE scores at the same minute: the first one stored (smaller id) was charted LATER
    // (its charting time is 4 minutes after; the second's is 1 minute after). The same for
    // two POST scores. Chart order is clinical time, then charting time: PRE 6, PRE 8, POST 2,
    // POST 3, so pre = 8 (the later charted) and post = 2 (the earlier charted). Ordered by id
    // instead (the review's order for pain scores before this module), pre would be 6 and
    // post 3: relief 50 % on the review against 75 % in the export.
    ids.preEnteredLate = (await pain(n, sessionId, at(2), { score: 8, phase: "PRE" }, at(6))).painScore.id;
    ids.preEnteredEarly = (await pain(n, sessionId, at(2), { score: 6, phase: "PRE" }, at(3))).painScore.id;
    await dose(n, sessionId, at(7), { type: "START", rateMgPerKgPerH: 0.2, reason: "as ordered" });
    await dose(n, sessionId, at(67), { type: "STOP" });
    ids.postEnteredLate = (await pain(n, sessionId, at(70), { score: 3, phase: "POST" }, at(75))).painScore.id;
    ids.postEnteredEarly = (await pain(n, sessionId, at(70), { score: 2, phase: "POST" }, at(71))).painScore.id;
  });

  it("the case tells the two orders apart: id order is the reverse of charting order at each tie", () => {
    expect(ids.preEnteredLate < ids.preEnteredEarly).toBe(true);
    expect(ids.postEnteredLate < ids.postEnteredEarly).toBe(true);
  });

  it("both list the scores at clinical time, then charting time", async () => {
    const expected = [ids.preEnteredEarly, ids.preEnteredLate, ids.postEnteredEarly, ids.postEnteredLate];
    const [exported] = await readExportRows(c.clinic.id, [sessionId]);
    expect(exported!.painScores.map((p) => p.id)).toEqual(expected);
    const review = (await readSeriesForReview(c.actors.physician, seriesId))!;
    expect(review.series.inputs[0]!.pain.map((p) => p.score)).toEqual([6, 8, 2, 3]);
  });

  it("so both find pre 8 and post 2, relief (8 - 2) / 8 = 75 %", async () => {
    const [exported] = await readExportRows(c.clinic.id, [sessionId]);
    const ctx = { clinicName: c.clinic.name, timeZone: c.clinic.timezone, userNames: new Map<string, string>(), protocolVersions: new Map(), nowMs: at(90).getTime() };
    expect(toExportedSession(exported!, ctx).summary).toMatchObject({ preScore: 8, postScore: 2, reliefPct: 75 });

    const review = (await readSeriesForReview(c.actors.physician, seriesId))!;
    const summary = summarizeSeries({
      sessions: review.series.inputs, limits: review.series.limits, plannedSessions: review.series.plannedSessions,
      intervalDays: review.series.intervalDays, startDate: review.series.startDate, nowMs: at(90).getTime(),
    });
    expect(summary.rows[0]).toMatchObject({ preNrs: 8, postNrs: 2, reliefPct: 75 });
  });
});
