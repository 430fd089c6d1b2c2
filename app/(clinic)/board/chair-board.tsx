"use client";
import Link from "next/link";
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";
import { useLiveEvents } from "@/app/_components/data/live";
import { read } from "@/app/_components/data/use-read";
import { hasRecordedAllergy } from "@/app/_components/session/allergies";
import { useNow } from "@/app/_components/session/clock";
import { formatElapsed, formatHm } from "@/app/_components/session/clinic-time";
import { flagLabel, SeverityMark } from "@/app/_components/session/flag-display";
import { newlyOverdueKeys, sortTiles, TILE_STATE_TEXT, tileLive, type BoardFlag, type BoardSort, type TileLive, type TileState } from "@/lib/domain/board";
import { formatMgPerKg, formatMgPerKgPerH } from "@/lib/domain/units";
import type { Board, BoardTileDto } from "@/lib/server/board";

/**
 * A slow safety net beside the live event stream: a chair added or renamed by an admin sends
 * no event (only sessions, entries, flags and reviews do: docs/decisions/0014-live-events.md).
 */
const POLL_MS = 60_000;
const WALL_KEY = "titrate.board.wall";

const STATE_STYLE: Record<TileState, string> = {
  FREE: "bg-slate-100 text-slate-700",
  NOT_STARTED: "bg-slate-200 text-ink",
  RUNNING: "bg-ok text-white",
  PAUSED: "bg-soft text-white",
  COMPLETING: "bg-slate-700 text-white",
};
const STATE_MARK: Record<TileState, string> = { FREE: "○", NOT_STARTED: "◌", RUNNING: "●", PAUSED: "❚❚", COMPLETING: "■" };

/**
 * The chair board, kept fresh in the browser. Everything time-dependent (elapsed, dose to
 * now, the vitals countdown, the urgency order) is recomputed every second with the same
 * domain functions as the server (lib/domain/board.ts); the rows are re-read by `reload()`.
 */
export function ChairBoard({ initialJson, timeZone, wallFromUrl }: { initialJson: string; timeZone: string; wallFromUrl: boolean }) {
  const [board, setBoard] = useState(() => JSON.parse(initialJson) as Board);
  const [sort, setSort] = useState<BoardSort>("urgency");
  const [wall, setWall] = useState(wallFromUrl);
  const [stale, setStale] = useState<string | null>(null);
  const nowMs = useNow(1000);
  const loading = useRef(false);

  /** The one refetch of the board: on every event of the clinic, after a resync, and on the safety-net timer. */
  const reload = useCallback(async () => {
    if (loading.current) return;
    loading.current = true;
    try {
      const result = await read<Board>("/api/board");
      if (result.ok) {
        setBoard(result.data);
        setStale(null);
      } else if (result.error.code !== "ABORTED") {
        setStale(result.error.message);
      }
    } finally {
      loading.current = false;
    }
  }, []);

  // every event of the clinic may change a tile (a chart entry, a flag, a session started,
  // moved or completed), and the board shows every running session of the clinic
  useLiveEvents(() => true, reload);
  useEffect(() => {
    const timer = window.setInterval(() => void reload(), POLL_MS);
    return () => window.clearInterval(timer);
  }, [reload]);

  // The wall-display choice is kept on the device; ?display=wall always opens it.
  useEffect(() => {
    if (wallFromUrl) return;
    const timer = window.setTimeout(() => setWall(window.localStorage.getItem(WALL_KEY) === "1"), 0);
    return () => window.clearTimeout(timer);
  }, [wallFromUrl]);
  const toggleWall = () => {
    const next = !wall;
    setWall(next);
    window.localStorage.setItem(WALL_KEY, next ? "1" : "0");
  };

  const tiles = sortTiles(board.tiles, sort, nowMs);
  // Said once when a chair's vitals turn overdue, in one polite region for the whole board: the
  // tiles' ticking countdowns are outside any live region (docs/decisions/0016-accessibility.md).
  const overdueNow = tiles.filter((t) => t.clinical && tileLive(t.clinical, nowMs).isVitalsOverdue);
  const overdueKeys = overdueNow.map((t) => t.key).join("\n");
  const overdueSeen = useRef<Set<string> | null>(null);
  const [overdueAnnouncement, setOverdueAnnouncement] = useState("");
  useEffect(() => {
    const keys = overdueKeys ? overdueKeys.split("\n") : [];
    const newly = newlyOverdueKeys(overdueSeen.current, keys);
    overdueSeen.current = new Set(keys);
    if (!newly.length) return;
    const names = newly.map((key) => {
      const t = board.tiles.find((x) => x.key === key);
      return t?.chair ? t.chair.name : t?.session ? `${t.session.patient.name} (no chair)` : key;
    });
    setOverdueAnnouncement(`Vitals overdue: ${names.join(", ")}.`);
  }, [overdueKeys, board.tiles]);
  // The tiles are drawn in the browser only (decision 0013): every value on them moves each
  // second and is recomputed here from the rows (lib/domain/board.ts), so drawing 40-odd tiles
  // on the server as well only doubled the page's server time for markup replaced at once. The
  // server sends the header, the counts and the rows; the first client render draws the tiles.
  const inBrowser = useSyncExternalStore(noSubscription, () => true, () => false);
  const asOf = formatHm(Date.parse(board.serverNow), timeZone);

  return (
    <div className={wall ? "board-wall space-y-4 text-xl" : "space-y-4"} data-testid="chair-board" data-display={wall ? "wall" : "normal"}>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className={wall ? "text-4xl font-bold" : "text-2xl font-bold"}>Chair board</h1>
          <p className={wall ? "text-lg text-slate-700" : "text-sm text-slate-600"} data-testid="board-counts">
            {board.counts.running} running · {board.counts.free} of {board.counts.chairs} chairs free
            {board.counts.unassigned > 0 ? ` · ${board.counts.unassigned} without a chair` : ""} · read at {asOf}
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <fieldset className="flex items-center gap-2">
            <legend className="sr-only">Sort the board</legend>
            <div className="seg">
              {(["urgency", "chair"] as const).map((s) => (
                <label key={s} className="seg-item">
                  <input type="radio" name="board-sort" value={s} checked={sort === s} onChange={() => setSort(s)} />
                  <span>{s === "urgency" ? "Most urgent first" : "By chair"}</span>
                </label>
              ))}
            </div>
          </fieldset>
          <button type="button" className="btn-secondary min-h-12" aria-pressed={wall} onClick={toggleWall}>
            {wall ? "Leave wall display" : "Wall display"}
          </button>
          <Link href="/?worklist=1" className="btn-secondary min-h-12">Worklists</Link>
        </div>
      </div>
      <p className="sr-only" role="status" aria-live="polite" data-testid="board-overdue-announcement">{overdueAnnouncement}</p>
      {stale && <p role="status" className="rounded-md border-2 border-soft bg-soft-50 p-2 text-sm font-semibold">Could not refresh the board ({stale}). Values below are from {asOf}; retrying at the next change and at least every minute.</p>}
      {!inBrowser ? (
        <p className="card" role="status" data-testid="board-drawing">Drawing the chairs…</p>
      ) : tiles.length === 0 ? (
        <p className="card">No chairs and no running sessions. An administrator adds chairs under Admin → Chairs.</p>
      ) : (
        <ul className={`grid gap-3 ${wall ? "grid-cols-1 md:grid-cols-2 xl:grid-cols-3" : "grid-cols-1 sm:grid-cols-2 xl:grid-cols-3"}`} aria-label="Chairs">
          {tiles.map((t) => <Tile key={t.key} tile={t} nowMs={nowMs} timeZone={timeZone} wall={wall} />)}
        </ul>
      )}
    </div>
  );
}

const noSubscription = () => () => {};

function Tile({ tile, nowMs, timeZone, wall }: { tile: BoardTileDto; nowMs: number; timeZone: string; wall: boolean }) {
  const chairName = tile.chair ? tile.chair.name : "No chair";
  const headingId = `tile-${tile.key.replace(/[^a-z0-9]/gi, "-")}`;
  if (!tile.session || !tile.clinical) {
    return (
      <li aria-labelledby={headingId} className="card border-dashed" data-testid="board-tile" data-state="FREE">
        <h2 id={headingId} className={wall ? "text-3xl font-bold" : "text-xl font-bold"}>{chairName}</h2>
        <p className={`state-pill mt-2 ${STATE_STYLE.FREE}`}>{STATE_MARK.FREE} {TILE_STATE_TEXT.FREE}</p>
      </li>
    );
  }
  const s = tile.session;
  const live: TileLive = tileLive(tile.clinical, nowMs);
  const c = tile.clinical;
  const openHard = c.openFlags.filter((f) => f.severity === "HARD");
  const urgent = live.isVitalsOverdue || openHard.length > 0 || (tile.monitor?.critical.length ?? 0) > 0;
  const big = wall ? "text-2xl" : "text-base";
  return (
    <li
      aria-labelledby={headingId}
      className={`card space-y-2 border-2 ${urgent ? "border-hard" : c.openFlags.length > 0 ? "border-soft" : "border-slate-200"}`}
      data-testid="board-tile" data-state={live.state} data-session-id={s.id} data-overdue={live.isVitalsOverdue ? "true" : "false"}
    >
      <div className="flex flex-wrap items-start justify-between gap-2">
        <h2 id={headingId} className={wall ? "text-3xl font-bold" : "text-xl font-bold"}>
          {chairName}{tile.chair && !tile.chair.active ? " (deactivated chair)" : ""}
          <span className="sr-only">: </span>
          <span className={`block ${wall ? "text-2xl" : "text-lg"} font-semibold`}>
            {s.patient.name} <span className="font-medium text-slate-600">MRN {s.patient.mrn}</span>
          </span>
        </h2>
        <span className={`state-pill ${STATE_STYLE[live.state]} ${wall ? "text-xl" : ""}`} data-testid="tile-state">{STATE_MARK[live.state]} {TILE_STATE_TEXT[live.state]}</span>
      </div>
      <p className={hasRecordedAllergy(s.patient.allergies) ? `rounded bg-hard-50 px-2 py-1 font-bold text-hard ${big}` : `text-sm ${wall ? "text-xl" : ""}`} data-testid="tile-allergies">
        Allergies: {s.patient.allergies.trim() || "not recorded"}
      </p>
      <p className={wall ? "text-xl" : "text-sm"}>{s.protocol.name} (v{s.protocol.version}, {s.protocol.route}) · session {s.sequence}</p>
      <VitalsDue live={live} timeZone={timeZone} wall={wall} />
      <MonitorReadings tile={tile} timeZone={timeZone} wall={wall} />
      <dl className={`kv grid grid-cols-2 gap-x-3 gap-y-2 ${wall ? "[&_dd]:text-2xl [&_dt]:text-base" : ""}`}>
        <div><dt>{live.state === "COMPLETING" ? "Infusion ran" : "Since start"}</dt><dd data-testid="tile-elapsed">{live.elapsedMs === null ? "not started" : formatElapsed(live.elapsedMs)}{live.sinceStopMs !== null && <span className="block text-sm font-normal">stopped {formatElapsed(live.sinceStopMs)} ago</span>}</dd></div>
        <div>
          <dt>Rate now</dt>
          <dd data-testid="tile-rate">
            {live.rateUgPerKgPerH !== null ? `${formatMgPerKgPerH(live.rateUgPerKgPerH)} mg/kg/h`
              : live.pausedAtRateUgPerKgPerH !== null ? `paused (set ${formatMgPerKgPerH(live.pausedAtRateUgPerKgPerH)} mg/kg/h)`
                : live.state === "COMPLETING" ? "stopped" : "not started"}
          </dd>
        </div>
        <div><dt>Pump</dt><dd data-testid="tile-pump">{live.pumpMlPerHText !== null ? `${live.pumpMlPerHText} mL/h` : "—"}</dd></div>
        <div>
          <dt>Given this session</dt>
          <dd data-testid="tile-cumulative">
            {formatMgPerKg(live.cumulativeUgPerKg)}{c.maxCumulativeUgPerKg !== null ? ` of ${formatMgPerKg(c.maxCumulativeUgPerKg)}` : ""} mg/kg
            {live.cumulativePctOfLimit !== null && <span className="block text-sm font-normal">{live.cumulativePctOfLimit} % of the protocol&apos;s limit</span>}
          </dd>
        </div>
      </dl>
      <LastValues tile={tile} timeZone={timeZone} wall={wall} />
      <OpenFlags flags={c.openFlags} wall={wall} />
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className={wall ? "text-lg" : "text-sm"}>Nurse: <strong>{s.nurse}</strong></p>
        <Link href={`/sessions/${s.id}`} className={`btn-primary min-h-12 ${wall ? "text-xl" : ""}`} aria-label={`Open the chart of ${s.patient.name} (${chairName})`}>Open chart</Link>
      </div>
    </li>
  );
}

function VitalsDue({ live, timeZone, wall }: { live: TileLive; timeZone: string; wall: boolean }) {
  const size = wall ? "text-2xl" : "text-base";
  if (live.nextVitalsDueAtMs === null || live.msUntilVitalsDue === null) {
    return <p className={`${size} text-slate-700`} data-testid="tile-vitals-due">No vitals due{live.state === "NOT_STARTED" ? " until the infusion starts" : ": infusion stopped"}</p>;
  }
  if (live.isVitalsOverdue) {
    return (
      <p className={`rounded-md border-2 border-hard bg-hard-50 px-2 py-1 font-bold text-hard ${size}`} data-testid="tile-vitals-due">
        ⚠ VITALS OVERDUE by <span className="tabular-nums">{formatElapsed(-live.msUntilVitalsDue)}</span> <span className="text-sm font-semibold">(due {formatHm(live.nextVitalsDueAtMs, timeZone)})</span>
      </p>
    );
  }
  return (
    <p className={`font-semibold ${size}`} data-testid="tile-vitals-due">
      Vitals due in <span className="tabular-nums">{formatElapsed(live.msUntilVitalsDue)}</span> <span className="text-sm font-normal">at {formatHm(live.nextVitalsDueAtMs, timeZone)}</span>
    </p>
  );
}

function LastValues({ tile, timeZone, wall }: { tile: BoardTileDto; timeZone: string; wall: boolean }) {
  const v = tile.clinical?.lastVitals ?? null;
  const p = tile.clinical?.lastPain ?? null;
  return (
    <div className={wall ? "space-y-1 text-xl" : "space-y-1 text-sm"}>
      <p data-testid="tile-last-vitals">
        <span className="font-semibold">Last vitals: </span>
        {v === null ? "none yet" : (
          <>
            BP {v.systolicMmHg}/{v.diastolicMmHg} · HR {v.heartRatePerMin} · SpO₂ {v.spo2Pct} % · RR {v.respRatePerMin}{v.sedationRass !== null ? ` · RASS ${v.sedationRass}` : ""} at {formatHm(v.atMs, timeZone)}
            {v.flags.map((f) => <span key={f.id} className={`${f.severity === "HARD" ? "sev-hard" : "sev-soft"} ml-1`} data-flag-severity={f.severity}><SeverityMark severity={f.severity} />{f.severity} {flagLabel(f.code)}{f.status === "ACKNOWLEDGED" ? " (acknowledged)" : ""}</span>)}
          </>
        )}
      </p>
      <p data-testid="tile-last-pain"><span className="font-semibold">Last pain: </span>{p === null ? "none yet" : `${p.scale} ${p.score}${p.scale === "VAS" ? " mm" : ""} (${p.phase.toLowerCase().replace("_", "-")}) at ${formatHm(p.atMs, timeZone)}`}</p>
    </div>
  );
}

/**
 * Monitor readings not yet validated (docs/decisions/0021-monitor-vitals-over-hl7.md): a
 * critical value alerts here at once, before any nurse has checked it; the rest names the
 * monitor each comes from, in the chart's "unverified" style (dashed, and the word itself:
 * the colour is never the only carrier).
 */
function MonitorReadings({ tile, timeZone, wall }: { tile: BoardTileDto; timeZone: string; wall: boolean }) {
  const m = tile.monitor;
  if (!m || m.pending === 0) return null;
  return (
    <div data-testid="tile-monitor">
      {m.critical.map((x) => (
        <p key={x.readingId} role="alert" className={`rounded-md border-2 border-hard bg-hard-50 px-2 py-1 font-bold text-hard ${wall ? "text-2xl" : "text-base"}`} data-testid="tile-monitor-critical">
          Monitor (unverified) {formatHm(Date.parse(x.at), timeZone)}: {x.text}
        </p>
      ))}
      <div className={`border-l-4 border-dashed border-sky-700 pl-2 ${wall ? "text-xl" : "text-sm"}`} data-testid="tile-monitor-pending">
        <p>
          <span className="mr-1 rounded bg-white px-1 text-xs font-bold uppercase ring-1 ring-current">Unverified</span>
          {m.pending} monitor reading{m.pending > 1 ? "s" : ""} to validate
        </p>
        <ul>
          {m.sources.map((x) => (
            <li key={x.deviceName} data-testid="tile-monitor-source">
              from {x.deviceName}{x.pending > 1 ? ` (${x.pending})` : ""}, latest {formatHm(Date.parse(x.latestAt), timeZone)}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

function OpenFlags({ flags, wall }: { flags: BoardFlag[]; wall: boolean }) {
  if (flags.length === 0) return <p className={wall ? "text-xl" : "text-sm"} data-testid="tile-flags">No open flags</p>;
  return (
    <div data-testid="tile-flags">
      <h3 className={wall ? "text-xl font-semibold" : "text-sm font-semibold"}>Open flags ({flags.length})</h3>
      <ul className="mt-1 space-y-1">
        {flags.map((f) => (
          <li key={f.id} className={f.severity === "HARD" ? "flag-box-hard" : "flag-box-soft"}>
            <span className={f.severity === "HARD" ? "sev-hard" : "sev-soft"} data-flag-severity={f.severity}><SeverityMark severity={f.severity} />{f.severity}</span> {flagLabel(f.code)}: {f.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
