import { describe, expect, it } from "vitest";
import { enumLabel, formatBytes, optionalInt, plural, splitList, timeAgo } from "./format";
import { bucketLabel } from "./trend";
import { safeReturnPath } from "./return-path";

describe("formatting", () => {
  it("sends an emptied number field as null, which restores the default", () => {
    expect(optionalInt("")).toBeNull();
    expect(optionalInt("  ")).toBeNull();
    expect(optionalInt("30")).toBe(30);
  });

  it("splits a typed list on commas and blanks", () => {
    expect(splitList(" a.example.com,  *.b.example.com\nvendor/ ,")).toEqual(["a.example.com", "*.b.example.com", "vendor/"]);
    expect(splitList("  ")).toEqual([]);
  });

  it("labels enum values", () => {
    expect(enumLabel("IN_PROGRESS")).toBe("In progress");
    expect(enumLabel("NEW")).toBe("New");
    expect(enumLabel("UI")).toBe("UI");
  });

  it("says how long ago", () => {
    const now = Date.parse("2026-03-01T12:00:00Z");
    expect(timeAgo("2026-03-01T11:59:30Z", now)).toBe("just now");
    expect(timeAgo("2026-03-01T11:57:00Z", now)).toBe("3 minutes ago");
    expect(timeAgo("2026-02-28T12:00:00Z", now)).toBe("yesterday");
  });

  it("pluralises counts", () => {
    expect(plural(1, "user")).toBe("1 user");
    expect(plural(12000, "report")).toBe("12K reports");
  });

  it("sizes files", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(25 * 1024 * 1024)).toBe("25 MB");
  });
});

describe("crash trend", () => {
  it("labels a daily bucket with its UTC day, an hourly one with the local hour", () => {
    // West of UTC, where a UTC midnight is the evening before: on a machine
    // in UTC, a label in local time would pass as well.
    const tz = process.env.TZ;
    process.env.TZ = "America/Los_Angeles";
    try {
      expect(new Date("2026-03-09T00:00:00Z").getDate()).toBe(8);
      expect(bucketLabel("2026-03-09T00:00:00Z", false)).toBe("Mar 9");
      expect(bucketLabel("2026-03-09T23:00:00Z", false)).toBe("Mar 9");
      const local = new Date(2026, 2, 9, 7);
      expect(bucketLabel(local.toISOString(), true)).toBe("07");
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });
});

describe("return path after login", () => {
  it("accepts only this app's paths", () => {
    expect(safeReturnPath("/reports?status=NEW")).toBe("/reports?status=NEW");
    expect(safeReturnPath("//evil.test/x")).toBe("/");
    expect(safeReturnPath("https://evil.test")).toBe("/");
    expect(safeReturnPath(null)).toBe("/");
  });
});
