import { useSyncExternalStore } from "react";
import { session } from "./client";

/** Whether the user is signed in, re-rendering when that changes. */
export function useHasSession(): boolean {
  return useSyncExternalStore(
    (cb) => session.subscribe(cb),
    () => session.hasSession,
  );
}
