import type { Metadata } from "next";
import { ClockProvider } from "@/app/_components/session/clock";
import { can } from "@/lib/permissions";
import { requirePageActor } from "@/lib/server/actor";
import { getBoard } from "@/lib/server/board";
import { NotAllowed } from "../protocols/not-allowed";
import { ChairBoard } from "./chair-board";

export const metadata: Metadata = { title: "Chair board" };

/**
 * Every chair of the suite and every running infusion: the server reads the board and renders
 * its header; the client component draws the tiles from the same rows and keeps them fresh
 * (docs/decisions/0013-chairs-and-the-board.md).
 * `?display=wall` opens the large-type wall display.
 */
export default async function BoardPage({ searchParams }: { searchParams: Promise<{ display?: string | string[] }> }) {
  const actor = await requirePageActor();
  if (!can(actor, "board:read")) return <NotAllowed />;
  // `live: false`: the browser recomputes each tile's live values every second from
  // `clinical` (lib/domain/board.ts), so the page neither computes nor sends them.
  const [board, { display }] = await Promise.all([getBoard({ actor, live: false, route: "page /board" }), searchParams]);
  return (
    <ClockProvider serverNowIso={board.serverNow}>
      {/* The board crosses to the client component as one JSON string: React's server payload
          encodes an object value by value (and the server-side render decodes it again), ~46
          tiles with their rows; JSON.stringify/parse do it natively (as the series review, decision 0005). */}
      <ChairBoard initialJson={JSON.stringify(board)} timeZone={actor.clinicTimezone} wallFromUrl={display === "wall"} />
    </ClockProvider>
  );
}
