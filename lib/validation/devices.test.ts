import { describe, expect, it } from "vitest";
import { CreateDeviceSchema } from "./devices";

describe("a monitor's identifier (what the device sends in MSH-3 or OBX-18)", () => {
  const ok = (identifier: unknown) => CreateDeviceSchema.safeParse({ identifier, name: "Chair 1 monitor" }).success;

  it("takes an EUI-64 equipment id and a sending application name", () => {
    expect(ok("0123456789ABCDEF")).toBe(true);
    expect(ok("DEMO-MON-1")).toBe(true);
    expect(ok("GATEWAY_01.suite-b")).toBe(true);
  });

  it("refuses the HL7 separators, which could never arrive inside one component", () => {
    for (const sep of ["|", "^", "~", "\\", "&"]) expect(ok(`MON${sep}1`)).toBe(false);
  });

  it("refuses characters outside printable ASCII (no character set is declared for it) and control characters", () => {
    expect(ok("MONITÖR")).toBe(false);
    expect(ok("MON\u00001")).toBe(false);
    expect(ok("MON\t1")).toBe(false);
    expect(ok("監視1")).toBe(false);
  });

  it("is required, at most 200 characters, trimmed", () => {
    expect(ok("")).toBe(false);
    expect(ok("   ")).toBe(false);
    expect(ok("A".repeat(200))).toBe(true);
    expect(ok("A".repeat(201))).toBe(false);
    expect(CreateDeviceSchema.parse({ identifier: "  MON-1 ", name: "x" }).identifier).toBe("MON-1");
  });
});
