import type { Session } from "./session";

// The server closes a socket whose connection_init carried a bad token with 4403.
const CLOSE_FORBIDDEN = 4403;

/**
 * Authentication for the subscriptions' WebSocket. connectionParams runs on
 * every (re)connection, so each one carries a fresh access token; after the
 * server refused a token (4403), the next attempt refreshes first instead of
 * presenting the same token again.
 */
export function liveAuthentication(session: Session) {
  let lastToken: string | null = null;
  let refused = false;
  return {
    async connectionParams() {
      const token = refused && lastToken ? await session.refresh(lastToken) : await session.accessToken();
      lastToken = token;
      refused = false;
      return { authorization: `Bearer ${token}` };
    },
    closed(code: number | undefined) {
      if (code === CLOSE_FORBIDDEN) refused = true;
    },
  };
}
