import { Client, fetchExchange, subscriptionExchange, cacheExchange } from "urql";
import { createClient as createWSClient, type Client as WSClient } from "graphql-ws";
import { RefreshRefusedError, Session, type Tokens } from "./session";
import { authFetch } from "./auth-fetch";
import { liveAuthentication } from "./live-auth";

const GRAPHQL_PATH = "/graphql";

const REFRESH_MUTATION = `mutation RefreshToken($token: String!) {
  refreshToken(token: $token) { accessToken accessTokenExpiresAt refreshToken }
}`;

async function refreshTokens(refreshToken: string): Promise<Tokens> {
  const res = await fetch(GRAPHQL_PATH, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ operationName: "RefreshToken", query: REFRESH_MUTATION, variables: { token: refreshToken } }),
  });
  if (!res.ok) throw new Error(`refresh failed (${res.status})`);
  const body = (await res.json()) as { data?: { refreshToken: Tokens }; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.data?.refreshToken) return body.data.refreshToken;
  const error = body.errors?.[0];
  // A rate limit or a server fault says nothing about the token.
  if (error?.extensions?.code === "RATE_LIMITED" || error?.extensions?.code === "INTERNAL") throw new Error(error.message);
  throw new RefreshRefusedError(error?.message ?? "refresh token refused");
}

export const session = new Session(refreshTokens, window.localStorage);

function websocketURL(): string {
  const { protocol, host } = window.location;
  return `${protocol === "https:" ? "wss:" : "ws:"}//${host}${GRAPHQL_PATH}`;
}

function createLiveClient(): WSClient {
  const auth = liveAuthentication(session);
  return createWSClient({
    url: websocketURL(),
    lazy: true,
    retryAttempts: Infinity,
    shouldRetry: () => session.hasSession,
    connectionParams: auth.connectionParams,
    on: { closed: (event) => auth.closed((event as CloseEvent | undefined)?.code) },
  });
}

const liveClient = createLiveClient();

// Signing out must not leave a socket authenticated as the user who left.
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
