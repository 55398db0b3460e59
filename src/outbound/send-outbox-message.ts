/**
 * Sends one outbox row. At most once in normal operation: the row is claimed with
 * `update ... set state='sending' where id=? and state='queued'`, which exactly one caller wins, however
 * many workers hold a job for it; a row in any other state is left alone.
 *
 * Outcomes, each recorded on the row (and, for failures, as a ticket event):
 *  - sent: the server accepted it (250 after DATA): state `sent`, the server's answer kept;
 *  - temporary failure (see classify-send-error.ts) with tries left: back to `queued` with
 *    `nextAttemptAt`; the caller queues the next attempt after the returned delay;
 *  - permanent failure, or out of tries: `failed` with the reason and the server's answer.
 *
 * The one window where a message can go out twice is a process dying after the server accepted the
 * DATA but before `sent` was committed; the row then stays `sending` until recover-outbox.ts returns it
 * to the queue. The Message-ID is fixed on the row, so such a second copy is the same message to the
 * recipient's mail client.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { BlobStore } from '../db/blob-store.js';
import type { Db } from '../db/connection.js';
import { outbox } from '../db/schema/index.js';
import { insertTicketEvents, type TicketEventRecord } from '../tickets/ticket-events.js';
import { exponentialBackoffMs } from './backoff.js';
import { classifySendError, type SendErrorLike } from './classify-send-error.js';
import type { Mailer } from './create-mailer.js';

export type RetryPolicy = { baseMs: number; maxMs: number; maxAttempts: number };

export type SendOutboxMessageOptions = {
  db: Db;
  blobs: BlobStore;
  mailer: Mailer;
  outboxId: number;
  now: () => Date;
  retry: RetryPolicy;
};

export type SendOutcome =
  | { status: 'sent'; attempt: number; response: string }
  | { status: 'retry'; attempt: number; delayMs: number; reason: string }
  | { status: 'failed'; attempt: number; reason: string; events: TicketEventRecord[] }
  | { status: 'not-claimed'; state: string | null };

/** `reply_failed` for an agent's reply, `auto_reply_failed` for Mailroom's own (the kind is in the data). */
const failedEvent = (kind: string): string => (kind === 'reply' ? 'reply_failed' : 'auto_reply_failed');

/** Claims, sends and records one outbox row. Throws only on database errors. */
export const sendOutboxMessage = async ({ db, blobs, mailer, outboxId, now, retry }: SendOutboxMessageOptions): Promise<SendOutcome> => {
  const claimedAt = now();
  const row = db.update(outbox)
    .set({ state: 'sending', attempts: sql`${outbox.attempts} + 1`, sendingAt: claimedAt, updatedAt: claimedAt })
    .where(and(eq(outbox.id, outboxId), eq(outbox.state, 'queued')))
    .returning().get();
  if (!row) {
    const current = db.select({ state: outbox.state }).from(outbox).where(eq(outbox.id, outboxId)).get();
    return { status: 'not-claimed', state: current?.state ?? null };
  }

  try {
    const result = await mailer.send({
      from: { name: row.fromName ?? '', address: row.fromAddress },
      to: row.to,
      cc: row.cc,
      subject: row.subject,
      text: row.text,
      html: row.html,
      messageId: row.messageId,
      inReplyTo: row.inReplyTo,
      references: row.references,
      headers: row.headers,
      attachments: row.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: blobs.get(a.sha256) })),
      envelopeFrom: row.envelopeFrom,
      date: claimedAt,
    });
    const at = now();
    const rejected = result.rejected.length ? `; rejected recipients: ${result.rejected.join(', ')}` : '';
    db.update(outbox).set({
      state: 'sent', sentAt: at, updatedAt: at, nextAttemptAt: null,
      serverResponse: result.response.slice(0, 1000), lastError: rejected ? rejected.slice(2) : null,
    }).where(eq(outbox.id, row.id)).run();
    return { status: 'sent', attempt: row.attempts, response: result.response };
  } catch (err) {
    const failure = classifySendError(err as SendErrorLike);
    const at = now();
    if (failure.kind === 'temporary' && row.attempts < retry.maxAttempts) {
      const delayMs = exponentialBackoffMs(row.attempts, { baseMs: retry.baseMs, maxMs: retry.maxMs });
      db.update(outbox).set({
        state: 'queued', updatedAt: at, nextAttemptAt: new Date(at.getTime() + delayMs),
        lastError: failure.reason, serverResponse: failure.serverResponse,
      }).where(eq(outbox.id, row.id)).run();
      return { status: 'retry', attempt: row.attempts, delayMs, reason: failure.reason };
    }
    const reason = failure.kind === 'temporary' ? `gave up after ${row.attempts} attempts: ${failure.reason}` : failure.reason;
    const events: TicketEventRecord[] = row.ticketId === null ? [] : [{
      ticketId: row.ticketId, type: failedEvent(row.kind), actor: 'mailroom', at,
      data: { outboxId: row.id, kind: row.kind, to: row.to.map((a) => a.address), reason, serverResponse: failure.serverResponse },
    }];
    db.transaction((tx) => {
      tx.update(outbox).set({
        state: 'failed', failedAt: at, updatedAt: at, nextAttemptAt: null, lastError: reason, serverResponse: failure.serverResponse,
      }).where(eq(outbox.id, row.id)).run();
      insertTicketEvents(tx, events);
    });
    return { status: 'failed', attempt: row.attempts, reason, events };
  }
};
