/**
 * The bounce intake effect: when intake flags a message as a bounce, find the outbox row it reports
 * on and record the outcome there and on that row's ticket.
 *
 * Matching: the Message-ID of the returned message (extractBounceDetails reads it from the DSN's
 * returned headers or the pasted original), else any In-Reply-To / References of the bounce itself
 * (some MTAs thread their notices), compared with the Message-IDs on our outbox rows, which are ours
 * and unguessable. No match, no change: a bounce of mail we never sent says nothing about our mail.
 *
 * Outcome: when every recipient the bounce names was only delayed (`Action: delayed`, a "will keep
 * trying" notice), the ticket gets a `reply_delayed` event and the row stays as it is. Otherwise the
 * row becomes `bounced` with a reason built from the recipients' status codes and diagnostics, and the
 * ticket gets `reply_bounced`.
 */
import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { outbox } from '../db/schema/index.js';
import { extractBounceDetails, type BounceRecipient } from '../intake/detect-bounce-details.js';
import { insertTicketEvents, type TicketEventRecord } from '../tickets/ticket-events.js';
import { AUTO_REPLY_ACTOR, type FiledMessage } from './acknowledge-message.js';

export type MatchBounceOutcome =
  | { matched: false }
  | { matched: true; outboxId: number; ticketId: number | null; outcome: 'bounced' | 'delayed'; reason: string; events: TicketEventRecord[] };

const describe = (r: BounceRecipient): string =>
  [r.address + ':', r.status ?? r.replyCode ?? '', r.diagnostic ?? (r.action ?? '')].filter(Boolean).join(' ').slice(0, 300);

/** Matches one filed bounce to its outbox row and records it. A non-bounce returns `{ matched: false }`. */
export const matchBounce = ({ db, result, now }: { db: Db; result: FiledMessage; now: Date }): MatchBounceOutcome => {
  if (!result.flags.bounce) return { matched: false };
  const details = extractBounceDetails({ message: result.parsed });
  const candidates = [details.originalMessageId, result.parsed.inReplyTo, ...result.parsed.references]
    .filter((id): id is string => Boolean(id)).slice(0, 50);
  if (candidates.length === 0) return { matched: false };
  const rows = db.select().from(outbox).where(inArray(outbox.messageId, candidates)).all();
  const row = candidates.map((id) => rows.find((r) => r.messageId === id)).find(Boolean);
  if (!row) return { matched: false };

  const onlyDelayed = details.recipients.length > 0 && details.recipients.every((r) => r.action === 'delayed');
  const failed = details.recipients.filter((r) => r.action !== 'delayed' && r.action !== 'delivered' && r.action !== 'relayed' && r.action !== 'expanded');
  const reason = (onlyDelayed ? details.recipients : failed).map(describe).join('; ')
    || `bounced${details.reportingMta ? ` (reported by ${details.reportingMta})` : ''}, no details given`;
  const outcome = onlyDelayed ? 'delayed' : 'bounced';

  const data = {
    outboxId: row.id, kind: row.kind, messageId: row.messageId, reason,
    recipients: details.recipients.map((r) => ({ address: r.address, action: r.action, status: r.status, diagnostic: r.diagnostic })),
    bounceTicketId: result.ticketId, bounceMessageId: result.messageRowId,
  };
  const events: TicketEventRecord[] = [];
  if (row.ticketId !== null) events.push({ ticketId: row.ticketId, type: outcome === 'bounced' ? 'reply_bounced' : 'reply_delayed', actor: AUTO_REPLY_ACTOR, data, at: now });
  if (row.ticketId !== result.ticketId) {
    events.push({ ticketId: result.ticketId, type: 'bounce_matched', actor: AUTO_REPLY_ACTOR, data: { outboxId: row.id, ticketId: row.ticketId, outcome }, at: now });
  }
  db.transaction((tx) => {
    if (outcome === 'bounced') {
      tx.update(outbox).set({ state: 'bounced', bouncedAt: now, bounceReason: reason, updatedAt: now }).where(eq(outbox.id, row.id)).run();
    }
    insertTicketEvents(tx, events);
  });
  return { matched: true, outboxId: row.id, ticketId: row.ticketId, outcome, reason, events };
};
