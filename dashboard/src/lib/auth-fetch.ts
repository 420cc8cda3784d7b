import { Session, SessionExpiredError } from "./session";

// Operations that run without a session (signing in, first-launch setup).
const ANONYMOUS_OPERATIONS = new Set(["Login", "Setup", "RefreshToken", "SetupStatus", "Logout"]);

function operationName(init: RequestInit | undefined): string | undefined {
  if (typeof init?.body !== "string") return undefined;
  try {
    return (JSON.parse(init.body) as { operationName?: string }).operationName;
  } catch {
    return undefined;
  }
}

async function isUnauthenticated(res: Response): Promise<boolean> {
  if (res.status === 401) return true;
  if (!res.headers.get("content-type")?.includes("json")) return false;
  try {
    const body = (await res.clone().json()) as { errors?: { extensions?: { code?: string } }[] };
    return body.errors?.some((e) => e.extensions?.code === "UNAUTHENTICATED") ?? false;
  } catch {
    return false;
  }
}

/**
 * A fetch for the GraphQL client that signs each request with the session's
 * access token, and when the server still answers UNAUTHENTICATED (the token
 * expired or was revoked), refreshes once and replays the request. When no
 * session can be recovered the session ends, which sends the user to the
 * login page, and the server's answer is returned as is.
 */
export function authFetch(session: Session, baseFetch: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    if (ANONYMOUS_OPERATIONS.has(operationName(init) ?? "")) return baseFetch(input, init);

    const send = (token: string) => {
      const headers = new Headers(init?.headers);
      headers.set("Authorization", `Bearer ${token}`);
      return baseFetch(input, { ...init, headers });
    };

    const token = await session.accessToken();
    const res = await send(token);
    if (!(await isUnauthenticated(res))) return res;
    try {
      return await send(await session.refresh(token));
    } catch (err) {
      if (err instanceof SessionExpiredError) return res;
      throw err;
    }
  };
}
