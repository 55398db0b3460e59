import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { regexPrefilter, requiredLiterals } from '../../src/rules/regex-prefilter.js';

describe('requiredLiterals', () => {
  it.each([
    ['\\b(invoice|refund)s?\\b', ['invoice', 'refund']],
    ['invoice', ['invoice']],
    ['inv(oice)?', ['inv']],
    ['ab+c', ['ab']],
    ['order #\\d{4,}', ['order #']],
    ['[a-z]+@example\\.com', ['@example.com']],
    ['(foo|)bar', ['bar']],
    ['(foo|bar)bazz', ['bazz']],
    ['colou?r', ['colo']],
    ['refunds?|chargebacks?', ['refund', 'chargeback']],
    ['[[:alpha:]]+test', ['test']],
    ['(?:re|fwd):\\s*urgent', ['urgent']],
    ['(?P<n>abc)d', ['abc']],
  ])('%s → %j', (pattern, expected) => {
    expect(requiredLiterals(pattern)).toEqual(expected);
  });

  it.each(['a|b', '(?i)abc', '(a+)+$', '^(a|aa)+b$', '\\pLfoo', 'a{,3}bc', '\\x41bc', '\\Qabc\\E', 'x|\\d+', '(ab|)', 'a.b.c', '\\d+'])('gives up on %s', (pattern) => {
    expect(requiredLiterals(pattern)).toBeNull();
  });
});

/** A small seeded generator, so failures reproduce. */
const rng = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};

describe('the pre-check never changes a result', () => {
  const PATTERNS = [
    '\\b(invoice|refund)s?\\b', 'inv(oice)?', 'ab+c', 'order #\\d{2,}', '[a-z]+@ex\\.com', '(foo|)bar', '(foo|bar)baz', 'colou?r',
    'refunds?|chargebacks?', '^re: (urgent|asap)', 'kk+s', 'sk', 'x{2}yy', '(?:ab|cd)+ef', 'über', 'straße', 'a\\.b', 'xé+t',
  ];
  // Texts built from pieces of the patterns, case variants and characters that fold specially (Kelvin sign, long s).
  const PIECES = ['invoice', 'INVOICE', 'refund', 'Refunds', 'inv', 'ab', 'abbbc', 'ac', 'order #', '12', '3', 'foo', 'bar', 'baz', 'colour', 'color',
    'chargeback', 're: ', 'URGENT', 'asap', ' ', 'k', 'K', '\u212A', 's', 'ſ', 'S', 'x', 'xx', 'yy', 'cd', 'ef', 'Über', 'STRASSE', 'straße', 'a.b', 'a-b', 'É', 'é', 't', '@ex.com', 'joe'];

  it('on thousands of generated texts, case-sensitive and not', () => {
    const random = rng(7);
    let compared = 0;
    let skipped = 0;
    for (const pattern of PATTERNS) {
      for (const caseSensitive of [false, true]) {
        const re = RE2JS.compile(pattern, caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE);
        const pre = regexPrefilter(pattern, caseSensitive);
        expect(pre, pattern).not.toBeNull();
        for (let n = 0; n < 400; n += 1) {
          const text = Array.from({ length: 1 + Math.floor(random() * 6) }, () => PIECES[Math.floor(random() * PIECES.length)]).join('');
          const matches = re.test(text);
          if (!pre!(text)) {
            skipped += 1;
            expect(matches, `${pattern} on ${JSON.stringify(text)} (case ${caseSensitive ? '' : 'in'}sensitive)`).toBe(false);
          }
          compared += 1;
        }
      }
    }
    expect(compared).toBe(PATTERNS.length * 2 * 400);
    expect(skipped).toBeGreaterThan(compared / 4);
  });

  it('case-insensitive pre-checks fold like RE2 (Kelvin sign, long s)', () => {
    for (const [pattern, text] of [['sk', 'ſ\u212A'], ['ks', '\u212Aſ']]) {
      const re = RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
      expect(re.test(text)).toBe(true);
      expect(regexPrefilter(pattern, false)!(text)).toBe(true);
    }
  });
});
