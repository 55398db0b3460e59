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
  ActionName, ActionTrace, CompiledCondition, CompiledTest, ConditionTrace, FactsView, FieldSource, FieldValue, NodeRunner, RuleContext,
  RuleEvent, RuleSet, RuleTrace, RulesTrace, SingleValuedAction, SlaEventFacts, TestTrace, TraceDetail,
} from './rule-types.js';
import { SINGLE_VALUED_ACTIONS } from './rule-types.js';
import { FIELD_SLOTS } from './fields.js';

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
  /**
   * How much the trace holds: `full` (default) every rule with every condition's actual value and
   * result; `matched` only the rules that matched; `none` only their names (backtests). The decision
   * is the same either way: the trace is built after evaluation, from what it recorded.
   */
  detail?: TraceDetail;
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
  // Fixed fields live in arrays by slot (undefined: not read yet); headers in maps by name.
  private readonly raw: Array<FieldValue | undefined> = new Array(FIELD_SLOTS);
  private readonly folded: Array<FieldValue | undefined> = new Array(FIELD_SLOTS);
  private rawByName: Map<string, FieldValue> | null = null;
  private foldedByName: Map<string, FieldValue> | null = null;
  private previews: Map<string, string> | null = null;

  constructor(readonly input: DecisionInput, readonly context: RuleContext, readonly event: SlaEventFacts | null) {}

  /** The head of a long text, cut once per field and evaluation (many tests may show it). */
  preview(name: string, raw: string): string {
    this.previews ??= new Map();
    let preview = this.previews.get(name);
    if (preview === undefined) {
      preview = cut(raw, -1);
      this.previews.set(name, preview);
    }
    return preview;
  }

  get(field: FieldSource, lowercase: boolean): FieldValue {
    const { slot } = field;
    if (slot !== undefined) {
      const cache = lowercase ? this.folded : this.raw;
      const hit = cache[slot];
      if (hit !== undefined) return hit;
      const value = lowercase ? lower(this.get(field, false)) : field.value(this) ?? null;
      cache[slot] = value;
      return value;
    }
    const cache = lowercase ? (this.foldedByName ??= new Map()) : (this.rawByName ??= new Map());
    const hit = cache.get(field.name);
    if (hit !== undefined) return hit;
    const value = lowercase ? lower(this.get(field, false)) : field.value(this) ?? null;
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

/**
 * The actual value for the trace: long text cut around the first match (or to its head when there is
 * none), long lists cut to their head. `checked` is the value as the test saw it (maybe lower-cased).
 */
const traceValue = (test: CompiledTest, facts: Facts, raw: FieldValue, checked: FieldValue, matched: boolean): FieldValue => {
  if (typeof raw === 'string') {
    if (raw.length <= MAX_TRACE_STRING) return raw;
    return matched ? cut(raw, test.locate(checked as string)) : facts.preview(test.source.name, raw);
  }
  if (Array.isArray(raw)) {
    if (raw.length <= MAX_TRACE_LIST && raw.every((v) => v.length <= MAX_TRACE_STRING)) return raw;
    const head = raw.slice(0, MAX_TRACE_LIST).map((v, i) => cut(v, matched ? test.locate((checked as readonly string[])[i]) : -1));
    return raw.length > MAX_TRACE_LIST ? [...head, `… +${raw.length - MAX_TRACE_LIST} more`] : head;
  }
  return raw;
};

// Evaluation records each condition node's result in one byte array (see CompiledRule.nodeOffset);
// the trace is built from it afterwards. Deciding and explaining thus share one evaluation, and a
// caller that needs less detail (a backtest over 100,000 messages) does not pay for building it.
const NOT_EVALUATED = 0;
const FALSE = 1;
const TRUE = 2;

// Conditions are compiled into closures (one per node, built at load by validate-rules.ts): evaluating
// a rule is a chain of direct calls, with no dispatch on the node's kind per message.

/** The evaluator of a field test. */
export const testRunner = (source: FieldSource, lowercase: boolean, check: (value: FieldValue) => boolean, id: number): NodeRunner =>
  (facts, results, base) => {
    const result = check(facts.get(source, lowercase));
    results[base + id] = result ? TRUE : FALSE;
    return result;
  };

/** The evaluator of `all` (stops at the first false) or `any` (stops at the first true). */
export const groupRunner = (kind: 'all' | 'any', conditions: readonly CompiledCondition[], id: number): NodeRunner => {
  const runs = conditions.map((c) => c.run);
  const decisive = kind === 'any';
  return (facts, results, base) => {
    let result = !decisive;
    for (let i = 0; i < runs.length; i += 1) {
      if (runs[i](facts, results, base) === decisive) {
        result = decisive;
        break;
      }
    }
    results[base + id] = result ? TRUE : FALSE;
    return result;
  };
};

/** The evaluator of `not`. */
export const notRunner = (condition: CompiledCondition, id: number): NodeRunner => {
  const inner = condition.run;
  return (facts, results, base) => {
    const result = !inner(facts, results, base);
    results[base + id] = result ? TRUE : FALSE;
    return result;
  };
};

const testTrace = (test: CompiledTest, facts: Facts, result: boolean): TestTrace => {
  const checked = facts.get(test.source, test.lowercase);
  const raw = test.lowercase ? facts.get(test.source, false) : checked;
  const trace: TestTrace = {
    kind: 'test',
    field: test.field,
    op: test.op,
    expected: test.expected,
    actual: traceValue(test, facts, raw, checked, result),
    result,
    line: test.location.line,
  };
  if (test.caseSensitive) trace.caseSensitive = true;
  return trace;
};

/** The trace of one condition from the recorded results; skipped subtrees use their frozen skeleton. */
const conditionTrace = (condition: CompiledCondition, facts: Facts, results: Uint8Array, base: number): ConditionTrace => {
  const recorded = results[base + condition.id];
  if (recorded === NOT_EVALUATED) return condition.skipped;
  const result = recorded === TRUE;
  switch (condition.kind) {
    case 'test':
      return testTrace(condition, facts, result);
    case 'not':
      return { kind: 'not', result, condition: conditionTrace(condition.condition, facts, results, base) };
    default:
      return { kind: condition.kind, result, conditions: condition.conditions.map((c) => conditionTrace(c, facts, results, base)) };
  }
};

const raise = (priority: Priority): Priority => PRIORITIES[Math.min(PRIORITIES.indexOf(priority) + 1, PRIORITIES.length - 1)];

type Setter = { rule: string; trace: ActionTrace; absolute: boolean };

const DISABLED = 1;
const NOT_MATCHED = 2;
const MATCHED = 3;

/**
 * Runs the rules of one event over one input. See the header for order and conflict resolution.
 */
export const evaluateRules = ({ ruleSet, input, context, event = null, basePriority, detail = 'full' }: EvaluateRulesOptions): EvaluateRulesResult => {
  const eventName: RuleEvent = event?.name ?? 'message';
  const facts = new Facts(input, context, event);
  const rules = ruleSet.byEvent[eventName];
  const results = new Uint8Array(ruleSet.nodeCount);
  const outcomes = new Uint8Array(rules.length);
  const actionTraces = new Map<number, ActionTrace[]>();
  const matched: string[] = [];
  const setters = new Map<SingleValuedAction, Setter[]>();
  const patch: DecisionPatch = { tags: [], webhooks: [] };
  const tagSet = new Set<string>();
  const hookSet = new Set<string>();
  let priority: Priority = basePriority ?? input.ticket.priority ?? 'normal';
  let stoppedBy: string | null = null;

  for (let i = 0; i < rules.length && stoppedBy === null; i += 1) {
    const rule = rules[i];
    if (!rule.enabled) {
      outcomes[i] = DISABLED;
      continue;
    }
    if (rule.condition !== null && !rule.condition.run(facts, results, rule.nodeOffset)) {
      outcomes[i] = NOT_MATCHED;
      continue;
    }
    outcomes[i] = MATCHED;
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
    actionTraces.set(i, actions);
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

  const traces: RuleTrace[] = [];
  for (let i = 0; i < rules.length && detail !== 'none'; i += 1) {
    const outcome = outcomes[i];
    if (detail === 'matched' && outcome !== MATCHED) continue;
    const rule = rules[i];
    // One literal per outcome (no spreads): this runs for every rule of every message.
    if (outcome === NOT_EVALUATED || outcome === DISABLED) {
      traces.push({ rule: rule.name, file: rule.location.file, line: rule.location.line, outcome: outcome === DISABLED ? 'disabled' : 'not_evaluated', condition: null });
      continue;
    }
    const condition = rule.condition === null ? null : conditionTrace(rule.condition, facts, results, rule.nodeOffset);
    if (outcome === NOT_MATCHED) {
      traces.push({ rule: rule.name, file: rule.location.file, line: rule.location.line, outcome: 'not_matched', condition });
      continue;
    }
    const entry: RuleTrace = { rule: rule.name, file: rule.location.file, line: rule.location.line, outcome: 'matched', condition, actions: actionTraces.get(i) };
    if (rule.stop) entry.stop = true;
    traces.push(entry);
  }

  return {
    patch,
    trace: { ruleSetVersion: ruleSet.version, event: eventName, detail, total: rules.length, rules: traces, matched, stoppedBy },
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
