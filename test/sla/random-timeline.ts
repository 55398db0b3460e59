/**
 * Random but plausible ticket timelines for property tests and bench/sla.ts: a customer message, then a
 * mix of replies, follow-ups, waiting-on-customer periods, resolves and reopens, in time order.
 */
import type { SlaTimelineEvent } from '../../src/sla/compute-clocks.js';

const MINUTE = 60_000;

export type RandomTimelineOptions = {
  random: () => number;
  /** the first customer message falls in [from, to) (epoch ms, whole minutes) */
  from: number;
  to: number;
  /** at most this many events after the first message */
  maxEvents?: number;
  /** events never go past this instant */
  until?: number;
  /** reopen a ticket that ends resolved (at the last event + 1 minute), so its clocks run */
  endOpen?: boolean;
};

/** Minutes until the next event: mostly minutes to hours, sometimes days. */
const gapMinutes = (random: () => number): number => {
  const roll = random();
  if (roll < 0.5) return 1 + Math.floor(random() * 120);
  if (roll < 0.85) return 60 + Math.floor(random() * 24 * 60);
  return 24 * 60 + Math.floor(random() * 4 * 24 * 60);
};

export const randomTimeline = ({ random, from, to, maxEvents = 8, until = Number.POSITIVE_INFINITY, endOpen = false }: RandomTimelineOptions): SlaTimelineEvent[] => {
  let t = from + Math.floor((random() * (to - from)) / MINUTE) * MINUTE;
  const events: SlaTimelineEvent[] = [{ type: 'customer_message', at: new Date(t) }];
  if (random() < 0.5) events.push({ type: 'auto_reply', at: new Date(t + MINUTE) });
  let status = 'open';
  let resolved = false;
  const count = Math.floor(random() * (maxEvents + 1));
  for (let i = 0; i < count; i++) {
    t += gapMinutes(random) * MINUTE;
    if (t > until) break;
    const at = new Date(t);
    const roll = random();
    if (resolved) {
      if (roll < 0.6) {
        resolved = false;
        events.push({ type: 'reopened', at }, { type: 'customer_message', at });
      }
    } else if (roll < 0.35) {
      events.push({ type: 'agent_reply', at });
    } else if (roll < 0.6) {
      events.push({ type: 'customer_message', at });
      if (status === 'pending') {
        events.push({ type: 'status_changed', at, from: 'pending', to: 'open' });
        status = 'open';
      }
    } else if (roll < 0.75) {
      const next = status === 'pending' ? 'open' : 'pending';
      events.push({ type: 'status_changed', at, from: status, to: next });
      status = next;
    } else if (roll < 0.85) {
      events.push({ type: 'resolved', at });
      resolved = true;
    } else {
      events.push({ type: 'agent_reply', at }, { type: 'status_changed', at, from: status, to: 'pending' });
      status = 'pending';
    }
  }
  if (endOpen && resolved) {
    const at = new Date(t + MINUTE);
    events.push({ type: 'reopened', at }, { type: 'customer_message', at });
  }
  return events;
};
