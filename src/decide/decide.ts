/**
 * `decide`: the one function that turns a DecisionInput into a Decision and its trace. Intake, backtests,
 * shadow runs and `mailroom rules test` all call it, so a replay decides exactly as the live path did.
 *
 * Steps: start from the defaults → apply the rules → (assignment) → (SLA policy) → guarantee a queue.
 * - Defaults: a new ticket starts in the mailbox's / form's queue when the caller gives one, else
 *   DEFAULT_TRIAGE_QUEUE, priority `normal`, the classifier's category. A message that joins an existing
 *   ticket starts from that ticket's queue, priority and category, so a follow-up no rule matches is
 *   not sent back to triage.
 * - Assignment and SLA-policy selection are stages passed in by the caller (pure functions over a
 *   snapshot it loaded), so this file stays free of I/O. A rule's `assignee` wins over the strategy.
 *
 * Pure: no clock (time is `input.now`), no environment, no database.
 */
import { applyPatch, evaluateRules } from '../rules/evaluate-rules.js';
import type { RuleContext, RuleSet, RulesTrace, SingleValuedAction, SlaEventFacts, TraceDetail } from '../rules/rule-types.js';
import { DEFAULT_TRIAGE_QUEUE } from './types.js';
import type { Decision, DecisionInput, DecisionTrace } from './types.js';

/** A later stage's answer: its choice, its own trace (stored in `DecisionTrace.assignment` / `.sla`), one summary line. */
export type StageResult<T> = { value: T; trace: unknown; summary?: string };

export type DecideStages = {
  /** chooses an assignee when no rule named one; see src/routing/choose-assignee.ts */
  assign?: (args: { input: DecisionInput; decision: Decision }) => StageResult<string | null>;
  /** chooses the SLA policy; it sees the policy a rule named (if any) in `decision.slaPolicy` */
  selectSlaPolicy?: (args: { input: DecisionInput; decision: Decision }) => StageResult<string | null>;
};

export type DecisionDefaults = {
  /** the queue of the mailbox or form the message came through (config), instead of triage */
  queue?: string | null;
};

export type DecideOptions = {
  input: DecisionInput;
  ruleSet: RuleSet;
  context: RuleContext;
  defaults?: DecisionDefaults;
  stages?: DecideStages;
  /** how much of the rules trace to build (default `full`); the decision does not depend on it */
  traceDetail?: TraceDetail;
};

/** The decision trace with the rules part typed. */
export type DecideTrace = DecisionTrace & { rules: RulesTrace };

export type DecideResult = { decision: Decision; trace: DecideTrace };

/** Where the rules leave nothing set: see the header. */
export const initialDecision = (input: DecisionInput, defaults: DecisionDefaults = {}): Decision => {
  const existing = input.ticket.isNew ? null : input.ticket;
  return {
    category: input.classification?.category ?? existing?.category ?? null,
    priority: existing?.priority ?? 'normal',
    tags: [],
    queue: existing?.queue || defaults.queue || DEFAULT_TRIAGE_QUEUE,
    skill: null,
    assignee: null,
    slaPolicy: null,
    autoReplyTemplate: null,
    acknowledge: null,
    webhooks: [],
  };
};

const describeRules = (trace: RulesTrace): string => {
  const total = trace.total;
  if (trace.matched.length === 0) return `rules ${trace.ruleSetVersion}: none of ${total} matched`;
  const stop = trace.stoppedBy ? `; stopped by ${trace.stoppedBy}` : '';
  return `rules ${trace.ruleSetVersion}: ${trace.matched.length} of ${total} matched (${trace.matched.join(', ')})${stop}`;
};

const SUMMARY_ACTIONS: Array<[SingleValuedAction, keyof Decision]> = [
  ['queue', 'queue'], ['priority', 'priority'], ['category', 'category'], ['skill', 'skill'], ['assignee', 'assignee'],
  ['sla', 'slaPolicy'], ['auto_reply', 'autoReplyTemplate'], ['acknowledge', 'acknowledge'],
];

const summarize = (decision: Decision, setBy: Partial<Record<SingleValuedAction, string>>, input: DecisionInput): string[] => {
  const lines: string[] = [];
  for (const [action, key] of SUMMARY_ACTIONS) {
    const by = setBy[action];
    const value = decision[key];
    if (by) lines.push(`${action} ${String(value ?? 'none')} (rule ${by})`);
    else if (key === 'queue') lines.push(`queue ${decision.queue} (${input.ticket.isNew ? 'default: no rule set a queue' : 'the ticket\'s queue'})`);
    else if (key === 'priority') lines.push(`priority ${decision.priority} (${input.ticket.isNew || !input.ticket.priority ? 'default' : 'the ticket\'s priority'})`);
    else if (key === 'category' && value !== null) {
      const c = input.classification;
      lines.push(`category ${String(value)} (${c?.category ? `classifier ${c.confidence.toFixed(2)}` : 'the ticket\'s category'})`);
    }
  }
  if (decision.tags.length) lines.push(`tags ${decision.tags.join(', ')}`);
  if (decision.webhooks.length) lines.push(`webhooks ${decision.webhooks.map((w) => w.url).join(', ')}`);
  return lines;
};

/**
 * Decides one message: rules over the defaults, then the assignment and SLA stages when given.
 * The queue is never empty: whatever happens, the message lands in a queue.
 */
export const decide = ({ input, ruleSet, context, defaults, stages, traceDetail }: DecideOptions): DecideResult => {
  const base = initialDecision(input, defaults);
  const { patch, trace: rulesTrace, setBy } = evaluateRules({ ruleSet, input, context, basePriority: base.priority, detail: traceDetail });
  let decision = applyPatch(base, patch);
  const summary = [describeRules(rulesTrace), ...summarize(decision, setBy, input)];

  let assignment: unknown = null;
  if (stages?.assign && decision.assignee === null) {
    const result = stages.assign({ input, decision });
    decision = { ...decision, assignee: result.value };
    assignment = result.trace;
    if (result.summary) summary.push(result.summary);
  } else if (decision.assignee !== null) {
    assignment = { chosen: decision.assignee, reason: `rule ${setBy.assignee ?? '?'} named the assignee` };
  }

  let sla: unknown = null;
  if (stages?.selectSlaPolicy) {
    const result = stages.selectSlaPolicy({ input, decision });
    decision = { ...decision, slaPolicy: result.value };
    sla = result.trace;
    if (result.summary) summary.push(result.summary);
  }

  if (!decision.queue) {
    decision = { ...decision, queue: DEFAULT_TRIAGE_QUEUE };
    summary.push(`queue ${DEFAULT_TRIAGE_QUEUE} (nothing else routed it)`);
  }
  return { decision, trace: { classification: input.classification, rules: rulesTrace, assignment, sla, summary } };
};

export type DecideOnEventOptions = {
  event: SlaEventFacts;
  input: DecisionInput;
  /** the ticket's decision as it stands (queue, priority, tags...) */
  current: Decision;
  ruleSet: RuleSet;
  context: RuleContext;
};

/**
 * Runs the `on: sla.warning` / `on: sla.breach` rules for a ticket whose clock crossed a threshold.
 * Same engine as `decide`; the starting point is the ticket's current decision. The SLA worker applies
 * the differences (priority, queue, tags) and posts the webhooks.
 */
export const decideOnEvent = ({ event, input, current, ruleSet, context }: DecideOnEventOptions): DecideResult => {
  const { patch, trace: rulesTrace, setBy } = evaluateRules({ ruleSet, input, context, event, basePriority: current.priority });
  const decision = applyPatch(current, patch);
  const summary = [
    `${event.name}${event.clock ? ` (${event.clock})` : ''}: ${describeRules(rulesTrace)}`,
    ...summarize(decision, setBy, input).filter((line) => / \(rule /.test(line) || line.startsWith('tags') || line.startsWith('webhooks')),
  ];
  return { decision, trace: { classification: input.classification, rules: rulesTrace, assignment: null, sla: null, summary } };
};
