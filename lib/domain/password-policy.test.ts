import { describe, expect, it } from "vitest";
import { checkPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./password-policy";

describe("checkPassword", () => {
  it.each<[string, string, string | null, ReturnType<typeof checkPassword>]>([
    ["empty", "", null, "TOO_SHORT"],
    ["one below the minimum (11)", "a".repeat(5) + "bcdefg", null, "TOO_SHORT"],
    ["exactly the minimum (12)", "river-stone9", null, null],
    ["one above the minimum (13)", "river-stone9x", null, null],
    ["11 code points even if 12 UTF-16 units", "😀abcdefghij", null, "TOO_SHORT"],
    ["12 code points with an emoji", "😀abcdefghijk", null, null],
    ["exactly the maximum", "x".repeat(MAX_PASSWORD_LENGTH - 3) + "a1!", null, null],
    ["one above the maximum", "x".repeat(MAX_PASSWORD_LENGTH + 1), null, "TOO_LONG"],
    ["the email itself", "new.nurse@demo.clinic", "new.nurse@demo.clinic", "IS_EMAIL"],
    ["the email in another case", "New.Nurse@Demo.Clinic", "new.nurse@demo.clinic", "IS_EMAIL"],
    ["the email's local part", "longer.name.here", "longer.name.here@demo.clinic", "IS_EMAIL"],
    ["containing the email is allowed", "new.nurse@demo.clinic!x", "new.nurse@demo.clinic", null],
    ["a common password", "password1234", null, "TOO_COMMON"],
    ["a common password in capitals", "PASSWORD1234", null, "TOO_COMMON"],
    ["the demo password", "titrate-demo", null, "TOO_COMMON"],
    ["a common password with one more character", "password12345x", null, null],
    ["no email given", "correct horse battery", undefined as unknown as null, null],
  ])("%s", (_label, password, email, expected) => {
    expect(checkPassword(password, email)).toBe(expected);
  });
  it("minimum is 12", () => {
    expect(MIN_PASSWORD_LENGTH).toBe(12);
  });
});
