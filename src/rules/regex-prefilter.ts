/**
 * A fast, exact pre-check for `matches` conditions: the literal strings one of which every match of a
 * pattern must contain. When the text contains none of them the pattern cannot match, and the (much
 * slower) RE2 engine is not run. When it contains one, RE2 decides. So the answer is always RE2's.
 *
 * Heuristic (sound, deliberately partial — when in doubt it returns null and RE2 runs on every value):
 * - The pattern is parsed as alternation → sequence → atom. An atom is a literal character (or an
 *   escaped punctuation character), a group, or anything else (class, `.`, `\d`, `\b`, `^`, `$`...),
 *   which is treated as "unknown text" and ends the current literal run.
 * - In a sequence, consecutive literal characters that must appear form a run (`invoice` in
 *   `\binvoice\d+`). A character quantified with `?`, `*` or `{0,…}` is optional and ends the run; one
 *   quantified with `+` / `{n,…}` is kept and then ends the run. A group that must appear (no optional
 *   quantifier) contributes the set of its alternatives' requirements (`(invoice|refund)`).
 * - An alternation requires the union of its alternatives' requirements, and nothing when any
 *   alternative has none (`(a|)`, `a|\d+`).
 * - Of a sequence's candidate sets, the one whose shortest string is longest is kept; sets whose
 *   shortest string is under 2 characters are not worth a pre-check.
 * - Anything unusual gives up: inline flags `(?i)`, `\Q…\E`, `\p{…}`, `\x…`, octal/back-references, a
 *   `{` that is not a repetition, nested brackets in a class other than `[:name:]`.
 * Case: for a case-insensitive condition the pre-check is a native `RegExp` over the escaped literals
 * with flags `iu` (Unicode simple case folding, the folding RE2 uses), so `ſ` still finds `s`. A
 * pattern made only of literal alternatives cannot backtrack catastrophically.
 */

class GiveUp extends Error {}

type Requirement = string[] | null;

const META = new Set(['\\', '.', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$']);
/** Escapes that match one fixed character or a class of them, or are zero-width: "unknown text". */
const CLASS_ESCAPES = new Set(['d', 'D', 's', 'S', 'w', 'W', 'b', 'B', 'A', 'z', 'C', 'n', 'r', 't', 'f', 'v', 'a']);

type Atom = { kind: 'literal'; char: string } | { kind: 'other' } | { kind: 'group'; alternatives: Quantified[][] };
type Quantified = { atom: Atom; min: number; max: number };

class PatternReader {
  private i = 0;

  constructor(private readonly p: string) {}

  parse(): Quantified[][] {
    const alternatives = this.alternation();
    if (this.i !== this.p.length) throw new GiveUp();
    return alternatives;
  }

  private alternation(): Quantified[][] {
    const alternatives: Quantified[][] = [this.sequence()];
    while (this.p[this.i] === '|') {
      this.i += 1;
      alternatives.push(this.sequence());
    }
    return alternatives;
  }

  private sequence(): Quantified[] {
    const items: Quantified[] = [];
    while (this.i < this.p.length && this.p[this.i] !== '|' && this.p[this.i] !== ')') {
      const atom = this.atom();
      items.push({ atom, ...this.quantifier() });
    }
    return items;
  }

  private atom(): Atom {
    const c = this.p[this.i];
    if (c === '(') {
      this.i += 1;
      if (this.p[this.i] === '?') {
        if (this.p[this.i + 1] === ':') this.i += 2;
        else if (this.p.startsWith('P<', this.i + 1) || this.p[this.i + 1] === '<') {
          const close = this.p.indexOf('>', this.i);
          if (close === -1) throw new GiveUp();
          this.i = close + 1;
        } else throw new GiveUp(); // inline flags
      }
      const alternatives = this.alternation();
      if (this.p[this.i] !== ')') throw new GiveUp();
      this.i += 1;
      return { kind: 'group', alternatives };
    }
    if (c === '[') {
      this.skipClass();
      return { kind: 'other' };
    }
    if (c === '\\') {
      const next = this.p[this.i + 1];
      if (next === undefined) throw new GiveUp();
      this.i += 2;
      if (/[A-Za-z0-9]/.test(next)) {
        if (CLASS_ESCAPES.has(next)) return { kind: 'other' };
        throw new GiveUp(); // \p, \x, \Q, digits...
      }
      return { kind: 'literal', char: next };
    }
    if (c === '.' || c === '^' || c === '$') {
      this.i += 1;
      return { kind: 'other' };
    }
    if (META.has(c)) throw new GiveUp(); // a stray quantifier or bracket
    const cp = this.p.codePointAt(this.i) as number;
    const char = String.fromCodePoint(cp);
    this.i += char.length;
    return { kind: 'literal', char };
  }

  private skipClass(): void {
    this.i += 1;
    if (this.p[this.i] === '^') this.i += 1;
    if (this.p[this.i] === ']') this.i += 1;
    while (this.i < this.p.length && this.p[this.i] !== ']') {
      if (this.p[this.i] === '\\') this.i += 2;
      else if (this.p[this.i] === '[') {
        if (this.p[this.i + 1] !== ':') throw new GiveUp();
        const close = this.p.indexOf(':]', this.i + 2);
        if (close === -1) throw new GiveUp();
        this.i = close + 2;
      } else this.i += 1;
    }
    if (this.p[this.i] !== ']') throw new GiveUp();
    this.i += 1;
  }

  private quantifier(): { min: number; max: number } {
    const c = this.p[this.i];
    let min = 1;
    let max = 1;
    if (c === '?' || c === '*' || c === '+') {
      this.i += 1;
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : Infinity;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.p.slice(this.i));
      if (!m) throw new GiveUp();
      this.i += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    } else {
      return { min, max };
    }
    if (this.p[this.i] === '?') this.i += 1; // lazy
    if (this.p[this.i] === '?' || this.p[this.i] === '*' || this.p[this.i] === '+' || this.p[this.i] === '{') throw new GiveUp();
    return { min, max };
  }
}

const shortest = (set: string[]): number => Math.min(...set.map((s) => s.length));

const sequenceRequirement = (items: Quantified[]): Requirement => {
  const candidates: string[][] = [];
  let run = '';
  const endRun = (): void => {
    if (run) candidates.push([run]);
    run = '';
  };
  for (const { atom, min, max } of items) {
    if (atom.kind === 'literal') {
      if (min === 0) {
        endRun();
      } else {
        run += atom.char;
        if (max !== 1 || min !== 1) endRun();
      }
    } else if (atom.kind === 'group') {
      endRun();
      if (min >= 1) {
        const inner = alternationRequirement(atom.alternatives);
        if (inner) candidates.push(inner);
      }
    } else {
      endRun();
    }
  }
  endRun();
  if (candidates.length === 0) return null;
  // The longest shortest string filters best; on a tie, fewer strings are cheaper to look for.
  return candidates.reduce((best, set) =>
    (shortest(set) > shortest(best) || (shortest(set) === shortest(best) && set.length < best.length) ? set : best));
};

const alternationRequirement = (alternatives: Quantified[][]): Requirement => {
  const union = new Set<string>();
  for (const alternative of alternatives) {
    const required = sequenceRequirement(alternative);
    if (required === null) return null;
    for (const s of required) union.add(s);
  }
  return [...union];
};

/**
 * Literal strings one of which every match of `pattern` (RE2 syntax) contains, or null when none
 * can be derived (see the header). Exact: a text without any of them never matches.
 */
export const requiredLiterals = (pattern: string): string[] | null => {
  try {
    const required = alternationRequirement(new PatternReader(pattern).parse());
    return required && shortest(required) >= 2 ? required : null;
  } catch (error) {
    if (error instanceof GiveUp) return null;
    throw error;
  }
};

const escapeForRegExp = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

/**
 * A pre-check for `pattern`: false means the pattern certainly does not match the text; true means
 * "run the pattern". Null when no pre-check can be derived.
 */
export const regexPrefilter = (pattern: string, caseSensitive: boolean): ((text: string) => boolean) | null => {
  const literals = requiredLiterals(pattern);
  if (literals === null) return null;
  const check = new RegExp(literals.map(escapeForRegExp).join('|'), caseSensitive ? 'u' : 'iu');
  return (text) => check.test(text);
};
