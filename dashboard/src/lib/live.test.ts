import { describe, expect, it } from "vitest";
import { mergeLive, pushLive } from "./live";

describe("live list merging", () => {
  it("puts arrivals first and does not duplicate an item the refetch also returned", () => {
    const fetched = [{ id: "b" }, { id: "a" }];
    const live = [{ id: "d" }, { id: "c" }, { id: "b" }];
    expect(mergeLive(fetched, live).map((x) => x.id)).toEqual(["d", "c", "b", "a"]);
  });

  it("keeps the newer copy of an item both pushed and fetched", () => {
    const older = { id: "g", updatedAt: "2026-01-01T10:00:00Z", count: 5 };
    const newer = { id: "g", updatedAt: "2026-01-01T10:00:05Z", count: 6 };
    expect(mergeLive([older], [newer])[0].count).toBe(6);
    expect(mergeLive([newer], [older])[0].count).toBe(6);
  });

  it("replaces an item pushed twice and bounds the buffer", () => {
    let buf = pushLive([], { id: "a", v: 1 }, 2);
    buf = pushLive(buf, { id: "b", v: 1 }, 2);
    buf = pushLive(buf, { id: "a", v: 2 }, 2);
    expect(buf).toEqual([{ id: "a", v: 2 }, { id: "b", v: 1 }]);
    buf = pushLive(buf, { id: "c", v: 1 }, 2);
    expect(buf.map((x) => x.id)).toEqual(["c", "a"]);
  });
});
