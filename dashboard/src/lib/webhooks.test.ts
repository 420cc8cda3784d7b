import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, renderHook } from "@testing-library/react";
import { awaitsFirstAttempt, maskSecret, newestFirst, usePolling } from "./webhooks";

describe("webhook delivery log", () => {
  it("puts the newest delivery first without touching the fetched list", () => {
    const fetched = ["oldest", "middle", "newest"];
    expect(newestFirst(fetched)).toEqual(["newest", "middle", "oldest"]);
    expect(fetched).toEqual(["oldest", "middle", "newest"]);
  });

  it("polls only for a pending delivery, not a retrying one that may wait hours", () => {
    expect(awaitsFirstAttempt("PENDING")).toBe(true);
    expect(awaitsFirstAttempt("RETRYING")).toBe(false);
    expect(awaitsFirstAttempt("SUCCEEDED")).toBe(false);
    expect(awaitsFirstAttempt("FAILED")).toBe(false);
  });

  it("masks the secret but its prefix and last characters", () => {
    const masked = maskSecret("whsec_0123456789abcdef0123456789abcdef");
    expect(masked).toBe("whsec_••••••••••••cdef");
    expect(masked).not.toContain("0123");
    // A short secret keeps no tail: four characters would be most of it.
    expect(maskSecret("whsec_abc")).toBe("whsec_••••••••••••");
  });
});

describe("usePolling", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it("polls while active, with the latest callback, and stops when inactive or unmounted", () => {
    const first = vi.fn();
    const second = vi.fn();
    const { rerender, unmount } = renderHook(({ active, poll }) => usePolling(active, 1000, poll), { initialProps: { active: true, poll: first } });

    vi.advanceTimersByTime(2500);
    expect(first).toHaveBeenCalledTimes(2);

    rerender({ active: true, poll: second });
    vi.advanceTimersByTime(1000);
    expect(first).toHaveBeenCalledTimes(2);
    expect(second).toHaveBeenCalledTimes(1);

    rerender({ active: false, poll: second });
    vi.advanceTimersByTime(5000);
    expect(second).toHaveBeenCalledTimes(1);

    rerender({ active: true, poll: second });
    vi.advanceTimersByTime(1000);
    expect(second).toHaveBeenCalledTimes(2);
    unmount();
    vi.advanceTimersByTime(5000);
    expect(second).toHaveBeenCalledTimes(2);
  });

  it("skips ticks while the tab is hidden", () => {
    const poll = vi.fn();
    const visibility = vi.spyOn(document, "visibilityState", "get").mockReturnValue("hidden");
    renderHook(() => usePolling(true, 1000, poll));
    vi.advanceTimersByTime(3000);
    expect(poll).not.toHaveBeenCalled();
    visibility.mockReturnValue("visible");
    vi.advanceTimersByTime(1000);
    expect(poll).toHaveBeenCalledTimes(1);
    visibility.mockRestore();
  });
});
