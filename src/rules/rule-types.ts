/**
 * Types shared by the rule engine: the compiled (immutable) rule set, the context rules evaluate in,
 * load errors, and the shape of `DecisionTrace.rules`.
 *
 * A RuleSet is built only by `compileRuleSet` / `loadRuleSet` (src/rules/load-rules.ts) from files
 * that validated completely; there is no partial rule set. It is deeply frozen and safe to share
 * between concurrent evaluations, a live set and a shadow set, or a backtest.
 */
import type { DecisionInput, Priority } from '../decide/types.js';

/** Longest regular expression a `matches` condition may hold, in characters. */
export const MAX_RULE_REGEX_LENGTH = 512;
/** Largest rule file accepted, in bytes; bigger files are refused before parsing. */
export const MAX_RULE_FILE_BYTES = 1024 * 1024;
/** Most rules one rule set may hold (all files together). */
export const MAX_RULES = 5000;
/** Deepest nesting of `all` / `any` / `not` in one `when`. */
export const MAX_CONDITION_DEPTH = 16;
/** Strings in a trace's `actual` are cut to this many characters (around the match when there is one). */
export const MAX_TRACE_STRING = 160;
/** Lists in a trace's `actual` show at most this many elements. */
export const MAX_TRACE_LIST = 10;

/** What a rule reacts to: a new message (the default), or an SLA clock crossing its warning or breach. */
export type RuleEvent = 'message' | 'sla.warning' | 'sla.breach';
export const RULE_EVENTS: readonly RuleEvent[] = ['message', 'sla.warning', 'sla.breach'];

/** The SLA event being evaluated, as the SLA worker reports it. */
export type SlaEventFacts = {
  name: 'sla.warning' | 'sla.breach';
  /** which clock: e.g. `first_response`, `next_response`, `resolution` */
  clock: string | null;
  /** the policy whose target is at risk */
  policy: string | null;
};

/**
 * Lookups rules need that are not facts of the message. Passed in, never read from the environment,
 * so a backtest or a simulation can use a calendar and zone of its choosing.
 */
export type RuleContext = {
  /** IANA time zone for `time.weekday` and `time.hour`, e.g. `Europe/Berlin` */
  timeZone: string;
  /** whether an instant falls inside business hours (the SLA calendar answers this) */
  isBusinessTime: (at: Date) => boolean;
};

export type FieldType = 'text' | 'text_list' | 'number' | 'boolean';
export type FieldValue = string | number | boolean | readonly string[] | null;

export type OperatorName =
  | 'equals' | 'in' | 'contains' | 'starts_with' | 'ends_with' | 'matches'
  | 'gt' | 'gte' | 'lt' | 'lte' | 'exists';

/** Where something is in a rule file; line and column are 1-based. */
export type SourceLocation = { file: string; line: number; column: number };

/** One condition after compilation: a field test, or a combination. */
export type CompiledCondition = CompiledTest | CompiledGroup | CompiledNot;

/** A field's raw value for one evaluation; see src/rules/fields.ts for every field. */
export type FieldSource = Readonly<{
  name: string;
  value: (facts: FactsView) => FieldValue;
  /** internal: the fixed fields' cache position in an evaluation (headers have none) */
  slot?: number;
}>;

/** What a field can see: the input, the context, the SLA event, and a per-evaluation cache. */
export type FactsView = {
  readonly input: DecisionInput;
  readonly context: RuleContext;
  readonly event: SlaEventFacts | null;
  /** the field's value, computed once per evaluation (and lower-cased once, when asked) */
  get: (field: FieldSource, lowercase: boolean) => FieldValue;
};

/**
 * Internal: a compiled condition node's evaluator. It records its result (1 false, 2 true) at
 * `results[base + id]` and returns it; nodes an `all` / `any` skipped stay 0 (not evaluated).
 */
export type NodeRunner = (facts: FactsView, results: Uint8Array, base: number) => boolean;

export type CompiledTest = Readonly<{
  kind: 'test';
  /** internal: this node's number within its rule (see CompiledRule.nodeOffset) */
  id: number;
  run: NodeRunner;
  field: string;
  fieldType: FieldType;
  op: OperatorName;
  /** the expected value as the rule states it (normalized: numbers coerced, weekdays spelled out) */
  expected: unknown;
  caseSensitive: boolean;
  location: SourceLocation;
  /** internal: where the value comes from */
  source: FieldSource;
  /** internal: whether the value read needs lower-casing before `check` */
  lowercase: boolean;
  /** internal: the operator applied to the value read */
  check: (value: FieldValue) => boolean;
  /** internal: index of the first match in a string as `check` sees it, for trace excerpts; -1 when none */
  locate: (value: string) => number;
  /** internal: the frozen trace used when this test is not evaluated */
  skipped: TestTrace;
}>;

export type CompiledGroup = Readonly<{
  kind: 'all' | 'any';
  id: number;
  run: NodeRunner;
  conditions: readonly CompiledCondition[];
  location: SourceLocation;
  skipped: GroupTrace;
}>;

export type CompiledNot = Readonly<{
  kind: 'not';
  id: number;
  run: NodeRunner;
  condition: CompiledCondition;
  location: SourceLocation;
  skipped: NotTrace;
}>;

/** A rule's `then`, normalized; absent keys are actions the rule does not take. */
export type RuleActions = Readonly<{
  category?: string;
  /** `raise` moves one step up from the priority so far (`urgent` stays `urgent`) */
  priority?: Priority | 'raise';
  tags?: readonly string[];
  queue?: string;
  skill?: string;
  assignee?: string;
  sla?: string;
  /** a template name, or `false` for "send no auto-reply" (cancels an earlier rule's template) */
  auto_reply?: string | false;
  acknowledge?: boolean;
  webhook?: readonly string[];
}>;

/** The action names as written in rule files. */
export type ActionName = keyof RuleActions;

/** Actions where one value replaces another (the later matching rule wins). */
export const SINGLE_VALUED_ACTIONS = ['category', 'priority', 'queue', 'skill', 'assignee', 'sla', 'auto_reply', 'acknowledge'] as const;
/** Actions whose values accumulate over every matching rule. */
export const ACCUMULATING_ACTIONS = ['tags', 'webhook'] as const;
export type SingleValuedAction = (typeof SINGLE_VALUED_ACTIONS)[number];

export type CompiledRule = Readonly<{
  name: string;
  description: string | null;
  /** position in the whole rule set (files by name, rules in file order), from 0 */
  index: number;
  location: SourceLocation;
  event: RuleEvent;
  enabled: boolean;
  /** null: the rule has no `when` and matches every message (lint warns) */
  condition: CompiledCondition | null;
  /** internal: how many condition nodes the rule has, and where they start in the set's numbering */
  nodeCount: number;
  nodeOffset: number;
  actions: RuleActions;
  stop: boolean;
}>;

export type RuleFileSummary = Readonly<{ file: string; sha256: string; rules: number }>;

/**
 * A complete, validated, immutable rule set.
 * `version` is a hash of every file's name and content, so a trace or a shadow run can say exactly which
 * rules decided.
 */
export type RuleSet = Readonly<{
  version: string;
  files: readonly RuleFileSummary[];
  rules: readonly CompiledRule[];
  byEvent: Readonly<Record<RuleEvent, readonly CompiledRule[]>>;
  /** internal: condition nodes of all rules (the size of an evaluation's result array) */
  nodeCount: number;
}>;

/**
 * Error codes of rule loading. Each error names file, line, column and the field path.
 *
 * - `file_unreadable`: the file could not be read (or is over MAX_RULE_FILE_BYTES)
 * - `yaml_syntax`: the YAML itself is malformed (indentation, unclosed bracket, duplicate key...)
 * - `invalid_type`: a value of the wrong kind (a list where a name was expected...)
 * - `missing_key`: a required key is absent (`name`, `then`, `rules`)
 * - `unknown_key`: a key the rule language does not have (with "did you mean")
 * - `invalid_value`: a value outside its allowed set (priority `hgh`, channel `email`...)
 * - `unknown_field`: a condition names a field that does not exist (with "did you mean")
 * - `unknown_operator`: a condition uses an operator that does not exist (with "did you mean")
 * - `operator_not_applicable`: the operator exists but not for this field's type (`gt` on `subject`)
 * - `invalid_condition`: a condition that is structurally wrong (empty `all`, `not` with a list...)
 * - `regex_too_long`: a `matches` pattern over MAX_RULE_REGEX_LENGTH
 * - `regex_invalid`: a `matches` pattern the safe engine cannot compile (syntax, look-around, backreference)
 * - `unknown_queue` / `unknown_template` / `unknown_policy`: a reference to a name that is not configured
 * - `action_not_allowed`: an action that the rule's event does not support (`auto_reply` in `on: sla.breach`)
 * - `duplicate_rule_name`: two rules share a name (names identify rules in traces and backtests)
 * - `too_many_rules`: the set is over MAX_RULES
 */
export type RuleErrorCode =
  | 'file_unreadable' | 'yaml_syntax' | 'invalid_type' | 'missing_key' | 'unknown_key' | 'invalid_value'
  | 'unknown_field' | 'unknown_operator' | 'operator_not_applicable' | 'invalid_condition'
  | 'regex_too_long' | 'regex_invalid' | 'unknown_queue' | 'unknown_template' | 'unknown_policy'
  | 'action_not_allowed' | 'duplicate_rule_name' | 'too_many_rules';

export type RuleError = SourceLocation & {
  code: RuleErrorCode;
  /** where in the file's structure, e.g. `rules[2].when.all[0].subject.contains` */
  path: string;
  message: string;
  /** the "did you mean" candidate, when there is one */
  suggestion?: string;
};

/**
 * The names rule files may refer to. `null` means the caller has no list for that kind, so such
 * references are not checked (the CLI says so when it happens); the server always passes lists.
 */
export type KnownNames = {
  queues: readonly string[] | null;
  templates: readonly string[] | null;
  policies: readonly string[] | null;
};

// ---------------------------------------------------------------------------------------------
// Trace: the shape of `DecisionTrace.rules`.

/** A condition's result; `not_evaluated` when an `all` / `any` had already decided (short-circuit). */
export type ConditionResult = boolean | 'not_evaluated';

export type TestTrace = {
  kind: 'test';
  field: string;
  op: OperatorName;
  expected: unknown;
  /** the value the message had, cut to MAX_TRACE_STRING / MAX_TRACE_LIST; absent when not evaluated */
  actual?: FieldValue;
  result: ConditionResult;
  caseSensitive?: true;
  line: number;
};

export type GroupTrace = { kind: 'all' | 'any'; result: ConditionResult; conditions: ConditionTrace[] };
export type NotTrace = { kind: 'not'; result: ConditionResult; condition: ConditionTrace };
export type ConditionTrace = TestTrace | GroupTrace | NotTrace;

/**
 * What became of one action of a matched rule:
 * - `applied`: it is in the final decision
 * - `overridden`: a later matching rule set the same action; `by` names the rule whose value stands
 * - `added`: a tag or webhook that was added; `already_present` when an earlier rule had added it
 */
export type ActionTrace = {
  action: ActionName;
  value: unknown;
  outcome: 'applied' | 'overridden' | 'added' | 'already_present';
  by?: string;
};

/**
 * One rule's evaluation:
 * - `matched` / `not_matched`: the condition was evaluated (see `condition`)
 * - `not_evaluated`: an earlier matching rule said `stop`
 * - `disabled`: the rule has `enabled: false`
 */
export type RuleTrace = {
  rule: string;
  file: string;
  line: number;
  outcome: 'matched' | 'not_matched' | 'not_evaluated' | 'disabled';
  /** null when the rule has no condition, or was not evaluated */
  condition: ConditionTrace | null;
  /** only for matched rules */
  actions?: ActionTrace[];
  stop?: true;
};

/**
 * How much a rules trace holds: `full` every rule with every condition; `matched` only the matched
 * rules (with their conditions and actions); `none` no per-rule entries (only `matched` names).
 */
export type TraceDetail = 'full' | 'matched' | 'none';

/** `DecisionTrace.rules` */
export type RulesTrace = {
  ruleSetVersion: string;
  event: RuleEvent;
  detail: TraceDetail;
  /** how many rules the set has for this event */
  total: number;
  /** rules for this event in evaluation order: all (`full`), the matched ones (`matched`), or none (`none`) */
  rules: RuleTrace[];
  matched: string[];
  stoppedBy: string | null;
};
