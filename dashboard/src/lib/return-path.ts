/** Where to come back to after signing in: only paths of this app, never another origin. */
export function safeReturnPath(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/login") ? next : "/";
}
