/**
 * After a warning or breach is recorded: run the `on: sla.warning` / `on: sla.breach` rules
 * (`decideOnEvent`, the same engine as intake's `decide`) on the ticket as it stands, apply what they
 * change (priority, queue, category, assignee, added tags) through `updateTicket` — one event per
 * change, handed to the ticket hooks — and queue a POST to each webhook they name. What happened is
 * stored on the crossing (`sla_crossings.outcome`) for the API and for supervisors.
 *
 * A crossing recorded after its clock had already stopped (a timer that could not fire while Mailroom
 * was down, noticed when the agent's reply came in) is recorded for the reports, but the rules are not
 * run: escalating a ticket that has been answered or resolved would only mislead.
 *
 * Runs once per crossing: it is called only by the sync that inserted the crossing's row.
 */
import { eq } from 'drizzle-orm';
import { slaCrossings } from '../db/schema/index.js';
import { decideOnEvent } from '../decide/decide.js';
import type { Decision } from '../decide/types.js';
import type { RuleSet, SlaEventFacts } from '../rules/rule-types.js';
import type { Services } from '../services.js';
import { updateTicket, type TicketChanges } from '../tickets/update-ticket.js';
import type { TicketEventRecord } from '../tickets/ticket-events.js';
import { loadTicketDecisionInput } from './load-ticket-decision-input.js';
import { slaWebhookJob } from './sla-jobs.js';
import { withoutFsync } from './without-fsync.js';
import type { RecordedCrossing } from './sync-ticket-sla.js';

/** Actor of the ticket changes made by `on: sla.*` rules. */
export const SLA_RULES_ACTOR = 'sla-rules';

/** What the rules did for one crossing (`sla_crossings.outcome`). */
export type SlaRulesOutcome = {
  event: SlaEventFacts['name'];
  /** set when the rules did not run, with the reason */
  skipped?: string;
  matched: string[];
  changes: TicketChanges;
  webhooks: string[];
  summary: string[];
};

/** The ticket changes that turn `current` into `next` (rules add tags; they never remove one). */
export const changesBetween = (current: Decision, next: Decision): TicketChanges => {
  const changes: TicketChanges = {};
  if (next.priority !== current.priority) changes.priority = next.priority;
  if (next.queue !== current.queue) changes.queue = next.queue;
  if (next.category !== current.category) changes.category = next.category;
  if (next.assignee !== current.assignee) changes.assignee = next.assignee;
  const added = next.tags.filter((tag) => !current.tags.includes(tag));
  if (added.length > 0) changes.addTags = added;
  return changes;
};

const eventNameOf = (kind: 'warning' | 'breach'): SlaEventFacts['name'] => (kind === 'warning' ? 'sla.warning' : 'sla.breach');

/**
 * The outcome of a crossing when the rules need not run — its clock had stopped, or no rule listens to
 * the event — so the sync can store it with the crossing in the same transaction; null when they must run.
 */
export const outcomeWithoutRules = (kind: 'warning' | 'breach', clockActive: boolean, ruleSet: Pick<RuleSet, 'byEvent'>): SlaRulesOutcome | null => {
  const event = eventNameOf(kind);
  const base: SlaRulesOutcome = { event, matched: [], changes: {}, webhooks: [], summary: [] };
  if (!clockActive) return { ...base, skipped: 'the clock had already stopped when this was recorded' };
  if (ruleSet.byEvent[event].length === 0) return { ...base, summary: [`${event}: no rules for this event`] };
  return null;
};

export type RunSlaRulesOptions = {
  services: Pick<Services, 'db' | 'queue' | 'clock' | 'log' | 'decider' | 'emitTicketEvents'>;
  ticketId: number;
  crossing: RecordedCrossing;
};

export const runSlaRules = async ({ services, ticketId, crossing }: RunSlaRulesOptions): Promise<SlaRulesOutcome> => {
  const { db, log } = services;
  const event: SlaEventFacts = { name: eventNameOf(crossing.kind), clock: crossing.clock, policy: crossing.policy };
  const ruleSet = services.decider.ruleSet();
  const without = outcomeWithoutRules(crossing.kind, crossing.clockActive, ruleSet);
  if (without !== null) {
    withoutFsync(db, () => db.update(slaCrossings).set({ outcome: without as unknown as Record<string, unknown> }).where(eq(slaCrossings.id, crossing.id)).run());
    return without;
  }
  const outcome: SlaRulesOutcome = { event: event.name, matched: [], changes: {}, webhooks: [], summary: [] };
  let applied: TicketEventRecord[] = [];
  const now = services.clock.now();
  const loaded = loadTicketDecisionInput({ db, ticketId, policy: crossing.policy, now });
  if (loaded === null) {
    outcome.skipped = 'the ticket has no customer message';
  } else {
    const { decision, trace } = decideOnEvent({ event, input: loaded.input, current: loaded.current, ruleSet, context: services.decider.context() });
    outcome.matched = (trace.rules as { matched: string[] }).matched;
    outcome.summary = trace.summary;
    outcome.changes = changesBetween(loaded.current, decision);
    outcome.webhooks = decision.webhooks.map((webhook) => webhook.url);
  }
  // The outcome first, without an fsync: the rules' changes below commit with one, which covers both.
  withoutFsync(db, () => db.update(slaCrossings).set({ outcome: outcome as unknown as Record<string, unknown> }).where(eq(slaCrossings.id, crossing.id)).run());
  if (Object.keys(outcome.changes).length > 0) {
    const reason = `${event.name} ${crossing.key}: rule ${outcome.matched.join(', ')}`;
    applied = updateTicket({ db, ticketId, changes: { ...outcome.changes, reason }, actor: SLA_RULES_ACTOR, now });
  }
  if (outcome.matched.length > 0) log.info({ ticketId, key: crossing.key, matched: outcome.matched, changes: outcome.changes }, `sla: ${event.name} rules applied`);
  await services.emitTicketEvents(applied);
  for (let index = 0; index < outcome.webhooks.length; index++) {
    try {
      await services.queue.enqueue(slaWebhookJob, { crossingId: crossing.id, index });
    } catch (err) {
      log.error({ err, ticketId, key: crossing.key, url: outcome.webhooks[index] }, 'sla: could not queue a webhook');
    }
  }
  return outcome;
};
