import { describe, expect, it } from "vitest";
import { csvField, csvRecord, csvRow } from "./csv";

describe("csvField", () => {
  it.each<[string | number | null | undefined, string]>([
    ["plain", "plain"],
    ["", ""],
    [null, ""],
    [undefined, ""],
    [0, "0"],
    [-1.5, "-1.5"], // a negative number is data
    [Number.NaN, ""],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["line1\nline2", '"line1\nline2"'],
    ["cr\rhere", '"cr\rhere"'],
    ["=SUM(A1:A9)", "'=SUM(A1:A9)"],
    ["+1 555", "'+1 555"],
    ["-2+3", "'-2+3"],
    ["@cmd", "'@cmd"],
    ["\tindent", "'\tindent"],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`], // neutralised, then quoted
    ["Zoë Ngô-Świątek", "Zoë Ngô-Świątek"], // non-ASCII kept as is (UTF-8)
    ["O'Brien", "O'Brien"],
  ])("%j -> %j", (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });
});

describe("csvRow", () => {
  it("joins with commas and ends with CRLF", () => {
    expect(csvRow(["a", 1, null, "b,c"])).toBe('a,1,,"b,c"\r\n');
  });

  it("a record read field by field is the same row", () => {
    const summary = { name: "=1+1", n: -2, none: null, text: 'a "b"' };
    const fields = ["name", "n", "none", "text"] as const;
    expect(csvRecord(fields, (f) => summary[f])).toBe(csvRow(fields.map((f) => summary[f])));
    expect(csvRecord(fields, (f) => summary[f])).toBe(`'=1+1,-2,,"a ""b"""\r\n`);
    expect(csvRecord([], () => "x")).toBe("\r\n");
  });
});
