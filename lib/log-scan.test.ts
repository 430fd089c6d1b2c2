import { describe, expect, it } from "vitest";
import { appearsInLog } from "./log-scan";

describe("appearsInLog", () => {
  it("finds a name as a word: at the ends, between spaces, quotes and punctuation", () => {
    expect(appearsInLog("Ada", "Ada")).toBe(true);
    expect(appearsInLog("patient Ada Lovelace charted", "Ada")).toBe(true);
    expect(appearsInLog('{"givenName":"Ada"}', "Ada")).toBe(true);
    expect(appearsInLog("name=Ada,", "Ada")).toBe(true);
  });

  it("does not find it inside a longer word, in any script", () => {
    expect(appearsInLog("driverAdapterError: UniqueConstraintViolation", "Ada")).toBe(false);
    expect(appearsInLog("Adam", "Ada")).toBe(false);
    expect(appearsInLog("Nguyễn", "Nguy")).toBe(false);
    expect(appearsInLog("Ada1", "Ada")).toBe(false);
  });

  it("matches names with letters outside ASCII and needles holding regex characters literally", () => {
    expect(appearsInLog("seen: Nguyễn Thị Ánh", "Nguyễn")).toBe(true);
    expect(appearsInLog("Ødegård left", "Ødegård")).toBe(true);
    expect(appearsInLog("王小明 checked in", "王小明")).toBe(true);
    expect(appearsInLog("mrn A11Y-12.3 seen", "A11Y-12.3")).toBe(true);
    expect(appearsInLog("mrn A11Y-1243 seen", "A11Y-12.3")).toBe(false);
    expect(appearsInLog("born 1975-04-02.", "1975-04-02")).toBe(true);
  });

  it("is case-sensitive, like the scan before it, and never matches an empty needle", () => {
    expect(appearsInLog("ada", "Ada")).toBe(false);
    expect(appearsInLog("anything", "")).toBe(false);
  });
});
