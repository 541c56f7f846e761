// How long the realtime socket waits before reconnecting: no React, no tRPC, so it can be tested alone.

const RECONNECT_BASE_MS = 500;
export const RECONNECT_MAX_MS = 10_000;

/**
 * Exponential backoff with jitter, capped at ~10 s: the first retry is immediate, later ones spread out so
 * that thousands of phones dropped by the same network blip (or server deploy) don't reconnect in lockstep.
 * Attempt n waits between half and all of min(10 s, 0.5 s × 2ⁿ).
 */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  if (attempt === 0) return 0;
  const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** attempt);
  return ceiling / 2 + random() * (ceiling / 2);
}
