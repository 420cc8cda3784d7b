import { afterEach, describe, expect, it } from "vitest";
import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { Timeline } from "./Timeline";

afterEach(cleanup);

describe("Timeline", () => {
  it("shows the selector and page position of a clicked button under its text", async () => {
    render(
      <Timeline
        events={[
          { type: "CLICK", timestamp: "2026-03-01T12:00:03Z", data: { type: "click", selector: "form#checkout > button.pay", text: "Pay now", x: 412, y: 318 } },
          { type: "CLICK", timestamp: "2026-03-01T12:00:04Z", data: { type: "click", selector: "div.backdrop" } },
        ]}
      />,
    );
    const [button, backdrop] = screen.getAllByRole("listitem");
    expect(within(button).getByText("Clicked Pay now")).toBeTruthy();
    await act(async () => fireEvent.click(within(button).getByRole("button", { name: "Element" })));
    const shown = button.querySelector("pre")?.textContent;
    expect(shown).toContain("selector: form#checkout > button.pay");
    expect(shown).toContain("position: x 412, y 318");

    // Without text the selector names the click; the details still hold it.
    expect(within(backdrop).getByText("Clicked div.backdrop")).toBeTruthy();
    await act(async () => fireEvent.click(within(backdrop).getByRole("button", { name: "Element" })));
    expect(backdrop.querySelector("pre")?.textContent).toBe("selector: div.backdrop");
  });
});
