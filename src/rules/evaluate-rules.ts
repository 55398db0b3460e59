/**
 * Evaluates a rule set against one DecisionInput and returns what the rules decide (a patch on top of
 * the caller's starting decision) and a trace of every rule: matched or not, each condition's field,
 * operator, expected value, the actual value seen and the result, and what became of each action.
 *
 * Order and conflicts (rules/README.md states the same):
 * - Rules run in order: files by name, rules in file order. Only rules for the event run (`on:`).
 * - Single-valued actions (queue, priority, category, skill, assignee, sla, auto_reply, acknowledge):
 *   the LAST matching rule that sets one wins; earlier values are traced as `overridden`.
 *   `priority: raise` moves one step up from the priority so far, so it composes with earlier rules.
 * - Tags and webhooks accumulate over every matching rule (no duplicates).
 * - A matching rule with `stop: true` ends evaluation: nothing after it runs, so nothing can override it.
 *
 * Pure: the time comes from `input.now`, business hours and the zone from `context`.
 */
import type { Decision, DecisionInput, Priority, WebhookAction } from '../decide/types.js';
import { PRIORITIES } from '../decide/types.js';
import { MAX_TRACE_LIST, MAX_TRACE_STRING } from './rule-types.js';
import type {
  ActionName, ActionTrace, CompiledCondition, CompiledTest, ConditionTrace, FactsView, FieldSource, FieldValue, RuleContext,
  RuleEvent, RuleSet, RuleTrace, RulesTrace, SingleValuedAction, SlaEventFacts, TestTrace,
} from './rule-types.js';
import { SINGLE_VALUED_ACTIONS } from './rule-types.js';

/** What the rules set; absent keys were not touched by any matching rule. */
export type DecisionPatch = {
  category?: string;
  priority?: Priority;
  queue?: string;
  skill?: string;
  assignee?: string;
  slaPolicy?: string;
  /** null: a rule said `auto_reply: false` */
  autoReplyTemplate?: string | null;
  acknowledge?: boolean;
  /** tags added, in the order rules added them */
  tags: string[];
  webhooks: WebhookAction[];
};

export type EvaluateRulesOptions = {
  ruleSet: RuleSet;
  input: DecisionInput;
  context: RuleContext;
  /** the SLA event for `on: sla.*` rules; absent: the message rules run */
  event?: SlaEventFacts | null;
  /** where `priority: raise` starts from; default: the ticket's priority, else `normal` */
  basePriority?: Priority;
};

export type EvaluateRulesResult = {
  patch: DecisionPatch;
  trace: RulesTrace;
  /** for each single-valued action in the patch, the rule whose value stands */
  setBy: Partial<Record<SingleValuedAction, string>>;
};

const lower = (value: FieldValue): FieldValue => {
  if (typeof value === 'string') return value.toLowerCase();
  if (Array.isArray(value)) return value.map((v) => v.toLowerCase());
  return value;
};

/** The facts of one evaluation: each field is read once, and lower-cased once when a test needs it. */
class Facts implements FactsView {
  private readonly raw = new Map<string, FieldValue>();
  private readonly folded = new Map<string, FieldValue>();

  constructor(readonly input: DecisionInput, readonly context: RuleContext, readonly event: SlaEventFacts | null) {}

  get(field: FieldSource, lowercase: boolean): FieldValue {
    const cache = lowercase ? this.folded : this.raw;
    const hit = cache.get(field.name);
    if (hit !== undefined || cache.has(field.name)) return hit as FieldValue;
    const value = lowercase ? lower(this.get(field, false)) : field.value(this);
    cache.set(field.name, value);
    return value;
  }
}

const cut = (s: string, at: number): string => {
  if (s.length <= MAX_TRACE_STRING) return s;
  if (at <= 0 || at < MAX_TRACE_STRING / 2) return `${s.slice(0, MAX_TRACE_STRING)}… (+${s.length - MAX_TRACE_STRING} chars)`;
  const start = Math.max(0, Math.min(at - Math.floor(MAX_TRACE_STRING / 4), s.length - MAX_TRACE_STRING));
  const end = start + MAX_TRACE_STRING;
  return `…${s.slice(start, end)}${end < s.length ? '…' : ''}`;
};

/** The actual value for the trace: long text cut around the first match, long lists cut to their head. */
const traceValue = (test: CompiledTest, value: FieldValue, matched: boolean): FieldValue => {
  if (typeof value === 'string') {
    return value.length <= MAX_TRACE_STRING ? value : cut(value, matched ? test.locate(value) : -1);
  }
  if (Array.isArray(value)) {
    const needsCut = value.length > MAX_TRACE_LIST || value.some((v) => v.length > MAX_TRACE_STRING);
    if (!needsCut) return value;
    const head = value.slice(0, MAX_TRACE_LIST).map((v) => cut(v, matched ? test.locate(v) : -1));
    return value.length > MAX_TRACE_LIST ? [...head, `… +${value.length - MAX_TRACE_LIST} more`] : head;
  }
  return value;
};

const evaluateTest = (test: CompiledTest, facts: Facts): TestTrace => {
  const result = test.check(facts.get(test.source, test.lowercase));
  const trace: TestTrace = {
    kind: 'test',
    field: test.field,
    op: test.op,
    expected: test.expected,
    actual: traceValue(test, facts.get(test.source, false), result),
    result,
    line: test.location.line,
  };
  if (test.caseSensitive) trace.caseSensitive = true;
  return trace;
};

/** Evaluates one condition; `all` stops at the first false, `any` at the first true (the rest: not_evaluated). */
const evaluateCondition = (condition: CompiledCondition, facts: Facts): ConditionTrace => {
  switch (condition.kind) {
    case 'test':
      return evaluateTest(condition, facts);
    case 'not': {
      const inner = evaluateCondition(condition.condition, facts);
      return { kind: 'not', result: inner.result !== true, condition: inner };
    }
    default: {
      const decisive = condition.kind === 'any';
      const conditions: ConditionTrace[] = [];
      let result = !decisive;
      let decided = false;
      for (const child of condition.conditions) {
        if (decided) {
          conditions.push(child.skipped);
          continue;
        }
        const trace = evaluateCondition(child, facts);
        conditions.push(trace);
        if (trace.result === decisive) {
          result = decisive;
          decided = true;
        }
      }
      return { kind: condition.kind, result, conditions };
    }
  }
};

const raise = (priority: Priority): Priority => PRIORITIES[Math.min(PRIORITIES.indexOf(priority) + 1, PRIORITIES.length - 1)];

type Setter = { rule: string; trace: ActionTrace; absolute: boolean };

/**
 * Runs the rules of one event over one input. See the header for order and conflict resolution.
 */
export const evaluateRules = ({ ruleSet, input, context, event = null, basePriority }: EvaluateRulesOptions): EvaluateRulesResult => {
  const eventName: RuleEvent = event?.name ?? 'message';
  const facts = new Facts(input, context, event);
  const rules = ruleSet.byEvent[eventName];
  const traces: RuleTrace[] = [];
  const matched: string[] = [];
  const setters = new Map<SingleValuedAction, Setter[]>();
  const patch: DecisionPatch = { tags: [], webhooks: [] };
  const tagSet = new Set<string>();
  const hookSet = new Set<string>();
  let priority: Priority = basePriority ?? input.ticket.priority ?? 'normal';
  let stoppedBy: string | null = null;

  for (const rule of rules) {
    const head = { rule: rule.name, file: rule.location.file, line: rule.location.line };
    if (stoppedBy !== null) {
      traces.push({ ...head, outcome: 'not_evaluated', condition: null });
      continue;
    }
    if (!rule.enabled) {
      traces.push({ ...head, outcome: 'disabled', condition: null });
      continue;
    }
    const condition = rule.condition ? evaluateCondition(rule.condition, facts) : null;
    if (condition !== null && condition.result !== true) {
      traces.push({ ...head, outcome: 'not_matched', condition });
      continue;
    }
    matched.push(rule.name);
    const actions: ActionTrace[] = [];
    for (const key of Object.keys(rule.actions) as ActionName[]) {
      const value = rule.actions[key];
      if (key === 'tags' || key === 'webhook') {
        const seen = key === 'tags' ? tagSet : hookSet;
        for (const item of value as readonly string[]) {
          const fresh = !seen.has(item);
          if (fresh) {
            seen.add(item);
            if (key === 'tags') patch.tags.push(item);
            else patch.webhooks.push({ url: item });
          }
          actions.push({ action: key, value: item, outcome: fresh ? 'added' : 'already_present' });
        }
        continue;
      }
      const action = key as SingleValuedAction;
      const trace: ActionTrace = { action, value, outcome: 'applied' };
      if (action === 'priority') {
        const before = priority;
        priority = value === 'raise' ? raise(priority) : (value as Priority);
        if (value === 'raise') trace.value = `raise (${before} → ${priority})`;
      }
      actions.push(trace);
      const list = setters.get(action) ?? [];
      list.push({ rule: rule.name, trace, absolute: !(action === 'priority' && value === 'raise') });
      setters.set(action, list);
    }
    traces.push({ ...head, outcome: 'matched', condition, actions, ...(rule.stop ? { stop: true as const } : {}) });
    if (rule.stop) stoppedBy = rule.name;
  }

  const setBy: Partial<Record<SingleValuedAction, string>> = {};
  for (const action of SINGLE_VALUED_ACTIONS) {
    const list = setters.get(action);
    if (!list) continue;
    // The last absolute value stands; for priority, raises after it build on it.
    let winner = list.length - 1;
    while (winner > 0 && !list[winner].absolute) winner -= 1;
    const standing = list[winner].absolute ? winner : 0;
    for (let i = 0; i < standing; i += 1) {
      list[i].trace.outcome = 'overridden';
      list[i].trace.by = list[standing].rule;
    }
    setBy[action] = list[list.length - 1].rule;
    const value = list[standing].trace.value;
    switch (action) {
      case 'priority': patch.priority = priority; break;
      case 'category': patch.category = value as string; break;
      case 'queue': patch.queue = value as string; break;
      case 'skill': patch.skill = value as string; break;
      case 'assignee': patch.assignee = value as string; break;
      case 'sla': patch.slaPolicy = value as string; break;
      case 'auto_reply': patch.autoReplyTemplate = value === false ? null : (value as string); break;
      case 'acknowledge': patch.acknowledge = value as boolean; break;
    }
  }

  return {
    patch,
    trace: { ruleSetVersion: ruleSet.version, event: eventName, rules: traces, matched, stoppedBy },
    setBy,
  };
};

/** The decision after the rules: `base` with the patch applied (tags and webhooks appended, no duplicates). */
export const applyPatch = (base: Decision, patch: DecisionPatch): Decision => {
  const tags = [...base.tags];
  for (const tag of patch.tags) if (!tags.includes(tag)) tags.push(tag);
  const webhooks = [...base.webhooks];
  for (const hook of patch.webhooks) if (!webhooks.some((w) => w.url === hook.url)) webhooks.push(hook);
  return {
    category: patch.category ?? base.category,
    priority: patch.priority ?? base.priority,
    tags,
    queue: patch.queue ?? base.queue,
    skill: patch.skill ?? base.skill,
    assignee: patch.assignee ?? base.assignee,
    slaPolicy: patch.slaPolicy ?? base.slaPolicy,
    autoReplyTemplate: patch.autoReplyTemplate === undefined ? base.autoReplyTemplate : patch.autoReplyTemplate,
    acknowledge: patch.acknowledge ?? base.acknowledge,
    webhooks,
  };
};
