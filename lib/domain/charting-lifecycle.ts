// The session state machine: what may be done to a session in each status. One function
// answers for the server (a refusal becomes a 409 with the same words) and for the bedside
// screen (which controls to show), so the two cannot disagree
// (docs/decisions/0004-flags-and-charting.md, docs/decisions/0005-physician-review.md).
import type { InfusionState } from "./dose";

/** A session's status, as stored (prisma/schema.prisma SessionStatus). */
export type SessionStatus = "IN_PROGRESS" | "COMPLETED" | "SIGNED";

/**
 * Everything done to a session. Dose events (chart, correct, retract) and observations
 * (vitals, pain, side effects) differ: once completed, the infusion is over but recovery
 * observations still belong to it. A follow-up pain score comes days later and does not
 * change what was charted (docs/clinical-brief.md "Patient-reported follow-up").
 */
export type SessionAction =
  | "chart-dose"
  | "chart-observation"
  | "chart-follow-up"
  | "move-opened-at"
  | "complete"
  | "sign"
  | "addendum";

/**
 * The permission each action needs (lib/permissions.ts keys; the domain may not import it, so
 * it is data here and the type checker holds each value to a known permission where it is used).
 */
export const SESSION_ACTION_PERMISSION = {
  "chart-dose": "session:chart",
  "chart-observation": "session:chart",
  "chart-follow-up": "session:chart",
  "move-opened-at": "session:chart",
  complete: "session:complete",
  sign: "session:sign",
  addendum: "session:addendum",
} as const satisfies Record<SessionAction, string>;

export type Decision = { allowed: true } | { allowed: false; reason: string };

const ALLOWED: Decision = { allowed: true };
const refuse = (reason: string): Decision => ({ allowed: false, reason });
const SIGNED_ONLY_ADDENDA = "This session is signed: only addenda can be added.";

/**
 * Whether `action` is allowed on a session in `status`. Corrections and retractions are
 * charting (a new row), so they follow the same rule as the entry they replace.
 */
export function sessionAllows(status: SessionStatus, action: SessionAction): Decision {
  switch (action) {
    case "chart-dose":
      if (status === "SIGNED") return refuse(SIGNED_ONLY_ADDENDA);
      if (status === "COMPLETED") return refuse("This session is completed: dose events can no longer be charted.");
      return ALLOWED;
    case "chart-observation":
      return status === "SIGNED" ? refuse(SIGNED_ONLY_ADDENDA) : ALLOWED;
    case "chart-follow-up":
      return ALLOWED;
    case "move-opened-at":
      // late documentation: only while the session runs (decision 0012)
      return status === "IN_PROGRESS" ? ALLOWED : refuse("Only a session in progress can have its opening time moved.");
    case "complete":
      return status === "IN_PROGRESS" ? ALLOWED : refuse(`This session is already ${status.toLowerCase()}.`);
    case "sign":
      if (status === "SIGNED") return refuse("This session is already signed.");
      return status === "COMPLETED" ? ALLOWED : refuse("Complete the session before signing it.");
    case "addendum":
      return status === "SIGNED" ? ALLOWED : refuse("Addenda are for signed sessions; chart or correct entries directly.");
  }
}

/** Why a session cannot be completed yet; the API and the bedside word it for their readers. */
export type CompletionBlocker =
  | { code: "INFUSION_NOT_STOPPED"; infusionState: "RUNNING" | "PAUSED"; reason: string; bedsideText: string }
  | { code: "NO_POST_PAIN_SCORE"; reason: string; bedsideText: string }
  | { code: "DEVICE_READINGS_PENDING"; pendingDeviceReadings: number; reason: string; bedsideText: string };

/**
 * What stands between a session and its completion, in the order the server reports them:
 * the infusion must be stopped (a STOP charted) and a post-infusion pain score recorded
 * (docs/clinical-brief.md "What a session summary holds": pain before and after), and every
 * monitor reading still unverified must be accepted or rejected: a set no nurse has looked at
 * (it may hold a critical value) must not sit on a closed chart, where it could no longer be
 * charted (docs/decisions/0021-monitor-vitals-over-hl7.md).
 * `infusionState` is the integration's state at completion (lib/domain/dose.ts).
 */
export function completionBlockers(input: { infusionState: InfusionState; hasPostPainScore: boolean; pendingDeviceReadings: number }): CompletionBlocker[] {
  const blockers: CompletionBlocker[] = [];
  if (input.infusionState === "RUNNING" || input.infusionState === "PAUSED")
    blockers.push({
      code: "INFUSION_NOT_STOPPED",
      infusionState: input.infusionState,
      reason: "The infusion is still running or paused: chart its STOP before completing.",
      bedsideText: `The infusion is still ${input.infusionState === "PAUSED" ? "paused" : "running"}: chart STOP first.`,
    });
  if (!input.hasPostPainScore)
    blockers.push({
      code: "NO_POST_PAIN_SCORE",
      reason: "Record the post-infusion pain score before completing.",
      bedsideText: "No post-infusion (POST) pain score yet: record it first.",
    });
  if (input.pendingDeviceReadings > 0) {
    const n = input.pendingDeviceReadings;
    const readings = n === 1 ? "1 monitor reading is" : `${n} monitor readings are`;
    blockers.push({
      code: "DEVICE_READINGS_PENDING",
      pendingDeviceReadings: n,
      reason: `${readings} not validated: accept or reject ${n === 1 ? "it" : "each"} before completing.`,
      bedsideText: `${readings} not validated yet: accept or reject ${n === 1 ? "it" : "each"} first.`,
    });
  }
  return blockers;
}

/**
 * A completed session is signed only once every HARD flag has been acknowledged by a
 * physician (docs/decisions/0004-flags-and-charting.md). `openHardFlagCount` counts the
 * session's HARD flags with no acknowledgement.
 */
export function signBlocker(openHardFlagCount: number): string | null {
  if (openHardFlagCount <= 0) return null;
  return `${openHardFlagCount} hard-limit flag${openHardFlagCount > 1 ? "s" : ""} must be acknowledged by a physician before signing.`;
}
