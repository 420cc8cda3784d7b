// The signed-in session. The access token lives only in memory (a script
// injected into the page cannot read it from storage after a reload); the
// refresh token is kept in localStorage so a reload or a new tab can resume,
// and it rotates on every use.

export interface Tokens {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
}

/**
 * Exchanges a refresh token for a new pair. It rejects with
 * RefreshRefusedError when the server refused the token; any other rejection
 * (the network, a server error) is taken as transient and keeps the session.
 */
export type RefreshFn = (refreshToken: string) => Promise<Tokens>;

export class RefreshRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RefreshRefusedError";
  }
}

/** Thrown when no valid session remains: the user must sign in again. */
export class SessionExpiredError extends Error {
  constructor() {
    super("Your session has expired. Please sign in again.");
    this.name = "SessionExpiredError";
  }
}

const REFRESH_KEY = "oopsie.refreshToken";
// Refresh a little before the deadline so a request never leaves with a
// token that expires on its way.
const EXPIRY_MARGIN_MS = 30_000;

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export class Session {
  private access: { token: string; expiresAt: number } | null = null;
  private inflight: Promise<string> | null = null;
  private listeners = new Set<() => void>();

  constructor(
    private readonly refreshFn: RefreshFn,
    private readonly store: KeyValueStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a session can be resumed (a refresh token is stored). */
  get hasSession(): boolean {
    return this.access !== null || this.store.getItem(REFRESH_KEY) !== null;
  }

  start(tokens: Tokens): void {
    this.access = { token: tokens.accessToken, expiresAt: Date.parse(tokens.accessTokenExpiresAt) };
    this.store.setItem(REFRESH_KEY, tokens.refreshToken);
    this.emit();
  }

  /** Forgets the session locally and returns the refresh token to revoke, if any. */
  end(): string | null {
    const refreshToken = this.store.getItem(REFRESH_KEY);
    this.access = null;
    this.store.removeItem(REFRESH_KEY);
    this.emit();
    return refreshToken;
  }

  /**
   * A valid access token, refreshing first when it is missing or about to
   * expire. Concurrent callers share one refresh: the refresh token is single
   * use, and presenting it twice would revoke the whole session.
   */
  async accessToken(): Promise<string> {
    if (this.access && this.access.expiresAt - EXPIRY_MARGIN_MS > this.now()) {
      return this.access.token;
    }
    return this.refresh();
  }

  /**
   * Forces a refresh, e.g. after the server rejected a token it should have
   * accepted. `rejected` is that token: if another request already replaced
   * it, the new one is returned without rotating again.
   */
  refresh(rejected?: string): Promise<string> {
    if (rejected !== undefined && this.access && this.access.token !== rejected) {
      return Promise.resolve(this.access.token);
    }
    if (!this.inflight) {
      this.inflight = this.rotate().finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async rotate(): Promise<string> {
    const refreshToken = this.store.getItem(REFRESH_KEY);
    if (!refreshToken) {
      this.end();
      throw new SessionExpiredError();
    }
    let tokens: Tokens;
    try {
      tokens = await this.refreshFn(refreshToken);
    } catch (err) {
      // Being offline for a moment must not sign the user out.
      if (!(err instanceof RefreshRefusedError)) throw err;
      // Another tab may have rotated the stored token meanwhile: try its
      // token. Only a refusal of the token still stored ends the session.
      if (this.store.getItem(REFRESH_KEY) !== refreshToken) return this.rotate();
      this.end();
      throw new SessionExpiredError();
    }
    this.start(tokens);
    return tokens.accessToken;
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}
