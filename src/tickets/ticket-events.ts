/**
 * Ticket events: the history of a ticket, and how modules learn that something happened to one.
 *
 * Types (the `data` of each in brackets):
 * - `created` {channel, mailbox, queue, priority, category, followUpOf}
 * - `message_received` {messageId, from, automated, signals}
 * - `reopened` {by, reason}
 * - `status_changed` {from, to, reason?}
 * - `priority_changed` / `queue_changed` / `category_changed` {from, to, by}
 * - `assigned` {to, by, reason?} / `unassigned` {from, by, reason?}
 * - `tags_changed` {added, removed}
 * - `transferred` {fromQueue, toQueue, fromAssignee, toAssignee, count}
 * - `reply_sent` {outboxId, messageId, by}, `first_response` {by}, `reply_failed` {outboxId, error}
 * - `auto_reply_sent` {outboxId, template}, `auto_reply_skipped` {reason}, `auto_reply_failed` {outboxId, error}
 * - `reply_bounced` / `reply_delayed` {outboxId, reason, recipients, bounceTicketId}, `bounce_matched` {outboxId, ticketId, outcome}
 * - `claimed` leases are `assigned` {to, by: 'pull', queue, leaseMs}
 * - `sla_warning` / `sla_breach` {clock, policy, dueAt, key}
 *
 * Every event written through `recordTicketEvents` is handed, after commit, to the hooks in
 * `services.ticketHooks` (SLA clocks, classifier training examples, webhooks...). A hook's failure is
 * logged and does not undo the change.
 */
import type { Db } from '../db/connection.js';
import { ticketEvents } from '../db/schema/index.js';

export type TicketEventRecord = {
  ticketId: number;
  type: string;
  actor: string;
  data: Record<string, unknown>;
  at: Date;
};

export type TicketEventHook = (event: TicketEventRecord) => Promise<void> | void;

/** Writes events (inside the caller's transaction when `db` is one). */
export const insertTicketEvents = (db: Pick<Db, 'insert'>, events: TicketEventRecord[]): void => {
  if (events.length === 0) return;
  db.insert(ticketEvents).values(events.map((e) => ({ ticketId: e.ticketId, type: e.type, actor: e.actor, data: e.data, at: e.at }))).run();
};

/** Runs every hook on every event, in order; failures are reported through `onError`. */
export const runTicketHooks = async (hooks: TicketEventHook[], events: TicketEventRecord[], onError: (err: unknown, e: TicketEventRecord) => void): Promise<void> => {
  for (const e of events) {
    for (const hook of hooks) {
      try {
        await hook(e);
      } catch (err) {
        onError(err, e);
      }
    }
  }
};
