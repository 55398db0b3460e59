/**
 * The condition operators: which field types each applies to, what expected value it takes, and the
 * compiled check. Compilation happens once at load; evaluation only calls the prepared closures.
 *
 * Semantics (the reference in rules/README.md says the same for supervisors):
 * - Text comparison is case-insensitive unless the condition says `case_sensitive: true`.
 * - On a list field (`to`, `customer.tags`, `attachments.*`, `header.*`) a condition holds when ANY
 *   element satisfies it; `exists` means "the list is not empty".
 * - `contains`, `starts_with`, `ends_with` and `matches` accept one value or a list: any may match.
 * - `matches` uses RE2 (re2js): linear time whatever the pattern or input, no look-around or
 *   backreferences, at most MAX_RULE_REGEX_LENGTH characters; it searches anywhere in the value
 *   (anchor with `^` / `$`).
 * - A missing value (no sender, no classification, an SLA field outside an SLA rule) fails every
 *   operator except `exists: false`.
 */
import { RE2JS } from 're2js';
import type { FieldDefinition } from './fields.js';
import { didYouMean } from './did-you-mean.js';
import { regexPrefilter } from './regex-prefilter.js';
import { MAX_RULE_REGEX_LENGTH } from './rule-types.js';
import type { FieldType, FieldValue, OperatorName, RuleErrorCode } from './rule-types.js';

export const OPERATORS: readonly OperatorName[] = [
  'equals', 'in', 'contains', 'starts_with', 'ends_with', 'matches', 'gt', 'gte', 'lt', 'lte', 'exists',
];

const TEXT_OPERATORS: readonly OperatorName[] = ['equals', 'in', 'contains', 'starts_with', 'ends_with', 'matches', 'exists'];

/** Which operators apply to which field type. */
export const OPERATORS_BY_TYPE: Readonly<Record<FieldType, readonly OperatorName[]>> = {
  text: TEXT_OPERATORS,
  text_list: TEXT_OPERATORS,
  number: ['equals', 'in', 'gt', 'gte', 'lt', 'lte', 'exists'],
  boolean: ['equals', 'exists'],
};

/** A problem with one test, located relative to the operator's value (`index` = element of a list). */
export type TestIssue = { code: RuleErrorCode; message: string; index?: number; suggestion?: string };

/** The prepared parts of a test; see CompiledTest. */
export type PreparedTest = {
  expected: unknown;
  lowercase: boolean;
  check: (value: FieldValue) => boolean;
  /** index of the first match in a string as `check` sees it (lower-cased when `lowercase`); -1 when none */
  locate: (value: string) => number;
};

const isPresent = (value: FieldValue): boolean =>
  value !== null && value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0);

const TYPE_WORDS: Record<FieldType, string> = {
  text: 'a text field', text_list: 'a list field', number: 'a number field', boolean: 'a yes/no field',
};

const describe = (value: unknown): string => {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value === 'string' ? 'text' : typeof value} ${JSON.stringify(value)}`;
};

/** Text operands: strings, or numbers/booleans written bare in YAML (`X-Priority: 1`), as text. */
const asText = (value: unknown): string | null => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
};

type Result<T> = { ok: true; value: T } | { ok: false; issue: TestIssue };
const fail = <T>(code: RuleErrorCode, message: string, index?: number, suggestion?: string): Result<T> =>
  ({ ok: false, issue: { code, message, ...(index === undefined ? {} : { index }), ...(suggestion ? { suggestion } : {}) } });

/** One text operand, checked against the field's closed set of values when it has one. */
const textOperand = (field: FieldDefinition, op: OperatorName, raw: unknown, index?: number): Result<string> => {
  const text = asText(raw);
  if (text === null) return fail('invalid_type', `${op} on ${field.name} takes text, not ${describe(raw)}`, index);
  if (text.length === 0) return fail('invalid_value', `${op} on ${field.name} takes non-empty text (use exists: false for "absent")`, index);
  if ((op === 'equals' || op === 'in') && field.values) {
    const normalized = field.normalizeExpected ? field.normalizeExpected(text) : field.values.find((v) => v === text.toLowerCase()) ?? null;
    if (normalized === null) {
      const suggestion = didYouMean(text, field.values);
      const hint = suggestion ? `; did you mean "${suggestion}"?` : `; it is one of ${field.values.join(', ')}`;
      return fail('invalid_value', `${field.name} is never "${text}"${hint}`, index, suggestion ?? undefined);
    }
    return { ok: true, value: normalized };
  }
  return { ok: true, value: text };
};

/** One value or a non-empty list of them (for `contains`, `matches`... and `in`). */
const operandList = <T>(
  field: FieldDefinition, op: OperatorName, raw: unknown, one: (value: unknown, index?: number) => Result<T>, listOnly: boolean,
): Result<T[]> => {
  if (!Array.isArray(raw)) {
    if (listOnly) return fail('invalid_type', `${op} takes a list, e.g. ${op}: [a, b]; got ${describe(raw)}`);
    const single = one(raw);
    return single.ok ? { ok: true, value: [single.value] } : single;
  }
  if (raw.length === 0) return fail('invalid_value', `${op} on ${field.name} needs at least one value`);
  const values: T[] = [];
  for (let i = 0; i < raw.length; i += 1) {
    const item = one(raw[i], i);
    if (!item.ok) return item;
    values.push(item.value);
  }
  return { ok: true, value: values };
};

const numberOperand = (field: FieldDefinition, op: OperatorName, raw: unknown, index?: number): Result<number> =>
  typeof raw === 'number' && Number.isFinite(raw)
    ? { ok: true, value: raw }
    : fail('invalid_type', `${op} on ${field.name} takes a number, not ${describe(raw)}`, index);

/** Applies a per-string check to a text or text-list value: a list matches when any element does. */
const overValue = (type: FieldType, one: (s: string) => boolean): ((value: FieldValue) => boolean) =>
  type === 'text_list'
    ? (value) => Array.isArray(value) && value.some(one)
    : (value) => typeof value === 'string' && one(value);

const firstIndex = (haystack: string, needles: readonly string[]): number => {
  let best = -1;
  for (const needle of needles) {
    const at = haystack.indexOf(needle);
    if (at !== -1 && (best === -1 || at < best)) best = at;
  }
  return best;
};

const compileRegex = (field: FieldDefinition, pattern: string, caseSensitive: boolean, index?: number): Result<RE2JS> => {
  if (pattern.length > MAX_RULE_REGEX_LENGTH) {
    return fail('regex_too_long', `the pattern is ${pattern.length} characters; the limit is ${MAX_RULE_REGEX_LENGTH}`, index);
  }
  try {
    return { ok: true, value: RE2JS.compile(pattern, caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return fail('regex_invalid', `matches on ${field.name}: ${reason} (RE2 syntax: no look-around, no backreferences)`, index);
  }
};

const compileText = (field: FieldDefinition, op: OperatorName, raw: unknown, caseSensitive: boolean): Result<PreparedTest> => {
  const fold = (s: string): string => (caseSensitive ? s : s.toLowerCase());
  const lowercase = !caseSensitive && op !== 'matches';
  const listOnly = op === 'in';
  const operands = op === 'matches'
    ? operandList(field, op, raw, (v, i) => {
      const text = asText(v);
      return text === null || text.length === 0
        ? fail<string>('invalid_type', `matches on ${field.name} takes a non-empty pattern, not ${describe(v)}`, i)
        : { ok: true, value: text };
    }, false)
    : op === 'equals'
      ? (Array.isArray(raw)
        ? fail<string[]>('invalid_type', `equals takes one value; for several write in: [${raw.map(String).join(', ')}]`)
        : operandList(field, op, raw, (v, i) => textOperand(field, op, v, i), false))
      : operandList(field, op, raw, (v, i) => textOperand(field, op, v, i), listOnly);
  if (!operands.ok) return operands;
  const written = operands.value;
  const expected = Array.isArray(raw) ? written : written[0];

  switch (op) {
    case 'equals':
    case 'in': {
      const wanted = new Set(written.map(fold));
      const single = wanted.size === 1 ? [...wanted][0] : null;
      const one = single !== null ? (s: string) => s === single : (s: string) => wanted.has(s);
      // The commonest shapes get a closure of their own: this runs for every message and rule.
      const check = single !== null && field.type === 'text' ? (v: FieldValue) => v === single : overValue(field.type, one);
      return { ok: true, value: { expected, lowercase, check, locate: (s) => (one(s) ? 0 : -1) } };
    }
    case 'contains': {
      const needles = written.map(fold);
      const single = needles.length === 1 ? needles[0] : null;
      const one = single !== null ? (s: string) => s.includes(single) : (s: string) => needles.some((n) => s.includes(n));
      const check = single !== null && field.type === 'text' ? (v: FieldValue) => typeof v === 'string' && v.includes(single) : overValue(field.type, one);
      return { ok: true, value: { expected, lowercase, check, locate: (s) => firstIndex(s, needles) } };
    }
    case 'starts_with': {
      const prefixes = written.map(fold);
      const one = (s: string): boolean => prefixes.some((p) => s.startsWith(p));
      return { ok: true, value: { expected, lowercase, check: overValue(field.type, one), locate: (s) => (one(s) ? 0 : -1) } };
    }
    case 'ends_with': {
      const suffixes = written.map(fold);
      const one = (s: string): boolean => suffixes.some((p) => s.endsWith(p));
      const locate = (s: string): number => {
        const hit = suffixes.find((p) => s.endsWith(p));
        return hit === undefined ? -1 : Math.max(0, s.length - hit.length);
      };
      return { ok: true, value: { expected, lowercase, check: overValue(field.type, one), locate } };
    }
    case 'matches': {
      const patterns: RE2JS[] = [];
      const tests: Array<(s: string) => boolean> = [];
      for (let i = 0; i < written.length; i += 1) {
        const compiled = compileRegex(field, written[i], caseSensitive, written.length > 1 ? i : undefined);
        if (!compiled.ok) return compiled;
        const pattern = compiled.value;
        patterns.push(pattern);
        // RE2 only runs on text that contains a literal every match needs (see regex-prefilter.ts).
        const prefilter = regexPrefilter(written[i], caseSensitive);
        tests.push(prefilter ? (s) => prefilter(s) && pattern.test(s) : (s) => pattern.test(s));
      }
      const one = tests.length === 1 ? tests[0] : (s: string) => tests.some((t) => t(s));
      const locate = (s: string): number => {
        let best = -1;
        for (const p of patterns) {
          const hit = p.exec(s) as (unknown[] & { index?: number }) | null;
          if (hit && typeof hit.index === 'number' && (best === -1 || hit.index < best)) best = hit.index;
        }
        return best;
      };
      return { ok: true, value: { expected, lowercase, check: overValue(field.type, one), locate } };
    }
    default:
      return fail('operator_not_applicable', `${op} does not apply to ${field.name}`);
  }
};

const compileNumber = (field: FieldDefinition, op: OperatorName, raw: unknown): Result<PreparedTest> => {
  const none = (): number => -1;
  if (op === 'in') {
    const list = operandList(field, op, raw, (v, i) => numberOperand(field, op, v, i), true);
    if (!list.ok) return list;
    const wanted = new Set(list.value);
    return { ok: true, value: { expected: list.value, lowercase: false, check: (v) => typeof v === 'number' && wanted.has(v), locate: none } };
  }
  const operand = numberOperand(field, op, raw);
  if (!operand.ok) return operand;
  const n = operand.value;
  const compare: Record<string, (v: number) => boolean> = {
    equals: (v) => v === n, gt: (v) => v > n, gte: (v) => v >= n, lt: (v) => v < n, lte: (v) => v <= n,
  };
  const one = compare[op];
  return { ok: true, value: { expected: n, lowercase: false, check: (v) => typeof v === 'number' && one(v), locate: none } };
};

/**
 * Validates the expected value of `op` on `field` and prepares its check.
 * `op` must already be a known operator that applies to the field's type (see `operatorIssue`).
 */
export const prepareTest = (field: FieldDefinition, op: OperatorName, raw: unknown, caseSensitive: boolean): Result<PreparedTest> => {
  if (op === 'exists') {
    if (typeof raw !== 'boolean') return fail('invalid_type', `exists takes true or false, not ${describe(raw)}`);
    return { ok: true, value: { expected: raw, lowercase: false, check: (v) => isPresent(v) === raw, locate: () => -1 } };
  }
  switch (field.type) {
    case 'text':
    case 'text_list':
      return compileText(field, op, raw, caseSensitive);
    case 'number':
      return compileNumber(field, op, raw);
    case 'boolean':
      if (typeof raw !== 'boolean') return fail('invalid_type', `equals on ${field.name} takes true or false, not ${describe(raw)}`);
      return { ok: true, value: { expected: raw, lowercase: false, check: (v) => v === raw, locate: () => -1 } };
  }
};

/** Null when `op` is a known operator that applies to `field`; otherwise what is wrong, with a suggestion. */
export const operatorIssue = (field: FieldDefinition, op: string): TestIssue | null => {
  const applicable = OPERATORS_BY_TYPE[field.type];
  if ((applicable as readonly string[]).includes(op)) return null;
  if ((OPERATORS as readonly string[]).includes(op)) {
    return {
      code: 'operator_not_applicable',
      message: `${op} does not apply to ${field.name} (${TYPE_WORDS[field.type]}); use one of ${applicable.join(', ')}`,
    };
  }
  const suggestion = didYouMean(op, applicable) ?? didYouMean(op, OPERATORS);
  return {
    code: 'unknown_operator',
    message: `unknown operator "${op}" for ${field.name}${suggestion ? `; did you mean "${suggestion}"?` : `; operators: ${applicable.join(', ')}`}`,
    ...(suggestion ? { suggestion } : {}),
  };
};
