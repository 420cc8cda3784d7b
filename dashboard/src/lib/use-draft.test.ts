import { afterEach, describe, expect, it } from "vitest";
import { act, cleanup, renderHook } from "@testing-library/react";
import { useDraft } from "./use-draft";

describe("useDraft", () => {
  afterEach(cleanup);

  it("keeps the user's edits while the value stays, and starts again from a new value", () => {
    const { result, rerender } = renderHook(({ value }) => useDraft(value), { initialProps: { value: "gateway" } });
    expect(result.current[0]).toBe("gateway");

    act(() => result.current[1]("gate"));
    rerender({ value: "gateway" });
    expect(result.current[0]).toBe("gate");

    // The URL moved (back, a link): the box shows what is applied now.
    rerender({ value: "timeout" });
    expect(result.current[0]).toBe("timeout");
    act(() => result.current[1]("time"));
    expect(result.current[0]).toBe("time");

    rerender({ value: "" });
    expect(result.current[0]).toBe("");
  });
});
