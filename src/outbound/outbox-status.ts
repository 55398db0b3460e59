/** What the outbox is doing, for /health and GET /api/channels. */
import { and, count, desc, eq, gte, isNotNull, min } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { outbox, OUTBOX_STATES, type OutboxState } from '../db/schema/index.js';

/** A queued row that has failed this many times means delivery is stuck, not just slow. */
export const STUCK_ATTEMPTS = 3;

export type OutboxStatus = {
  smtp: { configured: boolean; server: string | null };
  counts: Record<OutboxState, number>;
  oldestQueuedAt: string | null;
  lastSentAt: string | null;
  /** queued rows that already failed STUCK_ATTEMPTS times or more */
  stuck: number;
  lastError: string | null;
};

export const readOutboxStatus = ({ db, smtpServer }: { db: Db; smtpServer: string | null }): OutboxStatus => {
  const counts = Object.fromEntries(OUTBOX_STATES.map((s) => [s, 0])) as Record<OutboxState, number>;
  for (const r of db.select({ state: outbox.state, n: count() }).from(outbox).groupBy(outbox.state).all()) counts[r.state] = r.n;
  const oldest = db.select({ at: min(outbox.createdAt) }).from(outbox).where(eq(outbox.state, 'queued')).get()?.at ?? null;
  const lastSent = db.select({ at: outbox.sentAt }).from(outbox).where(isNotNull(outbox.sentAt)).orderBy(desc(outbox.sentAt)).limit(1).get()?.at ?? null;
  const stuck = db.select({ n: count() }).from(outbox).where(and(eq(outbox.state, 'queued'), gte(outbox.attempts, STUCK_ATTEMPTS))).get()!.n;
  const lastError = db.select({ e: outbox.lastError }).from(outbox).where(isNotNull(outbox.lastError)).orderBy(desc(outbox.updatedAt), desc(outbox.id)).limit(1).get()?.e ?? null;
  const at = (v: Date | number | null) => (v === null ? null : new Date(v).toISOString());
  return {
    smtp: { configured: smtpServer !== null, server: smtpServer },
    counts, oldestQueuedAt: at(oldest), lastSentAt: at(lastSent), stuck, lastError,
  };
};
