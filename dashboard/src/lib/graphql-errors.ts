// Errors as the server reports them: every GraphQL error carries
// extensions.code (see DESIGN.md).

type ErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "BAD_USER_INPUT"
  | "CONFLICT"
  | "RATE_LIMITED"
  | "INTERNAL";

interface ErrorLike {
  message: string;
  extensions?: Record<string, unknown>;
}

function errorCode(error: ErrorLike | undefined): ErrorCode | undefined {
  const code = error?.extensions?.code;
  return typeof code === "string" ? (code as ErrorCode) : undefined;
}

/** A sentence for the user; the server's message for input errors, which name the field. */
export function describeError(error: { graphQLErrors?: ErrorLike[]; networkError?: Error | null; message?: string } | null | undefined): string {
  if (!error) return "";
  const gql = error.graphQLErrors?.[0];
  switch (errorCode(gql)) {
    case "BAD_USER_INPUT":
    case "CONFLICT":
      return gql!.message;
    case "UNAUTHENTICATED":
      return "Your session has expired. Please sign in again.";
    case "FORBIDDEN":
      return "You are not allowed to do that.";
    case "NOT_FOUND":
      return "Not found. It may have been deleted.";
    case "RATE_LIMITED":
      return "Too many attempts. Wait a moment and try again.";
    case "INTERNAL":
      return "The server ran into an error. Try again later.";
  }
  if (gql) return gql.message;
  if (error.networkError) return "Cannot reach the server. Check your connection and try again.";
  return error.message ?? "Something went wrong.";
}
