import type { Metadata } from "next";
import { ClockProvider } from "@/app/_components/session/clock";
import { can } from "@/lib/permissions";
import { requirePageActor } from "@/lib/server/actor";
import { getBoard } from "@/lib/server/board";
import { NotAllowed } from "../protocols/not-allowed";
import { ChairBoard } from "./chair-board";

export const metadata: Metadata = { title: "Chair board" };

/**
 * Every chair of the suite and every running infusion, rendered on the server first, then
 * kept fresh by the client component (docs/decisions/0013-chairs-and-the-board.md).
 * `?display=wall` opens the large-type wall display.
 */
export default async function BoardPage({ searchParams }: { searchParams: Promise<{ display?: string | string[] }> }) {
  const actor = await requirePageActor();
  if (!can(actor, "board:read")) return <NotAllowed />;
  const [board, { display }] = await Promise.all([getBoard({ actor, route: "page /board" }), searchParams]);
  return (
    <ClockProvider serverNowIso={board.serverNow}>
      {/* `live` is left out of the client's props: the browser recomputes it every second
          from `clinical` (lib/domain/board.ts), so sending it would only double the payload */}
      <ChairBoard initial={{ ...board, tiles: board.tiles.map((t) => ({ ...t, live: null })) }} timeZone={actor.clinicTimezone} wallFromUrl={display === "wall"} />
    </ClockProvider>
  );
}
