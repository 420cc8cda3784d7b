import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render, screen, within } from "@testing-library/react";
import { Breadcrumbs } from "./Breadcrumbs";

afterEach(cleanup);

describe("Breadcrumbs", () => {
  it("shows each breadcrumb's data, and nothing for those without", () => {
    render(
      <Breadcrumbs
        items={[
          { type: "navigation", message: "Opened the editor", timestamp: "2026-03-01T12:00:00Z", data: { from: "/home", to: "/editor" } },
          { type: "ui", message: "Pressed save", timestamp: "2026-03-01T12:00:05Z", data: null },
          { type: "http", message: "PUT /doc", timestamp: "2026-03-01T12:00:06Z", data: { request: { size: 2048 } } },
        ]}
      />,
    );
    const [nav, save, http] = within(screen.getByRole("list", { name: "Breadcrumbs" })).getAllByRole("listitem");
    expect(within(nav).getByText("from").nextElementSibling?.textContent).toBe("/home");
    expect(within(nav).getByText("to").nextElementSibling?.textContent).toBe("/editor");
    expect(save.querySelector("dl, pre")).toBeNull();
    expect(save.textContent).not.toContain("Nothing captured");
    expect(within(http).getByText("request").nextElementSibling?.textContent).toBe('{"size":2048}');
  });
});
