/**
 * Accept: the one door every channel (webhook, form, import, IMAP) hands raw bytes through.
 * The bytes are on disk (blob store, fsynced) and the row committed *before* this returns, so the channel
 * may then say "accepted" (HTTP 202, IMAP \Seen, SMTP 250). Only then is a job with the row's id queued.
 *
 * De-duplication: the same bytes (sha256, any channel) or the same Message-ID on the same channel is
 * the same message: the existing row's id comes back with status `duplicate` and nothing new is queued
 * (unless the existing row was never processed, in which case it is queued again — harmless, jobs are keyed).
 */
import { and, eq } from 'drizzle-orm';
import type { BlobStore } from '../db/blob-store.js';
import type { Db } from '../db/connection.js';
import { rawMessages } from '../db/schema/index.js';
import type { Channel } from '../decide/types.js';
import { AppError } from '../errors.js';
import { intakeJob } from '../queue/jobs.js';
import type { QueueDriver } from '../queue/queue-driver.js';

export type AcceptRawMessageOptions = {
  db: Db;
  blobs: BlobStore;
  queue: QueueDriver;
  raw: Buffer;
  channel: Channel;
  channelRef?: string | null;
  meta?: Record<string, unknown>;
  maxBytes: number;
  now: Date;
  /** store the message but quarantine it at once with this reason (e.g. a form's honeypot was filled) */
  quarantineReason?: string;
};

export type AcceptResult = {
  id: number;
  status: 'accepted' | 'duplicate';
  /** what made it a duplicate */
  duplicateOf?: 'bytes' | 'message-id';
};

/** End of the top-level header block (or the whole buffer when there is no blank line). */
const headerBlock = (raw: Buffer): string => {
  const limit = Math.min(raw.length, 256 * 1024);
  const head = raw.subarray(0, limit).toString('latin1');
  const m = /\r?\n\r?\n/.exec(head);
  return m ? head.slice(0, m.index) : head;
};

/** The Message-ID of the top-level header block, without brackets, by a cheap scan (no MIME parsing). */
export const scanMessageId = (raw: Buffer): string | null => {
  const m = /^message-id:[ \t]*(?:\r?\n[ \t]+)?<?([^<>\s]+@[^<>\s]+|[^<>\s]{6,})>?/im.exec(headerBlock(raw));
  return m ? m[1].slice(0, 512) : null;
};

/** Stores the raw message durably and queues it for processing. Throws AppError on empty or oversized input. */
export const acceptRawMessage = async (opts: AcceptRawMessageOptions): Promise<AcceptResult> => {
  const { db, blobs, queue, raw, channel, now } = opts;
  if (raw.length === 0) throw new AppError('EMPTY_BODY', 'The message is empty');
  if (raw.length > opts.maxBytes) {
    throw new AppError('PAYLOAD_TOO_LARGE', `The message is ${raw.length} bytes; the limit is ${opts.maxBytes} (MAILROOM_MAX_MESSAGE_BYTES)`);
  }
  const headerMessageId = scanMessageId(raw);
  const sha256 = blobs.put(raw);

  const inserted = db.insert(rawMessages).values({
    sha256,
    size: raw.length,
    channel,
    channelRef: opts.channelRef ?? null,
    headerMessageId,
    state: opts.quarantineReason ? 'failed' : 'accepted',
    error: opts.quarantineReason ?? null,
    receivedAt: now,
    meta: opts.meta ?? null,
  }).onConflictDoNothing().returning({ id: rawMessages.id }).get();

  if (inserted) {
    if (opts.quarantineReason) return { id: inserted.id, status: 'accepted' };
    await queue.enqueue(intakeJob, { rawMessageId: inserted.id });
    return { id: inserted.id, status: 'accepted' };
  }

  const bySha = db.select({ id: rawMessages.id, state: rawMessages.state }).from(rawMessages).where(eq(rawMessages.sha256, sha256)).get();
  const existing = bySha ?? (headerMessageId
    ? db.select({ id: rawMessages.id, state: rawMessages.state }).from(rawMessages)
      .where(and(eq(rawMessages.channel, channel), eq(rawMessages.headerMessageId, headerMessageId))).get()
    : undefined);
  if (!existing) throw new Error('raw message insert conflicted but no existing row was found');
  if (existing.state === 'accepted') await queue.enqueue(intakeJob, { rawMessageId: existing.id });
  return { id: existing.id, status: 'duplicate', duplicateOf: bySha ? 'bytes' : 'message-id' };
};
