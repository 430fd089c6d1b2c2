import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";

// The accessibility verdict every spec uses (docs/decisions/0016-accessibility.md): axe-core
// against WCAG 2.1 A and AA, no serious or critical violation.

export const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
export const BLOCKING = new Set(["serious", "critical"]);

type Violations = Awaited<ReturnType<AxeBuilder["analyze"]>>["violations"];

/** One line per violation: rule, impact, what it means, where to read more, and the elements. */
export function describeViolations(violations: Violations): string {
  return violations.map((v) =>
    `- ${v.id} (${v.impact}): ${v.help}\n  ${v.helpUrl}\n${v.nodes.slice(0, 8).map((n) => `    at ${n.target.join(" ")}: ${n.failureSummary?.split("\n").slice(1, 3).join(" ").trim() ?? ""}`).join("\n")}`,
  ).join("\n");
}

/**
 * The page as it is now, scanned: "" when it passes, else the blocking violations described.
 * Only violations are collected (not passes or incomplete checks): the same rules and the same
 * verdict, less work in the page.
 */
export async function blockingViolations(page: Page): Promise<string> {
  const result = await new AxeBuilder({ page }).withTags(WCAG_TAGS).options({ resultTypes: ["violations"] }).analyze();
  const blocking = result.violations.filter((v) => BLOCKING.has(v.impact ?? ""));
  return blocking.length ? describeViolations(blocking) : "";
}
