import { afterEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { Client, Provider, fetchExchange, mapExchange } from "urql";
import { UpdateBanner } from "./UpdateBanner";

/**
 * A client whose server reports the given version. fetch is a mock, and
 * settled counts the results handed to the banner's query, so a test can wait
 * until the answer arrived before checking that nothing shows.
 */
function serverAnswering(version: { current: string; latest: string | null; updateAvailable: boolean }) {
  const fetchMock = vi.fn(
    async () =>
      new Response(JSON.stringify({ data: { version: { __typename: "VersionInfo", releaseUrl: "https://example.test/releases", ...version } } }), {
        headers: { "content-type": "application/json" },
      }),
  );
  const settled = vi.fn();
  const client = new Client({
    url: "http://test/graphql",
    exchanges: [mapExchange({ onResult: settled }), fetchExchange],
    fetch: fetchMock,
  });
  return { client, fetchMock, settled };
}

/** Waits until the query was sent and its answer rendered. */
async function answered({ fetchMock, settled }: { fetchMock: ReturnType<typeof vi.fn>; settled: ReturnType<typeof vi.fn> }) {
  await waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1));
  await waitFor(() => expect(settled).toHaveBeenCalledTimes(1));
  expect(settled.mock.calls[0][0].data?.version).toBeTruthy();
  // Let React commit whatever the answer rendered.
  await act(async () => {});
}

function renderBanner({ client }: { client: Client }) {
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

    const again = serverAnswering({ current: "1.0.0", latest: "1.1.0", updateAvailable: true });
    renderBanner(again);
    await answered(again);
    expect(screen.queryByText(/is available/)).toBeNull();
    cleanup();

    renderBanner(serverAnswering({ current: "1.0.0", latest: "1.2.0", updateAvailable: true }));
    expect(await screen.findByText(/Oopsie 1.2.0 is available/)).toBeTruthy();
  });

  it("stays hidden when the instance is up to date", async () => {
    const server = serverAnswering({ current: "1.1.0", latest: "1.1.0", updateAvailable: false });
    renderBanner(server);
    await answered(server);
    expect(screen.queryByRole("status")).toBeNull();
  });
});
