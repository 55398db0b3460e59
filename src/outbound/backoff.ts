/**
 * Exponential backoff with a cap, shared by the outbox (SMTP retries) and the IMAP pollers
 * (reconnects). Pure: the caller passes the attempt number and, if it wants jitter, a random number.
 *
 *   delay(n) = min(cap, base * 2^(n-1)) * (1 + jitter * (2r - 1))
 *
 * n = 1 is the delay after the first failure. Jitter (default none) spreads reconnects of many
 * accounts that failed at the same moment (a server restart) so they do not all return at once.
 */
export type BackoffOptions = { baseMs: number; maxMs: number; jitter?: number; random?: number };

export const exponentialBackoffMs = (failures: number, { baseMs, maxMs, jitter = 0, random = 0.5 }: BackoffOptions): number => {
  const n = Math.max(1, Math.floor(failures));
  // 2^(n-1) overflows to Infinity long after the cap is reached; min() handles it.
  const raw = Math.min(maxMs, baseMs * 2 ** Math.min(n - 1, 52));
  const spread = 1 + jitter * (2 * random - 1);
  return Math.max(0, Math.round(raw * spread));
};
