import { describe, expect, it } from "vitest";
import { triageInput, triageShown } from "./crash-triage";

const resolved = { status: "RESOLVED" as const, resolutionNotes: "fixed in the cart", resolvedInVersion: "1.4.3" };

describe("crash group triage form", () => {
  it("shows the group as it is now where the user changed nothing", () => {
    // The group regressed while the page was open: the form follows.
    const regressed = { ...resolved, status: "REGRESSED" as const };
    expect(triageShown({}, regressed).status).toBe("REGRESSED");
    expect(triageShown({ notes: "draft" }, regressed)).toEqual({ status: "REGRESSED", notes: "draft", resolvedIn: "1.4.3" });
  });

  it("sends only the notes when only they changed, so a newer status is not written back", () => {
    expect(triageInput({ notes: "seen again" }, { ...resolved, status: "REGRESSED" })).toEqual({ resolutionNotes: "seen again" });
    expect(triageInput({}, resolved)).toEqual({});
  });

  it("resolves with the version the form shows", () => {
    const investigating = { status: "INVESTIGATING" as const, resolutionNotes: "", resolvedInVersion: "1.2.0" };
    expect(triageInput({ status: "RESOLVED" }, investigating)).toEqual({ status: "RESOLVED", resolvedInVersion: "1.2.0" });
    expect(triageInput({ status: "RESOLVED", resolvedIn: " 1.5.0 " }, investigating)).toEqual({ status: "RESOLVED", resolvedInVersion: "1.5.0" });
    expect(triageInput({ status: "RESOLVED" }, { ...investigating, resolvedInVersion: null })).toEqual({ status: "RESOLVED" });
  });

  it("sends a version the user changed or cleared on a resolved group, and none on another status", () => {
    expect(triageInput({ resolvedIn: "" }, resolved)).toEqual({ resolvedInVersion: "" });
    expect(triageInput({ resolvedIn: "1.4.4" }, resolved)).toEqual({ resolvedInVersion: "1.4.4" });
    expect(triageInput({ status: "IGNORED", resolvedIn: "1.4.4" }, resolved)).toEqual({ status: "IGNORED" });
  });
});
