import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { Client, Provider, fetchExchange } from "urql";
import { UpdateBanner } from "./UpdateBanner";

function serverAnswering(version: { current: string; latest: string | null; updateAvailable: boolean }) {
  return new Client({
    url: "http://test/graphql",
    exchanges: [fetchExchange],
    fetch: async () =>
      new Response(JSON.stringify({ data: { version: { __typename: "VersionInfo", releaseUrl: "https://example.test/releases", ...version } } }), {
        headers: { "content-type": "application/json" },
      }),
  });
}

function renderBanner(client: Client) {
  return render(
    <Provider value={client}>
      <UpdateBanner />
    </Provider>,
  );
}

afterEach(() => {
  cleanup();
  localStorage.clear();
});

describe("UpdateBanner", () => {
  it("announces a newer release until dismissed, and again for a later one", async () => {
    renderBanner(serverAnswering({ current: "1.0.0", latest: "1.1.0", updateAvailable: true }));
    expect(await screen.findByText(/Oopsie 1.1.0 is available/)).toBeTruthy();
    expect(screen.getByRole("link", { name: "Release notes" }).getAttribute("href")).toBe("https://example.test/releases");

    fireEvent.click(screen.getByRole("button", { name: "Dismiss the update notice" }));
    expect(screen.queryByText(/is available/)).toBeNull();
    cleanup();

    renderBanner(serverAnswering({ current: "1.0.0", latest: "1.1.0", updateAvailable: true }));
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByText(/is available/)).toBeNull();
    cleanup();

    renderBanner(serverAnswering({ current: "1.0.0", latest: "1.2.0", updateAvailable: true }));
    expect(await screen.findByText(/Oopsie 1.2.0 is available/)).toBeTruthy();
  });

  it("stays hidden when the instance is up to date", async () => {
    renderBanner(serverAnswering({ current: "1.1.0", latest: "1.1.0", updateAvailable: false }));
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByRole("status")).toBeNull();
  });
});
