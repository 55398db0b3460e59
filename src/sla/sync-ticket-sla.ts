/**
 * Brings one ticket's SLA up to date at `now`: the one use case behind the ticket hook (something
 * happened to the ticket), the timer job (a warning or breach is due), the start-up rebuild and the sweep.
 *
 * In one immediate transaction (so two processes doing this for the same ticket run one after the other):
 *   1. choose the policy: the latest rule-chosen policy of the ticket's messages (a rule's `sla`
 *      action), else `selectPolicy` over the ticket's priority, category and queue and the customer's
 *      tier — the same function intake's `selectSlaPolicy` stage runs, so a ticket keeps the policy it
 *      was filed with until one of those facts changes. A change is recorded as `sla_policy_changed`.
 *   2. compute the clocks at `now` from the ticket's timeline (build-sla-timeline.ts);
 *   3. record each warning or breach reached at or before `now` that is not recorded yet: the insert
 *      into `sla_crossings` is keyed by (ticket, key) and does nothing when the key exists, and only a
 *      row actually inserted writes the `sla_warning` / `sla_breach` ticket event. However many timers
 *      fire and workers race, each key is recorded once;
 *   4. store the row (due and warning instants, states, the next deadline) and decide the timer: a new
 *      timer generation when the next deadline moved, or when the job now running was the ticket's
 *      timer (it is used up).
 * After commit: queue the timer job, hand the new events to the ticket hooks, and run the `on: sla.*`
 * rules for each new crossing (run-sla-rules.ts).
 *
 * Durability: the transaction commits with `synchronous=NORMAL` (no fsync of its own). Everything it
 * writes follows from the ticket's history, so a commit lost to a power cut is written again by the
 * next sync; and the rules' changes that follow a new crossing commit with the connection's FULL,
 * which makes the crossing durable first (the WAL is written in order).
 *
 * A timer job carries the generation it was queued for; when that is no longer the ticket's generation
 * the job is stale (the deadline moved: a reply stopped the clock, a customer message started a cycle)
 * and it ends without doing anything: the current timer is another job. A stale breach can therefore
 * never be recorded — and even a job that did run late only records what is due at the instant it runs.
 */
import type { Services } from '../services.js';
import type { TicketEventRecord } from '../tickets/ticket-events.js';
import { buildSlaTimeline } from './build-sla-timeline.js';
import { computeSlaClocks, nextSlaDeadlines, type SlaClock, type SlaClocks, type SlaCrossing } from './compute-clocks.js';
import { BUILTIN_SLA_CONFIG, slaConfigVersion } from './live-sla-config.js';
import { selectPolicy, type SlaPolicy, type SlaPolicyTrace } from './policy.js';
import { outcomeWithoutRules, runSlaRules } from './run-sla-rules.js';
import type { RuleSet } from '../rules/rule-types.js';
import type { SlaConfig } from './sla-config.js';
import { MAX_TIMER_DELAY_MS, slaTimerJob } from './sla-jobs.js';
import { slaRowValues } from './sla-row.js';
import { encodeRow, slaStatements, type SlaStatements } from './sla-statements.js';
import { withoutFsync } from './without-fsync.js';
import type { Priority } from '../decide/types.js';

/** Actor of the events the SLA module writes itself (policy changes, warnings, breaches). */
export const SLA_ACTOR = 'sla';

/** A warning or breach recorded by this call. */
export type RecordedCrossing = SlaCrossing & {
  id: number;
  policy: string;
  recordedAt: Date;
  clockActive: boolean;
  /** the `on: sla.*` rules still have to run (else the outcome was stored with the crossing) */
  rulesPending: boolean;
};

export type SyncTicketSlaResult =
  | { status: 'no-ticket' | 'no-config' | 'stale-timer'; crossings: []; timer: null }
  | {
    status: 'synced';
    policy: string;
    policyChanged: { from: string; to: string } | null;
    clocks: SlaClocks;
    /** recorded by this call, in time order */
    crossings: RecordedCrossing[];
    /** the timer job queued by this call, if any */
    timer: { at: Date; key: string; generation: number; delayMs: number } | null;
  };

export type SyncTicketSlaOptions = {
  services: Pick<Services, 'db' | 'queue' | 'clock' | 'log' | 'decider' | 'emitTicketEvents'>;
  ticketId: number;
  /** set when a timer job runs: the generation it was queued for */
  firedGeneration?: number;
};

/** The policy a rule chose on the ticket's latest message that had a rule choose one, if any. */
const ruleChosenPolicyOf = (statements: SlaStatements, ticketId: number): string | null => {
  for (const row of statements.policyChoices.all({ ticketId })) {
    if (row.hasSlaTrace === 1) {
      if (row.reason === 'rule' && row.chosen) return row.chosen;
    } else if (row.decided) {
      // decided without the SLA stage (no configuration then): the policy can only have come from a rule
      return row.decided;
    }
  }
  return null;
};

const clockOf = (clocks: SlaClocks, crossing: SlaCrossing): SlaClock | undefined => {
  if (crossing.clock === 'first_response') return clocks.firstResponse;
  if (crossing.clock === 'resolution') return clocks.resolution;
  return clocks.nextResponseCycles.find((cycle) => cycle.cycle === crossing.cycle);
};

type Written = {
  policy: SlaPolicy;
  policyChanged: { from: string; to: string } | null;
  clocks: SlaClocks;
  crossings: RecordedCrossing[];
  events: TicketEventRecord[];
  timer: { at: Date; key: string; generation: number } | null;
};

/** Steps 1-4 of the header for one ticket; runs inside the caller's transaction. */
const writeOne = (statements: SlaStatements, config: SlaConfig, ruleSet: RuleSet, ticketId: number, now: Date, firedGeneration: number | undefined): Written | 'no-ticket' | 'stale-timer' => {
  const ticket = statements.ticket.get({ ticketId });
  if (!ticket) return 'no-ticket';
  const row = statements.row.get({ ticketId });
  if (firedGeneration !== undefined && row !== undefined && row.timerGeneration !== firedGeneration) return 'stale-timer';

  const tier = statements.tier.get({ customerId: ticket.customerId })?.tier ?? null;
  const { policy, trace } = selectPolicy({
    policies: config.policies,
    facts: { priority: ticket.priority as Priority, category: ticket.category, queue: ticket.queue, customerTier: tier },
    ruleChosenPolicy: ruleChosenPolicyOf(statements, ticketId),
  });
  const events: TicketEventRecord[] = [];
  const record = (event: TicketEventRecord) => {
    statements.insertEvent.run({ ticketId, type: event.type, actor: event.actor, data: event.data, at: event.at });
    events.push(event);
  };
  let policyChanged: Written['policyChanged'] = null;
  if (row !== undefined && row.policy !== policy.name) {
    policyChanged = { from: row.policy, to: policy.name };
    record({ ticketId, type: 'sla_policy_changed', actor: SLA_ACTOR, data: { from: row.policy, to: policy.name, reason: trace.summary }, at: now });
  }

  const calendar = config.calendars.get(policy.calendar)!;
  const clocks = computeSlaClocks({ policy, calendar, events: buildSlaTimeline(statements.history.all({ ticketId })), now });

  const crossings: RecordedCrossing[] = [];
  for (const crossing of clocks.crossings) {
    const clock = clockOf(clocks, crossing);
    const clockActive = clock?.state === 'running' || clock?.state === 'paused';
    const outcome = outcomeWithoutRules(crossing.kind, clockActive, ruleSet);
    const inserted = statements.insertCrossing.get({
      ticketId, key: crossing.key, clock: crossing.clock, cycle: crossing.cycle, kind: crossing.kind, policy: policy.name, at: crossing.at, recordedAt: now,
      outcome: outcome === null ? null : JSON.stringify(outcome),
    });
    if (inserted === undefined) continue;
    crossings.push({ ...crossing, id: inserted.id, policy: policy.name, recordedAt: now, clockActive, rulesPending: outcome === null });
    record({
      ticketId,
      type: crossing.kind === 'warning' ? 'sla_warning' : 'sla_breach',
      actor: SLA_ACTOR,
      data: { clock: crossing.clock, cycle: crossing.cycle, policy: policy.name, dueAt: crossing.at.toISOString(), key: crossing.key, recordedAt: now.toISOString() },
      at: crossing.at,
    });
  }

  // A new generation when the deadline moved (or went: the old job becomes stale and ends at once)
  // or when the job running now was the timer; a job is queued only when there is a deadline.
  const next = nextSlaDeadlines(clocks).next;
  const previousAt = row?.timerAt?.getTime() ?? null;
  const nextAt = next?.at.getTime() ?? null;
  const newGeneration = row === undefined ? nextAt !== null : previousAt !== nextAt || firedGeneration !== undefined;
  const generation = (row?.timerGeneration ?? 0) + (newGeneration ? 1 : 0);
  const needsTimer = next !== null && newGeneration;
  const selection: Pick<SlaPolicyTrace, 'reason' | 'summary' | 'ruleChosenPolicy' | 'ruleChosenPolicyUnknown'> = {
    reason: trace.reason, summary: trace.summary, ruleChosenPolicy: trace.ruleChosenPolicy, ruleChosenPolicyUnknown: trace.ruleChosenPolicyUnknown,
  };
  statements.upsertRow.run(encodeRow({
    ticketId,
    policy: policy.name,
    policyReason: config === BUILTIN_SLA_CONFIG ? 'builtin' : trace.reason,
    calendar: policy.calendar,
    configVersion: slaConfigVersion(config),
    ...slaRowValues(clocks, selection),
    timerAt: next?.at ?? null,
    timerKey: next?.key ?? null,
    timerGeneration: generation,
    computedAt: now,
  }));

  return {
    policy, policyChanged, clocks, crossings, events,
    timer: needsTimer && next !== null ? { at: next.at, key: next.key, generation } : null,
  };
};

/** One ticket to bring up to date: as the ticket hook (no generation) or as its timer job. */
export type SlaSyncRequest = { ticketId: number; firedGeneration?: number };

/** After commit: queue the timer, hand the events to the hooks, run the rules for each new crossing. */
const afterCommit = async (services: SyncTicketSlaOptions['services'], ticketId: number, now: Date, written: Written): Promise<SyncTicketSlaResult> => {
  let timer: Extract<SyncTicketSlaResult, { status: 'synced' }>['timer'] = null;
  if (written.timer !== null) {
    const delayMs = Math.min(MAX_TIMER_DELAY_MS, Math.max(0, written.timer.at.getTime() - now.getTime()));
    timer = { ...written.timer, delayMs };
    try {
      await services.queue.enqueue(slaTimerJob, { ticketId, generation: written.timer.generation }, { delayMs });
    } catch (err) {
      // The row says when the timer is due; the sweep finds it overdue and runs it.
      services.log.error({ err, ticketId, generation: written.timer.generation }, 'sla: could not queue the timer; the sweep will run it');
    }
  }
  for (const crossing of written.crossings) {
    const lateMs = crossing.recordedAt.getTime() - crossing.at.getTime();
    services.log.info({ ticketId, key: crossing.key, policy: crossing.policy, dueAt: crossing.at, lateMs }, `sla: ${crossing.kind} recorded`);
  }
  await services.emitTicketEvents(written.events);
  for (const crossing of written.crossings) if (crossing.rulesPending) await runSlaRules({ services, ticketId, crossing });
  return {
    status: 'synced',
    policy: written.policy.name,
    policyChanged: written.policyChanged,
    clocks: written.clocks,
    crossings: written.crossings,
    timer,
  };
};

/**
 * Brings several tickets up to date in one transaction (a burst of timers due at the same instant
 * costs one commit, not one each), then does each ticket's after-commit work in order. Results are in
 * the order of `requests`. A failure rolls back the whole batch; callers retry one by one.
 */
export const syncTicketsSla = async ({ services, requests }: { services: SyncTicketSlaOptions['services']; requests: readonly SlaSyncRequest[] }): Promise<SyncTicketSlaResult[]> => {
  const config = services.decider.sla().config;
  if (config === null) return requests.map(() => ({ status: 'no-config', crossings: [], timer: null }));
  const now = services.clock.now();
  const statements = slaStatements(services.db);
  const ruleSet = services.decider.ruleSet();
  const written = withoutFsync(services.db, () => statements.immediate(() =>
    requests.map((request) => writeOne(statements, config, ruleSet, request.ticketId, now, request.firedGeneration))));
  const results: SyncTicketSlaResult[] = [];
  for (let i = 0; i < requests.length; i++) {
    const one = written[i];
    results.push(one === 'no-ticket' || one === 'stale-timer' ? { status: one, crossings: [], timer: null } : await afterCommit(services, requests[i].ticketId, now, one));
  }
  return results;
};

/**
 * Recomputes one ticket's SLA (see the header), records new warnings and breaches once, sets the next
 * timer, and runs the `on: sla.*` rules for what was recorded.
 */
export const syncTicketSla = async ({ services, ticketId, firedGeneration }: SyncTicketSlaOptions): Promise<SyncTicketSlaResult> =>
  (await syncTicketsSla({ services, requests: [{ ticketId, firedGeneration }] }))[0];
