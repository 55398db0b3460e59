/**
 * Puts every unsent outbox row back on the queue: at start (the inline queue forgets its jobs when the
 * process stops; a BullMQ job may have been lost with Redis) and periodically. Jobs are keyed by row
 * and attempt, so a row whose job is already waiting is not queued twice.
 *
 * A row stuck in `sending` longer than `staleSendingMs` belonged to a process that died mid-send (a
 * send cannot take longer: create-mailer.ts bounds every SMTP wait). It goes back to `queued`; the
 * server may or may not have accepted the first copy, and the Message-ID is the same either way.
 */
import { and, eq, lt } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { outbox } from '../db/schema/index.js';
import type { QueueDriver } from '../queue/queue-driver.js';
import { outboxSendJob } from './outbound-jobs.js';

/** Longer than any single SMTP conversation can last (see the timeouts in create-mailer.ts). */
export const STALE_SENDING_MS = 15 * 60 * 1000;

export type RecoverOutboxResult = { requeued: number; staleSending: number };

export const recoverOutbox = async ({ db, queue, now, staleSendingMs = STALE_SENDING_MS }: {
  db: Db; queue: QueueDriver; now: Date; staleSendingMs?: number;
}): Promise<RecoverOutboxResult> => {
  const stale = db.update(outbox)
    .set({ state: 'queued', updatedAt: now, lastError: 'the process sending it stopped before the server answered; sending again with the same Message-ID' })
    .where(and(eq(outbox.state, 'sending'), lt(outbox.sendingAt, new Date(now.getTime() - staleSendingMs))))
    .returning({ id: outbox.id }).all();
  const queued = db.select({ id: outbox.id, attempts: outbox.attempts, nextAttemptAt: outbox.nextAttemptAt })
    .from(outbox).where(eq(outbox.state, 'queued')).all();
  for (const row of queued) {
    const delayMs = row.nextAttemptAt ? Math.max(0, row.nextAttemptAt.getTime() - now.getTime()) : 0;
    await queue.enqueue(outboxSendJob, { outboxId: row.id, attempt: row.attempts + 1 }, delayMs > 0 ? { delayMs } : undefined);
  }
  return { requeued: queued.length, staleSending: stale.length };
};
