import { describe, expect, it } from "vitest";
import { parseStatusFilter, statusMatches, statusWhere, UNRESOLVED } from "./status-filter";

const STATUSES = ["NEW", "IN_PROGRESS", "RESOLVED"] as const;
const OPEN = ["NEW", "IN_PROGRESS"] as const;

describe("status filter", () => {
  it("reads one status, the unresolved ones, or nothing from the URL", () => {
    expect(parseStatusFilter("IN_PROGRESS", STATUSES)).toBe("IN_PROGRESS");
    expect(parseStatusFilter("UNRESOLVED", STATUSES)).toBe(UNRESOLVED);
    expect(parseStatusFilter("unresolved", STATUSES)).toBeUndefined();
    expect(parseStatusFilter("BOGUS", STATUSES)).toBeUndefined();
    expect(parseStatusFilter(null, STATUSES)).toBeUndefined();
  });

  it("asks the API for one status or for every unresolved one", () => {
    expect(statusWhere(undefined, OPEN)).toEqual({});
    expect(statusWhere("RESOLVED", OPEN)).toEqual({ status: "RESOLVED" });
    expect(statusWhere(UNRESOLVED, OPEN)).toEqual({ statusIn: ["NEW", "IN_PROGRESS"] });
  });

  it("matches a live item as the API would", () => {
    expect(statusMatches(undefined, OPEN, "RESOLVED")).toBe(true);
    expect(statusMatches("NEW", OPEN, "NEW")).toBe(true);
    expect(statusMatches("NEW", OPEN, "IN_PROGRESS")).toBe(false);
    expect(statusMatches(UNRESOLVED, OPEN, "IN_PROGRESS")).toBe(true);
    expect(statusMatches(UNRESOLVED, OPEN, "RESOLVED")).toBe(false);
  });
});
