/**
 * Reasoning about compiled conditions without a message: "can this ever hold?" and "whenever B holds,
 * does A hold?". Used by lint (src/rules/lint-rules.ts).
 *
 * Heuristic, and deliberately SOUND rather than complete: when it answers "never" or "always implies",
 * that is true for every possible message; when it cannot tell, it says nothing (lint stays quiet).
 *
 * 1. Normal form. A condition becomes a disjunction of conjunctions of literals (DNF): `all` multiplies
 *    out, `any` concatenates, `not` is pushed inwards (De Morgan) onto single tests. A missing `when` is
 *    one empty conjunction (always true). Past MAX_DNF_TERMS conjunctions the analysis gives up.
 * 2. A literal is a test, possibly negated; `not exists: x` becomes `exists: !x`.
 * 3. Contradiction (a conjunction can never hold), checked pairwise on one field:
 *    - `exists: false` with anything positive on the field, or a test with its own negation;
 *    - on single-valued fields (not lists): an `equals`/`in` whose every value fails the other test
 *      (`equals a` AND `equals b`, `in [a, b]` AND `starts_with c`), unless case rules make that unsure;
 *    - on number fields: bounds whose intersection is empty (`gt 5` AND `lt 3`, `gte 5` AND `lt 5`);
 *    - two `starts_with` (or two `ends_with`) of single values where neither extends the other.
 *    On list fields (`to`, `customer.tags`...) different elements may satisfy different tests, so only
 *    the first rule applies there.
 * 4. Implication (B ⇒ A): every conjunction of B implies some conjunction of A; a conjunction implies
 *    another when each literal of the latter is implied by a literal of the former, or (numbers) by the
 *    interval all of B's bounds on that field allow. Literal b implies literal a (same field) when:
 *    - they are the same test;
 *    - b is `equals`/`in` and a holds for every value b allows (`equals refund` ⇒ `contains fund`);
 *    - b `contains t` and a `contains s` with s inside t; likewise `starts_with` / `ends_with` prefixes
 *      and suffixes, and `starts_with t` / `ends_with t` ⇒ `contains s` with s inside t;
 *    - b `matches` the same patterns as a (only identical patterns; regexes are not compared);
 *    - b is any positive test and a is `exists: true`; b is `exists: false` and a is a negated test
 *      (except `matches` patterns that accept empty text, which can hold on an empty subject);
 *    - text case: a case-sensitive a is only implied by a case-sensitive b.
 *    With alternatives (`contains: [x, y]`), every alternative of b must imply some alternative of a.
 */
import type { CompiledCondition, CompiledTest, FieldValue } from './rule-types.js';

/** Beyond this many conjunctions the analysis gives up (and lint says nothing). */
export const MAX_DNF_TERMS = 64;

export type Literal = { test: CompiledTest; negated: boolean; exists?: boolean };
export type Conjunction = readonly Literal[];
/** null: too large to analyse */
export type Dnf = readonly Conjunction[] | null;

const literal = (test: CompiledTest, negated: boolean): Literal => {
  if (test.op === 'exists') return { test, negated: false, exists: negated ? !(test.expected as boolean) : (test.expected as boolean) };
  return { test, negated };
};

const product = (a: readonly Conjunction[], b: readonly Conjunction[]): Conjunction[] | null => {
  if (a.length * b.length > MAX_DNF_TERMS) return null;
  const out: Conjunction[] = [];
  for (const x of a) for (const y of b) out.push([...x, ...y]);
  return out;
};

const toDnf = (condition: CompiledCondition, negated: boolean): Dnf => {
  switch (condition.kind) {
    case 'test':
      return [[literal(condition, negated)]];
    case 'not':
      return toDnf(condition.condition, !negated);
    default: {
      // all = and; any = or; under negation they swap (De Morgan).
      const conjunctive = (condition.kind === 'all') !== negated;
      const parts = condition.conditions.map((c) => toDnf(c, negated));
      if (parts.some((p) => p === null)) return null;
      if (!conjunctive) {
        const out = (parts as Conjunction[][]).flat();
        return out.length > MAX_DNF_TERMS ? null : out;
      }
      let acc: Conjunction[] | null = [[]];
      for (const part of parts as Conjunction[][]) {
        acc = product(acc, part);
        if (acc === null) return null;
      }
      return acc;
    }
  }
};

/** The condition in disjunctive normal form; a rule without `when` is `[[]]` (always true). */
export const normalForm = (condition: CompiledCondition | null): Dnf => (condition === null ? [[]] : toDnf(condition, false));

const isList = (test: CompiledTest): boolean => test.fieldType === 'text_list';
const isText = (test: CompiledTest): boolean => test.fieldType === 'text' || test.fieldType === 'text_list';
const alternatives = (test: CompiledTest): unknown[] => (Array.isArray(test.expected) ? test.expected : [test.expected]);
const same = (a: CompiledTest, b: CompiledTest): boolean =>
  a.op === b.op && a.caseSensitive === b.caseSensitive && JSON.stringify(a.expected) === JSON.stringify(b.expected);

/** Evaluates `test` on one element value `v` of the field (as a list of one for list fields). */
const holdsFor = (test: CompiledTest, v: unknown): boolean => {
  const value = (typeof v === 'string' && test.lowercase ? v.toLowerCase() : v) as FieldValue;
  return test.check(isList(test) ? ([value] as readonly string[]) : value);
};

/** Case rules: can b's values be fed to a's check exactly? (a case-sensitive needs b case-sensitive) */
const caseCompatible = (b: CompiledTest, a: CompiledTest): boolean => !isText(a) || !a.caseSensitive || b.caseSensitive;

const fold = (test: CompiledTest, s: string): string => (test.caseSensitive ? s : s.toLowerCase());

// ---------------------------------------------------------------------------------------------
// Numbers

type Interval = { lo: number; loOpen: boolean; hi: number; hiOpen: boolean };
const FULL: Interval = { lo: -Infinity, loOpen: true, hi: Infinity, hiOpen: true };

const narrow = (interval: Interval, test: CompiledTest): Interval => {
  const n = test.expected as number;
  const values = Array.isArray(test.expected) ? (test.expected as number[]) : [n];
  const next = { ...interval };
  const raiseLo = (lo: number, open: boolean): void => {
    if (lo > next.lo || (lo === next.lo && open && !next.loOpen)) { next.lo = lo; next.loOpen = open; }
  };
  const lowerHi = (hi: number, open: boolean): void => {
    if (hi < next.hi || (hi === next.hi && open && !next.hiOpen)) { next.hi = hi; next.hiOpen = open; }
  };
  switch (test.op) {
    case 'gt': raiseLo(n, true); break;
    case 'gte': raiseLo(n, false); break;
    case 'lt': lowerHi(n, true); break;
    case 'lte': lowerHi(n, false); break;
    case 'equals': raiseLo(n, false); lowerHi(n, false); break;
    case 'in': raiseLo(Math.min(...values), false); lowerHi(Math.max(...values), false); break;
    default: break;
  }
  return next;
};

const isEmpty = (i: Interval): boolean => i.lo > i.hi || (i.lo === i.hi && (i.loOpen || i.hiOpen));

const numericBounds = (conjunction: Conjunction, field: string): Interval | null => {
  let interval: Interval | null = null;
  for (const lit of conjunction) {
    if (lit.negated || lit.exists !== undefined || lit.test.field !== field || lit.test.fieldType !== 'number') continue;
    interval = narrow(interval ?? FULL, lit.test);
  }
  return interval;
};

const intervalImplies = (i: Interval, a: CompiledTest): boolean => {
  const n = a.expected as number;
  switch (a.op) {
    case 'gt': return i.lo > n || (i.lo === n && i.loOpen);
    case 'gte': return i.lo >= n;
    case 'lt': return i.hi < n || (i.hi === n && i.hiOpen);
    case 'lte': return i.hi <= n;
    case 'equals': return i.lo === n && i.hi === n && !i.loOpen && !i.hiOpen;
    default: return false;
  }
};

// ---------------------------------------------------------------------------------------------
// Literals

const positiveImplies = (b: CompiledTest, a: CompiledTest): boolean => {
  if (same(a, b)) return true;
  if (!caseCompatible(b, a)) return false;
  if (b.op === 'equals' || b.op === 'in') return alternatives(b).every((v) => holdsFor(a, v));
  if (!isText(a) || !isText(b)) return false;
  const bs = (alternatives(b) as string[]).map((s) => fold(a, s));
  const as = (alternatives(a) as string[]).map((s) => fold(a, s));
  const each = (ok: (t: string, s: string) => boolean): boolean => bs.every((t) => as.some((s) => ok(t, s)));
  switch (b.op) {
    case 'contains':
      return a.op === 'contains' && each((t, s) => t.includes(s));
    case 'starts_with':
      return (a.op === 'starts_with' && each((t, s) => t.startsWith(s))) || (a.op === 'contains' && each((t, s) => t.includes(s)));
    case 'ends_with':
      return (a.op === 'ends_with' && each((t, s) => t.endsWith(s))) || (a.op === 'contains' && each((t, s) => t.includes(s)));
    case 'matches':
      return a.op === 'matches' && a.caseSensitive === b.caseSensitive && (alternatives(b) as string[]).every((p) => (alternatives(a) as string[]).includes(p));
    default:
      return false;
  }
};

/** A `matches` on a text field whose pattern accepts the empty text: it can hold where `exists` is false. */
const acceptsEmpty = (test: CompiledTest): boolean => test.op === 'matches' && test.fieldType === 'text' && test.check('');

/** Whether literal `b` alone guarantees literal `a` (same field assumed). */
export const literalImplies = (b: Literal, a: Literal): boolean => {
  if (a.exists !== undefined) {
    if (b.exists !== undefined) return a.exists === b.exists;
    return a.exists === true && !b.negated && !acceptsEmpty(b.test);
  }
  if (b.exists === false) return a.negated && !acceptsEmpty(a.test);
  if (b.exists === true) return false;
  if (a.negated && b.negated) return same(a.test, b.test);
  if (a.negated) {
    // b positive pins a single-valued field to b's values; a's test must fail on all of them.
    if (isList(b.test) || (b.test.op !== 'equals' && b.test.op !== 'in')) return false;
    if (isText(a.test) && a.test.caseSensitive !== b.test.caseSensitive) return false;
    return alternatives(b.test).every((v) => !holdsFor(a.test, v));
  }
  if (b.negated) return false;
  return positiveImplies(b.test, a.test);
};

/** Why two literals on one field can never both hold, or null when they can (or it is unsure). */
export const literalsConflict = (x: Literal, y: Literal): string | null => {
  const describe = (l: Literal): string =>
    l.exists !== undefined ? `${l.test.field} exists: ${l.exists}` : `${l.negated ? 'not ' : ''}${l.test.field} ${l.test.op} ${JSON.stringify(l.test.expected)}`;
  const both = `${describe(x)} and ${describe(y)} can never both hold`;
  if (x.exists !== undefined || y.exists !== undefined) {
    const [e, other] = x.exists !== undefined ? [x, y] : [y, x];
    if (other.exists !== undefined) return other.exists !== e.exists ? both : null;
    return e.exists === false && !other.negated && !acceptsEmpty(other.test) ? both : null;
  }
  if (x.negated !== y.negated) {
    const [pos, neg] = x.negated ? [y, x] : [x, y];
    return same(pos.test, neg.test) ? both : null;
  }
  if (x.negated || isList(x.test)) return null;
  // Single-valued field, both positive.
  for (const [b, a] of [[x.test, y.test], [y.test, x.test]] as const) {
    if ((b.op === 'equals' || b.op === 'in') && (!isText(a) || !(a.caseSensitive && !b.caseSensitive))) {
      if (alternatives(b).every((v) => !holdsFor(a, v))) return both;
    }
  }
  if (x.test.fieldType === 'number') {
    const interval = narrow(narrow(FULL, x.test), y.test);
    return isEmpty(interval) ? both : null;
  }
  const a = x.test;
  const b = y.test;
  if (isText(a) && a.op === b.op && (a.op === 'starts_with' || a.op === 'ends_with') && a.caseSensitive === b.caseSensitive
    && !Array.isArray(a.expected) && !Array.isArray(b.expected)) {
    const s = fold(a, a.expected as string);
    const t = fold(a, b.expected as string);
    const fits = a.op === 'starts_with' ? s.startsWith(t) || t.startsWith(s) : s.endsWith(t) || t.endsWith(s);
    return fits ? null : both;
  }
  return null;
};

/** Why a conjunction can never hold, or null. */
export const conjunctionConflict = (conjunction: Conjunction): string | null => {
  for (let i = 0; i < conjunction.length; i += 1) {
    for (let j = i + 1; j < conjunction.length; j += 1) {
      if (conjunction[i].test.field !== conjunction[j].test.field) continue;
      const reason = literalsConflict(conjunction[i], conjunction[j]);
      if (reason) return reason;
    }
  }
  const numberFields = new Set(conjunction.filter((l) => l.test.fieldType === 'number' && !l.negated && l.exists === undefined).map((l) => l.test.field));
  for (const field of numberFields) {
    const bounds = numericBounds(conjunction, field);
    if (bounds && isEmpty(bounds)) return `the bounds on ${field} leave no possible value`;
  }
  return null;
};

const conjunctionImplies = (b: Conjunction, a: Conjunction): boolean =>
  a.every((la) => {
    if (b.some((lb) => lb.test.field === la.test.field && literalImplies(lb, la))) return true;
    if (la.test.fieldType === 'number' && !la.negated && la.exists === undefined) {
      const bounds = numericBounds(b, la.test.field);
      return bounds !== null && intervalImplies(bounds, la.test);
    }
    return false;
  });

/**
 * Whether every message satisfying `b` satisfies `a`. False when unsure. Conjunctions of `b` that can
 * never hold are ignored (they imply anything).
 */
export const implies = (b: Dnf, a: Dnf): boolean => {
  if (a === null || b === null) return false;
  return b.every((cb) => conjunctionConflict(cb) !== null || a.some((ca) => conjunctionImplies(cb, ca)));
};

/** Whether no message can satisfy both (every pair of conjunctions conflicts). False when unsure. */
export const disjoint = (x: Dnf, y: Dnf): boolean => {
  if (x === null || y === null) return false;
  return x.every((cx) => y.every((cy) => conjunctionConflict([...cx, ...cy]) !== null));
};

/** Why a condition can never hold (every conjunction conflicts), or null. */
export const neverHolds = (dnf: Dnf): string | null => {
  if (dnf === null || dnf.length === 0) return null;
  const reasons = dnf.map(conjunctionConflict);
  return reasons.every((r) => r !== null) ? (reasons[0] as string) : null;
};
