import { describe, expect, it, vi } from "vitest";
import { RefreshRefusedError, Session, SessionExpiredError, type Tokens } from "./session";

class MemoryStore {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
  removeItem(k: string) {
    this.data.delete(k);
  }
}

const NOW = Date.parse("2026-01-01T12:00:00Z");
const tokens = (n: number, expiresInMs = 15 * 60_000): Tokens => ({
  accessToken: `access-${n}`,
  accessTokenExpiresAt: new Date(NOW + expiresInMs).toISOString(),
  refreshToken: `refresh-${n}`,
});

describe("Session", () => {
  it("uses the access token in memory while it is valid", async () => {
    const refresh = vi.fn();
    const s = new Session(refresh, new MemoryStore(), () => NOW);
    s.start(tokens(1));
    expect(await s.accessToken()).toBe("access-1");
    expect(refresh).not.toHaveBeenCalled();
  });

  it("rotates once for concurrent callers and stores the new refresh token", async () => {
    const store = new MemoryStore();
    let calls = 0;
    const refresh = vi.fn(async (rt: string) => {
      calls++;
      expect(rt).toBe("refresh-1");
      await new Promise((r) => setTimeout(r, 5));
      return tokens(2);
    });
    const s = new Session(refresh, store, () => NOW);
    s.start(tokens(1, 10_000)); // inside the expiry margin: must refresh
    const results = await Promise.all([s.accessToken(), s.accessToken(), s.accessToken()]);
    expect(results).toEqual(["access-2", "access-2", "access-2"]);
    expect(calls).toBe(1);
    expect(store.getItem("oopsie.refreshToken")).toBe("refresh-2");
  });

  it("does not rotate again for a request that failed with a token already replaced", async () => {
    const refresh = vi.fn(async () => tokens(3));
    const s = new Session(refresh, new MemoryStore(), () => NOW);
    s.start(tokens(1));
    await s.refresh("access-1");
    expect(await s.refresh("access-1")).toBe("access-3");
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it("resumes from the stored refresh token after a reload", async () => {
    const store = new MemoryStore();
    store.setItem("oopsie.refreshToken", "refresh-9");
    const s = new Session(async (rt) => (rt === "refresh-9" ? tokens(10) : Promise.reject(new Error("bad"))), store, () => NOW);
    expect(s.hasSession).toBe(true);
    expect(await s.accessToken()).toBe("access-10");
  });

  it("ends the session and notifies when the refresh token is refused", async () => {
    const store = new MemoryStore();
    const s = new Session(async () => Promise.reject(new RefreshRefusedError("revoked")), store, () => NOW);
    s.start(tokens(1, 0));
    const listener = vi.fn();
    s.subscribe(listener);
    await expect(s.accessToken()).rejects.toBeInstanceOf(SessionExpiredError);
    expect(s.hasSession).toBe(false);
    expect(store.getItem("oopsie.refreshToken")).toBeNull();
    expect(listener).toHaveBeenCalled();
  });

  it("keeps the session when the refresh fails for another reason, such as the network", async () => {
    const store = new MemoryStore();
    let offline = true;
    const s = new Session(async () => (offline ? Promise.reject(new TypeError("Failed to fetch")) : tokens(4)), store, () => NOW);
    s.start(tokens(1, 0));
    await expect(s.accessToken()).rejects.toBeInstanceOf(TypeError);
    expect(s.hasSession).toBe(true);
    expect(store.getItem("oopsie.refreshToken")).toBe("refresh-1");
    offline = false;
    expect(await s.accessToken()).toBe("access-4");
  });

  it("retries with a token another tab rotated instead of signing out", async () => {
    const store = new MemoryStore();
    const refresh = vi.fn(async (rt: string) => {
      if (rt === "refresh-1") {
        store.setItem("oopsie.refreshToken", "refresh-other-tab");
        throw new RefreshRefusedError("already used");
      }
      return tokens(5);
    });
    const s = new Session(refresh, store, () => NOW);
    s.start(tokens(1, 0));
    expect(await s.accessToken()).toBe("access-5");
    expect(refresh).toHaveBeenLastCalledWith("refresh-other-tab");
  });

  it("end returns the refresh token to revoke and forgets it", () => {
    const store = new MemoryStore();
    const s = new Session(vi.fn(), store, () => NOW);
    s.start(tokens(1));
    expect(s.end()).toBe("refresh-1");
    expect(s.hasSession).toBe(false);
  });
});
