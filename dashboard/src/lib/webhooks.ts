import { useEffect, useRef } from "react";
import type { WebhookDeliveryStatus } from "../gql/graphql";

// The project page's webhook section: its delivery log and signing secret.

/** How often the delivery log is refetched while a delivery awaits its first attempt. */
export const DELIVERY_POLL_MS = 3000;

/**
 * Whether the delivery log should poll for this delivery: only a pending one,
 * whose first attempt is seconds away. A retrying one backs off up to 12 h
 * between attempts (about a day and a half in all), too long to poll for; the
 * log's Refresh button shows its progress.
 */
export function awaitsFirstAttempt(status: WebhookDeliveryStatus): boolean {
  return status === "PENDING";
}

/** The log as shown: the API pages the latest deliveries oldest first; the newest goes on top. */
export function newestFirst<T>(deliveries: readonly T[]): T[] {
  return [...deliveries].reverse();
}

/** "whsec_a1b2…" → "whsec_••••••••••••9f3c": enough to recognise it, not to use it. */
export function maskSecret(secret: string): string {
  const prefix = secret.startsWith("whsec_") ? "whsec_" : "";
  const tail = secret.length - prefix.length > 8 ? secret.slice(-4) : "";
  return `${prefix}${"•".repeat(12)}${tail}`;
}

/**
 * Calls poll every intervalMs while active, skipping ticks while the tab is
 * hidden (a background tab has nobody to show the result to). The latest poll
 * is always the one called, so it may close over fresh state.
 */
export function usePolling(active: boolean, intervalMs: number, poll: () => void) {
  const latest = useRef(poll);
  useEffect(() => {
    latest.current = poll;
  });
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (document.visibilityState !== "hidden") latest.current();
    }, intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
}
