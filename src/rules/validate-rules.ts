/**
 * Validates one rule file and compiles its rules. Structure (file, rule, `then`) is checked with zod;
 * conditions (`when`) have an open set of keys (field names) and are checked by hand here. Either way
 * every error carries file, line, column and the path of the offending field, with "did you mean" for
 * unknown keys, fields, operators and names. A file with any error yields no rules at all.
 */
import { LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { z } from 'zod';
import { PRIORITIES } from '../decide/types.js';
import { didYouMean } from './did-you-mean.js';
import { FIELDS, resolveField } from './fields.js';
import type { FieldDefinition } from './fields.js';
import { groupRunner, notRunner, testRunner } from './evaluate-rules.js';
import { OPERATORS, operatorIssue, prepareTest } from './operators.js';
import {
  MAX_CONDITION_DEPTH, MAX_RULE_FILE_BYTES, RULE_EVENTS,
} from './rule-types.js';
import type {
  ActionName, CompiledCondition, CompiledRule, ConditionTrace, KnownNames, OperatorName, RuleActions, RuleError,
  RuleErrorCode, RuleEvent, SourceLocation,
} from './rule-types.js';
import { formatPath, locatePath } from './yaml-locate.js';
import type { PathSegment } from './yaml-locate.js';

/** Keys of a rule file's top level. */
export const FILE_KEYS = ['rules', 'description'] as const;
/** Keys of one rule. */
export const RULE_KEYS = ['name', 'description', 'when', 'then', 'on', 'enabled'] as const;
/** Keys of a rule's `then`. */
export const ACTION_KEYS = [
  'queue', 'priority', 'category', 'tags', 'skill', 'assignee', 'sla', 'auto_reply', 'acknowledge', 'webhook', 'stop',
] as const;
/** Actions an `on: sla.warning` / `on: sla.breach` rule may take. */
export const EVENT_ACTION_KEYS: readonly string[] = ['priority', 'queue', 'tags', 'webhook', 'stop'];

const CONDITION_KEYWORDS = ['all', 'any', 'not'] as const;

const nonEmpty = z.string().min(1);

const actionsSchema = z.strictObject({
  queue: nonEmpty,
  priority: z.enum([...PRIORITIES, 'raise']),
  category: nonEmpty,
  tags: z.union([nonEmpty, z.array(nonEmpty)]),
  skill: nonEmpty,
  assignee: nonEmpty,
  sla: nonEmpty,
  auto_reply: z.union([nonEmpty, z.literal(false)]),
  acknowledge: z.boolean(),
  webhook: z.union([nonEmpty, z.array(nonEmpty)]),
  stop: z.boolean(),
}).partial();

const ruleSchema = z.strictObject({
  name: nonEmpty.max(200),
  description: z.string().optional(),
  enabled: z.boolean().optional(),
  on: z.enum(RULE_EVENTS).optional(),
  when: z.unknown().optional(),
  then: actionsSchema,
});

const fileSchema = z.strictObject({
  description: z.string().optional(),
  rules: z.array(z.unknown()),
});

/** What a value must be, in words, by key: used for type errors. */
const EXPECTED: Record<string, string> = {
  rules: 'a list of rules (each starting with "- name:")',
  description: 'text',
  name: 'non-empty text',
  enabled: 'true or false',
  on: `one of ${RULE_EVENTS.join(', ')}`,
  then: 'a mapping of actions, e.g. then: { queue: billing }',
  queue: 'a queue name',
  priority: `one of ${[...PRIORITIES, 'raise'].join(', ')}`,
  category: 'a category name',
  tags: 'a tag or a list of tags',
  skill: 'a skill name',
  assignee: 'an agent id',
  sla: 'an SLA policy name',
  auto_reply: 'a template name, or false for no auto-reply',
  acknowledge: 'true or false',
  webhook: 'a URL or a list of URLs',
  stop: 'true or false',
};

/** What usually causes a YAML error, for supervisors who do not speak YAML. */
const YAML_HINTS: Record<string, string> = {
  BLOCK_AS_IMPLICIT_KEY: 'text that contains ": " must be in quotes',
  DUPLICATE_KEY: 'each key may appear once in a mapping',
  BAD_INDENT: 'check the indentation: use spaces, and line up items of the same list',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  MISSING_CHAR: 'a bracket or quote is not closed',
};

const describe = (value: unknown): string => {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value === 'string' ? 'text' : typeof value} ${JSON.stringify(value)}`;
};

const getAt = (root: unknown, path: readonly PathSegment[]): unknown => {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
};

const isMapping = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The rule compiled from one file, before the rule set gives it its global position. */
export type ValidatedRule = Omit<CompiledRule, 'index' | 'nodeOffset'>;

export type ValidateRuleFileOptions = {
  /** the name errors and traces use for the file, e.g. `rules/10-routing.yaml` */
  file: string;
  text: string;
  known: KnownNames;
};

export type ValidateRuleFileResult =
  | { ok: true; rules: ValidatedRule[]; description: string | null }
  | { ok: false; errors: RuleError[] };

/** Collects errors for one file, locating each path in the YAML source. */
class FileErrors {
  readonly list: RuleError[] = [];

  constructor(private readonly file: string, private readonly doc: Document, private readonly lines: LineCounter) {}

  at(path: readonly PathSegment[], at: 'key' | 'value' = 'value'): SourceLocation {
    return { file: this.file, ...locatePath(this.doc, this.lines, path, at) };
  }

  add(code: RuleErrorCode, path: readonly PathSegment[], message: string, options: { at?: 'key' | 'value'; suggestion?: string | null } = {}): void {
    this.list.push({
      ...this.at(path, options.at ?? 'value'),
      code,
      path: formatPath(path),
      message,
      ...(options.suggestion ? { suggestion: options.suggestion } : {}),
    });
  }

  unknownKey(path: readonly PathSegment[], key: string, where: string, allowed: readonly string[]): void {
    const suggestion = didYouMean(key, allowed);
    const hint = suggestion ? `; did you mean "${suggestion}"?` : `; expected one of ${allowed.join(', ')}`;
    this.add('unknown_key', [...path, key], `unknown key "${key}" in ${where}${hint}`, { at: 'key', suggestion });
  }
}

const keysFor = (path: readonly PathSegment[]): { where: string; allowed: readonly string[] } => {
  if (path.length === 0) return { where: 'the rule file', allowed: FILE_KEYS };
  if (path[path.length - 1] === 'then') return { where: 'then', allowed: ACTION_KEYS };
  return { where: 'the rule', allowed: RULE_KEYS };
};

/** Turns zod's issues into located, supervisor-readable errors. */
const reportZodIssues = (errors: FileErrors, root: unknown, base: readonly PathSegment[], issues: readonly z.core.$ZodIssue[]): void => {
  for (const issue of issues) {
    const path = [...base, ...(issue.path as PathSegment[])];
    if (issue.code === 'invalid_union') {
      // Report the alternative that got furthest (`tags: [ok, 3]` → the list's element 1), if any did.
      const deepest = issue.errors
        .map((branch) => ({ branch, depth: Math.max(0, ...branch.map((i) => i.path.length)) }))
        .sort((a, b) => b.depth - a.depth)[0];
      if (deepest && deepest.depth > 0) {
        reportZodIssues(errors, root, path, deepest.branch);
        continue;
      }
    }
    const last = path[path.length - 1];
    const key = String(last ?? '');
    // `tags[1]` reads better than `1` for an element of a list
    const label = typeof last === 'number' ? `${String(path[path.length - 2])}[${last}]` : key;
    const value = getAt(root, path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const { where, allowed } = keysFor(path);
        for (const unknown of issue.keys) errors.unknownKey(path, unknown, where, allowed);
        break;
      }
      case 'invalid_value': {
        const allowed = issue.values.map(String);
        const suggestion = typeof value === 'string' ? didYouMean(value, allowed) : null;
        const hint = suggestion ? `; did you mean "${suggestion}"?` : '';
        errors.add('invalid_value', path, `${label} must be one of ${allowed.join(', ')}, not ${describe(value)}${hint}`, { suggestion });
        break;
      }
      case 'too_small':
        errors.add('invalid_value', path, `${label} must not be empty`);
        break;
      case 'too_big':
        errors.add('invalid_value', path, `${label} is too long`);
        break;
      default: {
        if (value === undefined && getAt(root, path.slice(0, -1)) !== undefined && typeof path[path.length - 1] === 'string') {
          const where = path.length <= base.length + 1 ? (base.length === 0 ? 'the rule file' : 'the rule') : formatPath(path.slice(0, -1));
          errors.add('missing_key', path, `missing "${key}" in ${where}; it must be ${EXPECTED[key] ?? issue.message}`);
        } else {
          const elementOf = typeof path[path.length - 1] === 'number' ? String(path[path.length - 2]) : null;
          const wanted = elementOf ? `each of ${elementOf} must be non-empty text` : `${key} must be ${EXPECTED[key] ?? issue.message}`;
          errors.add('invalid_type', path, `${wanted}, not ${describe(value)}`);
        }
      }
    }
  }
};

// ---------------------------------------------------------------------------------------------
// Conditions

/** `nodes` numbers the rule's condition nodes (each node's `id`), so evaluation can record results in one array. */
type ConditionScope = { errors: FileErrors; event: RuleEvent; nodes: number };

const freezeTrace = <T extends ConditionTrace>(trace: T): T => Object.freeze(trace);

const group = (scope: ConditionScope, kind: 'all' | 'any', conditions: CompiledCondition[], location: SourceLocation): CompiledCondition => {
  const id = scope.nodes++;
  return Object.freeze({
    kind,
    id,
    run: groupRunner(kind, conditions, id),
    conditions: Object.freeze(conditions),
    location,
    skipped: freezeTrace({ kind, result: 'not_evaluated', conditions: conditions.map((c) => c.skipped) }),
  });
};

/** `all` of several conditions, or the single one itself. */
const allOf = (scope: ConditionScope, conditions: CompiledCondition[], location: SourceLocation): CompiledCondition =>
  conditions.length === 1 ? conditions[0] : group(scope, 'all', conditions, location);

const compileTestsForField = (
  scope: ConditionScope, field: FieldDefinition, raw: unknown, path: readonly PathSegment[],
): CompiledCondition[] | null => {
  const { errors } = scope;
  const fieldLocation = errors.at(path, 'key');
  const build = (op: OperatorName, expected: unknown, caseSensitive: boolean, opPath: readonly PathSegment[], location: SourceLocation): CompiledCondition | null => {
    const prepared = prepareTest(field, op, expected, caseSensitive);
    if (!prepared.ok) {
      const { issue } = prepared;
      errors.add(issue.code, issue.index === undefined ? opPath : [...opPath, issue.index], issue.message, { suggestion: issue.suggestion });
      return null;
    }
    const { value } = prepared;
    const id = scope.nodes++;
    return Object.freeze({
      kind: 'test' as const,
      id,
      run: testRunner(field, value.lowercase, value.check, id),
      field: field.name,
      fieldType: field.type,
      op,
      expected: value.expected,
      caseSensitive,
      location,
      source: field,
      lowercase: value.lowercase,
      check: value.check,
      locate: value.locate,
      skipped: freezeTrace({
        kind: 'test', field: field.name, op, expected: value.expected, result: 'not_evaluated', line: location.line,
        ...(caseSensitive ? { caseSensitive: true as const } : {}),
      }),
    });
  };

  if (raw === null || raw === undefined) {
    errors.add('invalid_condition', path, `${field.name} needs an operator, e.g. ${field.name}: { ${field.type === 'number' ? 'gte: 1' : field.type === 'boolean' ? 'equals: true' : 'contains: refund'} }`, { at: 'key' });
    return null;
  }
  // Shorthand: `channel: form` is `equals`, `channel: [form, webhook]` is `in`.
  if (!isMapping(raw)) {
    const op: OperatorName = Array.isArray(raw) ? 'in' : 'equals';
    const built = build(op, raw, false, path, fieldLocation);
    return built ? [built] : null;
  }
  const entries = Object.entries(raw);
  let caseSensitive = false;
  if ('case_sensitive' in raw) {
    if (typeof raw.case_sensitive !== 'boolean') {
      errors.add('invalid_type', [...path, 'case_sensitive'], `case_sensitive must be true or false, not ${describe(raw.case_sensitive)}`);
      return null;
    }
    if (field.type !== 'text' && field.type !== 'text_list') {
      errors.add('invalid_condition', [...path, 'case_sensitive'], `case_sensitive applies to text fields only, not ${field.name}`, { at: 'key' });
      return null;
    }
    caseSensitive = raw.case_sensitive;
  }
  const tests: CompiledCondition[] = [];
  let failed = false;
  for (const [op, expected] of entries) {
    if (op === 'case_sensitive') continue;
    const opPath = [...path, op];
    const issue = operatorIssue(field, op);
    if (issue) {
      errors.add(issue.code, opPath, issue.message, { at: 'key', suggestion: issue.suggestion });
      failed = true;
      continue;
    }
    const built = build(op as OperatorName, expected, caseSensitive, opPath, errors.at(opPath, 'key'));
    if (built) tests.push(built);
    else failed = true;
  }
  if (failed) return null;
  if (tests.length === 0) {
    errors.add('invalid_condition', path, `${field.name} needs an operator (${OPERATORS.join(', ')})`, { at: 'key' });
    return null;
  }
  return tests;
};

const unknownFieldMessage = (key: string): { message: string; suggestion: string | null } => {
  const lower = key.toLowerCase();
  if (lower === 'header' || lower === 'headers') {
    return { message: `"${key}" needs a header name, e.g. header.X-Priority`, suggestion: null };
  }
  if (/^(headers?)[.:_-]./i.test(key) && !lower.startsWith('header.')) {
    const suggestion = `header.${key.replace(/^(headers?)[.:_-]/i, '')}`;
    return { message: `unknown field "${key}"; did you mean "${suggestion}"?`, suggestion };
  }
  const candidates = [...FIELDS.map((f) => f.name), ...CONDITION_KEYWORDS];
  const suggestion = didYouMean(key, candidates);
  return {
    message: `unknown field "${key}"${suggestion ? `; did you mean "${suggestion}"?` : '; see rules/README.md for the fields'}`,
    suggestion,
  };
};

/**
 * One condition mapping: every key is `all`, `any`, `not` or a field; several keys must all hold.
 * Returns null (and records errors) when anything in it is invalid.
 */
const compileConditionMap = (scope: ConditionScope, raw: unknown, path: readonly PathSegment[], depth: number): CompiledCondition | null => {
  const { errors } = scope;
  if (depth > MAX_CONDITION_DEPTH) {
    errors.add('invalid_condition', path, `conditions are nested more than ${MAX_CONDITION_DEPTH} deep`);
    return null;
  }
  if (!isMapping(raw)) {
    errors.add('invalid_condition', path, `a condition must be a mapping like { subject: { contains: refund } }, not ${describe(raw)}`);
    return null;
  }
  const keys = Object.keys(raw);
  if (keys.length === 0) {
    errors.add('invalid_condition', path, 'empty condition');
    return null;
  }
  const parts: CompiledCondition[] = [];
  let failed = false;
  for (const key of keys) {
    const value = raw[key];
    const keyPath = [...path, key];
    if (key === 'all' || key === 'any') {
      if (!Array.isArray(value) || value.length === 0) {
        errors.add('invalid_condition', keyPath, `${key} takes a non-empty list of conditions, not ${describe(value)}`);
        failed = true;
        continue;
      }
      const children: CompiledCondition[] = [];
      value.forEach((item, i) => {
        const child = compileConditionMap(scope, item, [...keyPath, i], depth + 1);
        if (child) children.push(child);
        else failed = true;
      });
      if (children.length === value.length) parts.push(group(scope, key, children, errors.at(keyPath, 'key')));
      continue;
    }
    if (key === 'not') {
      if (!isMapping(value)) {
        errors.add('invalid_condition', keyPath, `not takes one condition (a mapping); to negate several write not: { any: [...] }, not ${describe(value)}`);
        failed = true;
        continue;
      }
      const child = compileConditionMap(scope, value, keyPath, depth + 1);
      if (!child) {
        failed = true;
        continue;
      }
      const id = scope.nodes++;
      parts.push(Object.freeze({
        kind: 'not' as const,
        id,
        run: notRunner(child, id),
        condition: child,
        location: errors.at(keyPath, 'key'),
        skipped: freezeTrace({ kind: 'not', result: 'not_evaluated', condition: child.skipped }),
      }));
      continue;
    }
    const field = resolveField(key);
    if (!field) {
      const { message, suggestion } = unknownFieldMessage(key);
      errors.add('unknown_field', keyPath, message, { at: 'key', suggestion });
      failed = true;
      continue;
    }
    if (field.events && !field.events.includes(scope.event)) {
      errors.add('invalid_condition', keyPath, `${field.name} only has a value in rules with on: ${field.events.join(' or on: ')}`, { at: 'key' });
      failed = true;
      continue;
    }
    const tests = compileTestsForField(scope, field, value, keyPath);
    if (tests) parts.push(...tests);
    else failed = true;
  }
  if (failed) return null;
  return allOf(scope, parts, errors.at(path));
};

/** `when`: a mapping, or a list meaning "all of these". */
const compileWhen = (scope: ConditionScope, raw: unknown, path: readonly PathSegment[]): CompiledCondition | null => {
  if (Array.isArray(raw)) {
    if (raw.length === 0) {
      scope.errors.add('invalid_condition', path, 'when is an empty list; remove when for a rule that applies to every message');
      return null;
    }
    const children: CompiledCondition[] = [];
    raw.forEach((item, i) => {
      const child = compileConditionMap(scope, item, [...path, i], 1);
      if (child) children.push(child);
    });
    return children.length === raw.length ? allOf(scope, children, scope.errors.at(path)) : null;
  }
  if (raw === null) {
    scope.errors.add('invalid_condition', path, 'when is empty; remove it for a rule that applies to every message');
    return null;
  }
  return compileConditionMap(scope, raw, path, 0);
};

// ---------------------------------------------------------------------------------------------
// Actions

const unknownName = (
  errors: FileErrors, code: RuleErrorCode, [kind, kinds]: [string, string], known: readonly string[] | null, name: string, path: readonly PathSegment[],
): void => {
  if (known === null || known.includes(name)) return;
  const suggestion = didYouMean(name, known);
  const hint = suggestion ? `; did you mean "${suggestion}"?` : '';
  const list = known.length ? ` (known ${kinds}: ${known.join(', ')})` : ` (no ${kinds} are configured)`;
  errors.add(code, path, `unknown ${kind} "${name}"${hint}${list}`, { suggestion });
};

/** Queue, policy and template names in a `then` (also one that failed validation otherwise). */
const checkReferences = (errors: FileErrors, then: Record<string, unknown>, path: readonly PathSegment[], known: KnownNames): void => {
  if (typeof then.queue === 'string') unknownName(errors, 'unknown_queue', ['queue', 'queues'], known.queues, then.queue, [...path, 'queue']);
  if (typeof then.sla === 'string') unknownName(errors, 'unknown_policy', ['SLA policy', 'SLA policies'], known.policies, then.sla, [...path, 'sla']);
  if (typeof then.auto_reply === 'string') unknownName(errors, 'unknown_template', ['template', 'templates'], known.templates, then.auto_reply, [...path, 'auto_reply']);
};

const compileActions = (
  errors: FileErrors, raw: z.infer<typeof actionsSchema>, path: readonly PathSegment[], event: RuleEvent, known: KnownNames,
): { actions: RuleActions; stop: boolean } | null => {
  const before = errors.list.length;
  const present = Object.keys(raw) as Array<keyof typeof raw>;
  if (present.length === 0) {
    errors.add('invalid_condition', path, 'then has no actions');
    return null;
  }
  if (event !== 'message') {
    for (const key of present) {
      if (!EVENT_ACTION_KEYS.includes(key)) {
        errors.add('action_not_allowed', [...path, key], `${key} is not available in on: ${event} rules; use ${EVENT_ACTION_KEYS.join(', ')}`, { at: 'key' });
      }
    }
  }
  checkReferences(errors, raw, path, known);
  const webhooks = raw.webhook === undefined ? undefined : Array.isArray(raw.webhook) ? raw.webhook : [raw.webhook];
  webhooks?.forEach((url, i) => {
    let ok = false;
    try {
      const parsed = new URL(url);
      ok = parsed.protocol === 'https:' || parsed.protocol === 'http:';
    } catch {
      ok = false;
    }
    if (!ok) errors.add('invalid_value', Array.isArray(raw.webhook) ? [...path, 'webhook', i] : [...path, 'webhook'], `webhook must be an http(s) URL, not ${JSON.stringify(url)}`);
  });
  if (errors.list.length > before) return null;

  const tags = raw.tags === undefined ? undefined : [...new Set(Array.isArray(raw.tags) ? raw.tags : [raw.tags])];
  const actions: Record<string, unknown> = {};
  const set = (key: ActionName, value: unknown): void => {
    if (value !== undefined) actions[key] = Array.isArray(value) ? Object.freeze(value) : value;
  };
  set('queue', raw.queue);
  set('priority', raw.priority);
  set('category', raw.category);
  set('tags', tags);
  set('skill', raw.skill);
  set('assignee', raw.assignee);
  set('sla', raw.sla);
  set('auto_reply', raw.auto_reply);
  set('acknowledge', raw.acknowledge);
  set('webhook', webhooks ? [...new Set(webhooks)] : undefined);
  return { actions: Object.freeze(actions) as RuleActions, stop: raw.stop === true };
};

// ---------------------------------------------------------------------------------------------

const sortByPosition = (list: RuleError[]): RuleError[] =>
  [...list].sort((a, b) => a.line - b.line || a.column - b.column);

/**
 * Validates and compiles one rule file. Pure: the caller reads the file.
 * Returns every error found (not just the first); with any error, no rules.
 */
export const validateRuleFile = ({ file, text, known }: ValidateRuleFileOptions): ValidateRuleFileResult => {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const errors = new FileErrors(file, doc, lineCounter);
  if (Buffer.byteLength(text, 'utf8') > MAX_RULE_FILE_BYTES) {
    return { ok: false, errors: [{ file, line: 1, column: 1, code: 'file_unreadable', path: '', message: `the file is over ${MAX_RULE_FILE_BYTES} bytes` }] };
  }
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((error) => {
        const pos = lineCounter.linePos(error.pos[0]);
        const message = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
        const hint = YAML_HINTS[error.code] ? ` (${YAML_HINTS[error.code]})` : '';
        return { file, line: pos.line, column: pos.col, code: 'yaml_syntax' as const, path: '', message: `${message}${hint}` };
      }),
    };
  }
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, errors: [{ file, line: 1, column: 1, code: 'yaml_syntax', path: '', message: error instanceof Error ? error.message : String(error) }] };
  }
  if (root === null || root === undefined) return { ok: true, rules: [], description: null };
  if (!isMapping(root)) {
    errors.add('invalid_type', [], `a rule file is a mapping with a rules: list (see rules/README.md), not ${describe(root)}`);
    return { ok: false, errors: errors.list };
  }

  const parsedFile = fileSchema.safeParse(root);
  if (!parsedFile.success) {
    reportZodIssues(errors, root, [], parsedFile.error.issues);
    // Keep going into the rules when the list itself is usable, to report everything in one pass.
    if (!Array.isArray(root.rules)) return { ok: false, errors: sortByPosition(errors.list) };
  }
  const items = root.rules as unknown[];
  const rules: ValidatedRule[] = [];
  items.forEach((item, i) => {
    const path: PathSegment[] = ['rules', i];
    const parsed = ruleSchema.safeParse(item);
    if (!parsed.success) {
      reportZodIssues(errors, root, path, parsed.error.issues);
      // Check what can still be checked, so one pass reports every error of the rule.
      if (isMapping(item)) {
        const event = (RULE_EVENTS as readonly unknown[]).includes(item.on) ? (item.on as RuleEvent) : 'message';
        if ('when' in item) compileWhen({ errors, event, nodes: 0 }, item.when, [...path, 'when']);
        if (isMapping(item.then)) checkReferences(errors, item.then, [...path, 'then'], known);
      }
      return;
    }
    const rule = parsed.data;
    const event: RuleEvent = rule.on ?? 'message';
    const scope: ConditionScope = { errors, event, nodes: 0 };
    const condition = 'when' in rule ? compileWhen(scope, rule.when, [...path, 'when']) : null;
    const compiledActions = compileActions(errors, rule.then, [...path, 'then'], event, known);
    if (('when' in rule && !condition) || !compiledActions) return;
    rules.push(Object.freeze({
      name: rule.name,
      description: rule.description ?? null,
      location: errors.at(path),
      event,
      enabled: rule.enabled ?? true,
      condition,
      nodeCount: scope.nodes,
      actions: compiledActions.actions,
      stop: compiledActions.stop,
    }));
  });

  if (errors.list.length > 0) return { ok: false, errors: sortByPosition(errors.list) };
  const description = typeof root.description === 'string' ? root.description : null;
  return { ok: true, rules, description };
};

/** `rules/10-routing.yaml:12:7 rules[1].when.subjet: unknown field "subjet"; did you mean "subject"?` */
export const formatRuleError = (error: RuleError): string =>
  `${error.file}:${error.line}:${error.column} ${error.path ? `${error.path}: ` : ''}${error.message}`;
