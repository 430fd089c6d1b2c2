import { describe, expect, it } from "vitest";
import { parseNumberInput } from "./number-input";

describe("parseNumberInput: an empty field is not 0", () => {
  it.each([
    ["", undefined],
    [" ", undefined],
    ["\t \n", undefined],
  ])("%j is not given (undefined), never 0", (text, expected) => {
    expect(parseNumberInput(text)).toBe(expected);
  });

  it("null and undefined (a field missing from the FormData) are not given", () => {
    expect(parseNumberInput(null)).toBeUndefined();
    expect(parseNumberInput(undefined)).toBeUndefined();
  });

  it.each([
    ["0", 0],
    ["0.0", 0],
    ["-1", -1],
    ["+2", 2],
    [" 70.4 ", 70.4],
    ["1,5", 1.5],
    [".5", 0.5],
    ["5.", 5],
    ["0.001", 0.001],
  ])("%j is the plain decimal %d", (text, expected) => {
    expect(parseNumberInput(text)).toBe(expected);
  });

  it.each(["abc", "1e3", "1E3", "0x10", "1.2.3", "1,5,0", "--1", "1 000", "Infinity", "NaN", "12mg", ".", "-"])(
    "%j is not a plain decimal: NaN, which the schema reports",
    (text) => {
      expect(parseNumberInput(text)).toBeNaN();
    },
  );

  it("a File entry of a FormData is not a number", () => {
    expect(parseNumberInput(new File(["1"], "x.txt"))).toBeNaN();
  });
});
