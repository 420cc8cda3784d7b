import { describe, expect, it, vi } from "vitest";
import { authFetch } from "./auth-fetch";
import { RefreshRefusedError, Session, type Tokens } from "./session";

const NOW = Date.parse("2026-01-01T12:00:00Z");
const tokens = (n: number): Tokens => ({ accessToken: `access-${n}`, accessTokenExpiresAt: new Date(NOW + 900_000).toISOString(), refreshToken: `refresh-${n}` });

function store() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
}

const json = (body: unknown) => new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
const unauthenticated = () => json({ errors: [{ message: "expired", extensions: { code: "UNAUTHENTICATED" } }] });
const op = (operationName: string) => ({ method: "POST", body: JSON.stringify({ operationName, query: "…" }) });

describe("authFetch", () => {
  it("signs requests with the current access token", async () => {
    const session = new Session(vi.fn(), store(), () => NOW);
    session.start(tokens(1));
    const base = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => json({ data: {} }));
    await authFetch(session, base)("/graphql", op("Reports"));
    expect(new Headers(base.mock.calls[0][1]!.headers).get("Authorization")).toBe("Bearer access-1");
  });

  it("refreshes once and replays concurrent requests the server rejected", async () => {
    const refresh = vi.fn(async () => tokens(2));
    const session = new Session(refresh, store(), () => NOW);
    session.start(tokens(1));
    const base = vi.fn(async (_: RequestInfo | URL, init?: RequestInit) =>
      new Headers(init?.headers).get("Authorization") === "Bearer access-1" ? unauthenticated() : json({ data: { ok: true } }),
    );
    const f = authFetch(session, base);
    const answers = await Promise.all([f("/graphql", op("A")), f("/graphql", op("B"))]);
    for (const a of answers) expect(await a.json()).toEqual({ data: { ok: true } });
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(base).toHaveBeenCalledTimes(4);
  });

  it("ends the session when the refresh is refused, returning the server's answer", async () => {
    const session = new Session(async () => Promise.reject(new RefreshRefusedError("revoked")), store(), () => NOW);
    session.start(tokens(1));
    const res = await authFetch(session, async () => unauthenticated())("/graphql", op("Reports"));
    expect((await res.json()).errors[0].extensions.code).toBe("UNAUTHENTICATED");
    expect(session.hasSession).toBe(false);
  });

  it("sends sign-in operations without a token and without refreshing", async () => {
    const refresh = vi.fn();
    const session = new Session(refresh, store(), () => NOW);
    const base = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => json({ data: {} }));
    await authFetch(session, base)("/graphql", op("Login"));
    expect(new Headers(base.mock.calls[0][1]!.headers).has("Authorization")).toBe(false);
    expect(refresh).not.toHaveBeenCalled();
  });
});
