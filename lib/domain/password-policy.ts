// The minimum password policy for staff accounts (docs/SECURITY.md). Length is what protects a
// password most (NIST SP 800-63B §5.1.1.2: check length and a list of known-bad passwords,
// no composition rules), so: at least 12 characters, not the account's email or its local
// part, and not one of a short list of the most common passwords.

export const MIN_PASSWORD_LENGTH = 12;
/** argon2 hashes any length, but a bound keeps a request cheap; login.ts refuses > 1024 too. */
export const MAX_PASSWORD_LENGTH = 256;

/** Common passwords of 12+ characters (shorter ones already fail on length). Lower case. */
const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  "123456789012", "1234567890123", "12345678901234", "123456123456", "qwertyuiopas",
  "qwerty123456", "password1234", "password12345", "password123!", "passwordpassword",
  "iloveyou1234", "letmein12345", "welcome12345", "welcome123456", "administrator",
  "changeme1234", "qwertyuiop123", "1q2w3e4r5t6y", "abcdefghijkl", "abc123abc123",
  "aaaaaaaaaaaa", "111111111111", "000000000000", "trustno1trustno1", "passw0rd1234",
  "titrate-demo", "titratetitrate", "ketamine1234", "nurse1234567", "physician123",
]);

export type PasswordProblem = "TOO_SHORT" | "TOO_LONG" | "IS_EMAIL" | "TOO_COMMON";

export const PASSWORD_PROBLEM_MESSAGES: Record<PasswordProblem, string> = {
  TOO_SHORT: `must be at least ${MIN_PASSWORD_LENGTH} characters`,
  TOO_LONG: `must be at most ${MAX_PASSWORD_LENGTH} characters`,
  IS_EMAIL: "must not be the email address",
  TOO_COMMON: "is one of the most common passwords; choose another",
};

/**
 * The first rule a password breaks, or null when it meets the policy. Length is counted in
 * Unicode code points (an emoji is one character, as a person counts it).
 */
export function checkPassword(password: string, email?: string | null): PasswordProblem | null {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return "TOO_SHORT";
  if (length > MAX_PASSWORD_LENGTH) return "TOO_LONG";
  const lower = password.trim().toLowerCase();
  if (email) {
    const e = email.trim().toLowerCase();
    const local = e.split("@")[0] ?? "";
    if (lower === e || (local.length > 0 && lower === local)) return "IS_EMAIL";
  }
  if (COMMON_PASSWORDS.has(lower)) return "TOO_COMMON";
  return null;
}
