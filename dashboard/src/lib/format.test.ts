import { describe, expect, it } from "vitest";
import { enumLabel, formatBytes, plural, timeAgo } from "./format";
import { dailyCounts, tally } from "./trend";
import { safeReturnPath } from "./return-path";

describe("formatting", () => {
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
  it("counts crashes per local day, with empty days, oldest first", () => {
    const now = new Date(2026, 2, 10, 15, 0);
    const at = (d: number, h: number) => new Date(2026, 2, d, h).toISOString();
    const days = dailyCounts([at(10, 1), at(10, 14), at(8, 9), at(1, 9)], 3, now);
    expect(days).toEqual([
      { day: "2026-03-08", count: 1 },
      { day: "2026-03-09", count: 0 },
      { day: "2026-03-10", count: 2 },
    ]);
  });

  it("tallies versions, most frequent first", () => {
    expect(tally(["1.0", "1.1", "1.1", null, "1.0", "1.1"])).toEqual([
      { key: "1.1", count: 3 },
      { key: "1.0", count: 2 },
    ]);
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
