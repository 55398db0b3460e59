/**
 * A ticket's SLA timeline from its history (ticket_events), pure. The mapping:
 *
 * | ticket event                              | SLA timeline event                                  |
 * |-------------------------------------------|-----------------------------------------------------|
 * | `message_received` {automated: false}     | `customer_message` (at = when intake accepted it)   |
 * | `message_received` {automated: true}      | nothing: an out-of-office or bounce starts no clock |
 * | `reply_sent`                              | `agent_reply`                                       |
 * | `first_response` with no `reply_sent` at the same instant | `agent_reply` (a response recorded without an outbox mail) |
 * | `auto_reply_sent`                         | `auto_reply` (stops first response only where the policy says so) |
 * | `status_changed` {from, to}               | `status_changed` (pauses and resumes clocks), then `resolved` when `to` is resolved or closed |
 * | `reopened`                                | `reopened`                                          |
 * | `sla_policy_changed` {from, to}           | `policy_changed` (a marker: the clocks are computed under the current policy) |
 *
 * Everything else (created, assigned, priority or queue changes, SLA warnings...) does not move a clock.
 * Intake writes a ticket's events with the instant the message was accepted, so a customer message's
 * clock starts when the message arrived, not when a worker got round to it.
 */
import type { SlaTimelineEvent } from './compute-clocks.js';

/** The ticket event types that move SLA clocks: a hook can ignore every other type. */
export const SLA_TIMELINE_EVENT_TYPES: readonly string[] = [
  'message_received', 'reply_sent', 'first_response', 'auto_reply_sent', 'status_changed', 'reopened', 'sla_policy_changed',
];

/** Statuses after which nothing is owed: entering one resolves the ticket as far as clocks are concerned. */
export const RESOLVED_STATUSES: readonly string[] = ['resolved', 'closed'];

/** A ticket event as stored (the fields the timeline needs). */
export type TicketHistoryEvent = { type: string; data: Record<string, unknown>; at: Date };

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * Builds the SLA timeline of a ticket from its events, in the order given (callers pass them ordered by
 * instant, then by id, as they were written).
 */
export const buildSlaTimeline = (events: readonly TicketHistoryEvent[]): SlaTimelineEvent[] => {
  const replyInstants = new Set<number>();
  for (const event of events) if (event.type === 'reply_sent') replyInstants.add(event.at.getTime());
  const timeline: SlaTimelineEvent[] = [];
  for (const { type, data, at } of events) {
    switch (type) {
      case 'message_received':
        if (data.automated !== true) timeline.push({ type: 'customer_message', at });
        break;
      case 'reply_sent':
        timeline.push({ type: 'agent_reply', at });
        break;
      case 'first_response':
        if (!replyInstants.has(at.getTime())) timeline.push({ type: 'agent_reply', at });
        break;
      case 'auto_reply_sent':
        timeline.push({ type: 'auto_reply', at });
        break;
      case 'status_changed': {
        const to = text(data.to);
        if (to === null) break;
        timeline.push({ type: 'status_changed', at, from: text(data.from), to });
        if (RESOLVED_STATUSES.includes(to)) timeline.push({ type: 'resolved', at });
        break;
      }
      case 'reopened':
        timeline.push({ type: 'reopened', at });
        break;
      case 'sla_policy_changed':
        timeline.push({ type: 'policy_changed', at, from: text(data.from), to: text(data.to) });
        break;
    }
  }
  return timeline;
};
