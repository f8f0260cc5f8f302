import { describe, expect, it } from "vitest";
import { defaultTokenScopes, expiryFromDate, tokenState, tomorrowDate } from "./tokenFormat";

describe("tokenFormat", () => {
  const now = new Date("2024-05-10T12:00:00Z").getTime();

  it("tells active, revoked and expired tokens apart", () => {
    expect(tokenState({ revoked_at: null, expires_at: null, active: true }, now)).toBe("active");
    expect(tokenState({ revoked_at: null, expires_at: "2024-06-01T00:00:00Z", active: true }, now)).toBe("active");
    expect(tokenState({ revoked_at: "2024-05-09T00:00:00Z", expires_at: null, active: false }, now)).toBe("revoked");
    expect(tokenState({ revoked_at: null, expires_at: "2024-05-09T00:00:00Z", active: false }, now)).toBe("expired");
  });

  it("makes a picked date the end of that day, and refuses what is not a date", () => {
    expect(new Date(expiryFromDate("2030-01-31")!).getTime()).toBe(new Date("2030-01-31T23:59:59").getTime());
    expect(expiryFromDate("")).toBeUndefined();
    expect(expiryFromDate("31/01/2030")).toBeUndefined();
  });

  it("offers tomorrow as the earliest expiry, across month ends", () => {
    expect(tomorrowDate(new Date(2024, 0, 31, 15))).toBe("2024-02-01");
    expect(tomorrowDate(new Date(2024, 11, 31, 15))).toBe("2025-01-01");
  });

  it("starts a new token with the reading scopes the person holds", () => {
    expect(defaultTokenScopes(["runs:write", "runs:read", "flows:write", "flows:read", "admin"])).toEqual(["flows:read", "runs:read"]);
    expect(defaultTokenScopes([])).toEqual([]);
  });
});
