import { Client, fetchExchange, subscriptionExchange, cacheExchange } from "urql";
import { createClient as createWSClient, type Client as WSClient } from "graphql-ws";
import { Session, type Tokens } from "./session";
import { authFetch } from "./auth-fetch";

const GRAPHQL_PATH = "/graphql";
// The server closes a socket whose connection_init carried a bad token with 4403.
const CLOSE_FORBIDDEN = 4403;

const REFRESH_MUTATION = `mutation RefreshToken($token: String!) {
  refreshToken(token: $token) { accessToken accessTokenExpiresAt refreshToken }
}`;

async function refreshTokens(refreshToken: string): Promise<Tokens> {
  const res = await fetch(GRAPHQL_PATH, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ operationName: "RefreshToken", query: REFRESH_MUTATION, variables: { token: refreshToken } }),
  });
  const body = (await res.json()) as { data?: { refreshToken: Tokens }; errors?: { message: string }[] };
  if (!body.data?.refreshToken) throw new Error(body.errors?.[0]?.message ?? `refresh failed (${res.status})`);
  return body.data.refreshToken;
}

export const session = new Session(refreshTokens, window.localStorage);

function websocketURL(): string {
  const { protocol, host } = window.location;
  return `${protocol === "https:" ? "wss:" : "ws:"}//${host}${GRAPHQL_PATH}`;
}

/**
 * The WebSocket re-authenticates on every (re)connection: connectionParams is
 * evaluated each time, with a fresh access token. A 4403 close (token
 * refused) forces a refresh before the next attempt.
 */
function createLiveClient(): WSClient {
  let refused: string | null = null;
  let lastToken = "";
  return createWSClient({
    url: websocketURL(),
    lazy: true,
    retryAttempts: Infinity,
    shouldRetry: () => session.hasSession,
    connectionParams: async () => {
      lastToken = refused === lastToken ? await session.refresh(refused) : await session.accessToken();
      refused = null;
      return { authorization: `Bearer ${lastToken}` };
    },
    on: {
      closed: (event) => {
        if ((event as CloseEvent | undefined)?.code === CLOSE_FORBIDDEN) refused = lastToken;
      },
    },
  });
}

export const liveClient = createLiveClient();

// Signing out (or another account signing in) must not keep a socket
// authenticated as the previous user.
let hadSession = session.hasSession;
session.subscribe(() => {
  if (hadSession && !session.hasSession) liveClient.terminate();
  hadSession = session.hasSession;
});

export const client = new Client({
  url: GRAPHQL_PATH,
  fetch: authFetch(session),
  requestPolicy: "cache-and-network",
  exchanges: [
    cacheExchange,
    fetchExchange,
    subscriptionExchange({
      forwardSubscription(request) {
        const input = { ...request, query: request.query || "" };
        return {
          subscribe(sink) {
            const unsubscribe = liveClient.subscribe(input, sink);
            return { unsubscribe };
          },
        };
      },
    }),
  ],
});
