import { afterEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { CopyButton } from "./CopyButton";

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("CopyButton", () => {
  it("copies the text and says so for a moment", async () => {
    vi.useFakeTimers();
    const writeText = vi.fn(async () => {});
    vi.stubGlobal("navigator", { clipboard: { writeText } });
    const onResult = vi.fn();
    render(<CopyButton text="whsec_abc" onResult={onResult} aria-label="Copy the secret" />);

    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Copy the secret" })));
    expect(writeText).toHaveBeenCalledWith("whsec_abc");
    expect(onResult).toHaveBeenCalledWith(true);
    expect(screen.getByRole("button", { name: "Copy the secret" }).textContent).toBe("Copied");

    act(() => vi.advanceTimersByTime(1500));
    expect(screen.getByRole("button", { name: "Copy the secret" }).textContent).toBe("Copy");
  });

  it("reports a failure when the clipboard is missing or refuses", async () => {
    const onResult = vi.fn();
    vi.stubGlobal("navigator", {}); // outside a secure context
    render(<CopyButton text="x" onResult={onResult} aria-label="Copy it" />);
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Copy it" })));
    expect(onResult).toHaveBeenLastCalledWith(false);
    expect(screen.getByRole("button", { name: "Copy it" }).textContent).toBe("Copy");

    vi.stubGlobal("navigator", { clipboard: { writeText: vi.fn(async () => Promise.reject(new DOMException("denied", "NotAllowedError"))) } });
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Copy it" })));
    expect(onResult).toHaveBeenCalledTimes(2);
    expect(onResult).toHaveBeenLastCalledWith(false);
  });
});
