import { describe, expect, it } from "vitest";
import { liveAuthentication } from "./live-auth";
import { Session, type Tokens } from "./session";

const NOW = Date.parse("2026-01-01T12:00:00Z");
let n = 0;
const fresh = (): Tokens => ({ accessToken: `access-${++n}`, accessTokenExpiresAt: new Date(NOW + 900_000).toISOString(), refreshToken: `refresh-${n}` });

function session() {
  const m = new Map<string, string>();
  const s = new Session(async () => fresh(), { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v), removeItem: (k) => void m.delete(k) }, () => NOW);
  s.start(fresh());
  return s;
}

describe("WebSocket authentication", () => {
  it("reuses a valid token on a plain reconnect", async () => {
    const s = session();
    const auth = liveAuthentication(s);
    const first = await auth.connectionParams();
    auth.closed(1006);
    expect(await auth.connectionParams()).toEqual(first);
  });

  it("refreshes before reconnecting after the server refused the token", async () => {
    const s = session();
    const auth = liveAuthentication(s);
    const first = await auth.connectionParams();
    auth.closed(4403);
    const second = await auth.connectionParams();
    expect(second.authorization).not.toBe(first.authorization);
    expect(second.authorization).toBe(`Bearer ${await s.accessToken()}`);
  });
});
