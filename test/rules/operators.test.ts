import { describe, expect, it } from 'vitest';
import { evaluateRules } from '../../src/rules/evaluate-rules.js';
import { MAX_RULE_REGEX_LENGTH } from '../../src/rules/rule-types.js';
import type { TestTrace } from '../../src/rules/rule-types.js';
import { context, errorsFrom, makeInput, rulesFrom, SATURDAY_NIGHT } from './fixtures.js';
import type { InputOverrides } from './fixtures.js';

/** Whether a single-condition rule (`when` given as YAML flow text) matches the input. */
const holds = (when: string, overrides: InputOverrides = {}): boolean => {
  const ruleSet = rulesFrom(`rules:\n  - name: r\n    when: ${when}\n    then: { tags: [hit] }\n`);
  const { trace } = evaluateRules({ ruleSet, input: makeInput(overrides), context });
  return trace.rules[0].outcome === 'matched';
};

describe('text operators', () => {
  const subject = { message: { subject: 'Refund for Invoice #4711' } };

  it('equals compares the whole value, ignoring case', () => {
    expect(holds('{ subject: { equals: "refund for invoice #4711" } }', subject)).toBe(true);
    expect(holds('{ subject: { equals: "refund" } }', subject)).toBe(false);
  });

  it('in matches any listed value', () => {
    expect(holds('{ channel: { in: [form, webhook] } }')).toBe(true);
    expect(holds('{ channel: { in: [form, imap] } }')).toBe(false);
  });

  it('contains, starts_with and ends_with ignore case by default', () => {
    expect(holds('{ subject: { contains: INVOICE } }', subject)).toBe(true);
    expect(holds('{ subject: { starts_with: refund } }', subject)).toBe(true);
    expect(holds('{ subject: { ends_with: "#4711" } }', subject)).toBe(true);
    expect(holds('{ subject: { starts_with: invoice } }', subject)).toBe(false);
    expect(holds('{ subject: { ends_with: refund } }', subject)).toBe(false);
  });

  it('case_sensitive: true compares exactly', () => {
    expect(holds('{ subject: { contains: Invoice, case_sensitive: true } }', subject)).toBe(true);
    expect(holds('{ subject: { contains: invoice, case_sensitive: true } }', subject)).toBe(false);
    expect(holds('{ subject: { matches: "^refund", case_sensitive: true } }', subject)).toBe(false);
    expect(holds('{ subject: { matches: "^Refund", case_sensitive: true } }', subject)).toBe(true);
  });

  it('a list of values means any of them', () => {
    expect(holds('{ subject: { contains: [chargeback, invoice] } }', subject)).toBe(true);
    expect(holds('{ subject: { contains: [chargeback, dispute] } }', subject)).toBe(false);
  });

  it('matches searches anywhere, case-insensitively, with RE2 syntax', () => {
    expect(holds(`{ subject: { matches: '#\\d{4}\\b' } }`, subject)).toBe(true);
    expect(holds(`{ subject: { matches: 'INVOICE\\s+#' } }`, subject)).toBe(true);
    expect(holds(`{ subject: { matches: '^invoice' } }`, subject)).toBe(false);
  });

  it('shorthand: a bare value is equals, a list is in', () => {
    expect(holds('{ channel: webhook }')).toBe(true);
    expect(holds('{ channel: [form, imap] }')).toBe(false);
  });

  it('numbers written bare are compared as text on text fields', () => {
    expect(holds('{ header.X-Priority: { starts_with: 1 } }', { message: { headers: { 'x-priority': ['1 (Highest)'] } } })).toBe(true);
  });
});

describe('list fields match when any element matches', () => {
  it('to covers To and Cc, lower-cased', () => {
    const input = { message: { to: [{ name: '', address: 'Sales@Acme.test' }], cc: [{ name: '', address: 'billing@acme.test' }] } };
    expect(holds('{ to: billing@acme.test }', input)).toBe(true);
    expect(holds('{ to: { equals: SALES@acme.test } }', input)).toBe(true);
    expect(holds('{ to: { starts_with: support } }', input)).toBe(false);
  });

  it('customer.tags, attachments and headers', () => {
    expect(holds('{ customer.tags: { contains: vip } }', { customer: { tags: ['beta', 'VIP-2024'] } })).toBe(true);
    expect(holds('{ customer.tags: { equals: vip } }', { customer: { tags: ['beta', 'VIP-2024'] } })).toBe(false);
    const attachments = [
      { filename: 'Invoice.PDF', contentType: 'application/pdf; name="Invoice.PDF"', size: 10 },
      { filename: null, contentType: 'image/png', size: 5 },
    ];
    expect(holds('{ attachments.types: application/pdf }', { message: { attachments } })).toBe(true);
    expect(holds('{ attachments.names: { ends_with: .pdf } }', { message: { attachments } })).toBe(true);
    expect(holds('{ attachments.names: { ends_with: .png } }', { message: { attachments } })).toBe(false);
    expect(holds('{ header.list-id: { exists: true } }', { message: { headers: { 'list-id': ['<news.acme.test>'] } } })).toBe(true);
    expect(holds('{ header.List-Id: { contains: NEWS } }', { message: { headers: { 'list-id': ['<news.acme.test>'] } } })).toBe(true);
  });

  it('exists on a list means non-empty', () => {
    expect(holds('{ customer.tags: { exists: false } }')).toBe(true);
    expect(holds('{ customer.tags: { exists: true } }', { customer: { tags: ['x'] } })).toBe(true);
    expect(holds('{ header.X-Missing: { exists: false } }')).toBe(true);
  });
});

describe('number, yes/no and missing values', () => {
  it('gt, gte, lt, lte, equals and in on numbers', () => {
    const three = { customer: { openTickets: 3 } };
    expect(holds('{ customer.open_tickets: { gt: 2 } }', three)).toBe(true);
    expect(holds('{ customer.open_tickets: { gt: 3 } }', three)).toBe(false);
    expect(holds('{ customer.open_tickets: { gte: 3 } }', three)).toBe(true);
    expect(holds('{ customer.open_tickets: { lt: 3 } }', three)).toBe(false);
    expect(holds('{ customer.open_tickets: { lte: 3 } }', three)).toBe(true);
    expect(holds('{ customer.open_tickets: { equals: 3 } }', three)).toBe(true);
    expect(holds('{ customer.open_tickets: { in: [1, 3] } }', three)).toBe(true);
    expect(holds('{ customer.open_tickets: { gte: 1, lt: 3 } }', three)).toBe(false);
  });

  it('yes/no fields', () => {
    const autoReply = { message: { flags: { autoReply: true, bounce: false, loop: false, bulk: false, signals: [] } } };
    expect(holds('{ flags.auto_reply: true }', autoReply)).toBe(true);
    expect(holds('{ flags.bounce: { equals: true } }', autoReply)).toBe(false);
    expect(holds('{ ticket.is_new: true }')).toBe(true);
  });

  it('a missing value fails every operator except exists: false', () => {
    expect(holds('{ classification.category: { exists: false } }')).toBe(true);
    expect(holds('{ classification.confidence: { lt: 0.5 } }')).toBe(false);
    expect(holds('{ not: { classification.confidence: { gte: 0.5 } } }')).toBe(true);
    expect(holds('{ from.domain: { exists: false } }', { message: { from: null } })).toBe(true);
  });

  it('classification fields', () => {
    const classification = { category: 'billing', confidence: 0.87, top: [], modelVersion: 'm1', threshold: 0.5 };
    expect(holds('{ classification.category: billing, classification.confidence: { gte: 0.8 } }', { classification })).toBe(true);
  });
});

describe('time fields use input.now in the context zone and calendar', () => {
  it('weekday and business hours', () => {
    expect(holds('{ time.weekday: tuesday }')).toBe(true);
    expect(holds('{ time.weekday: { in: [sat, sun] } }', { now: SATURDAY_NIGHT })).toBe(true);
    expect(holds('{ time.business_hours: true }')).toBe(true);
    expect(holds('{ time.business_hours: false }', { now: SATURDAY_NIGHT })).toBe(true);
    // 21:00 UTC is 22:00 in Berlin
    expect(holds('{ time.hour: { equals: 22 } }', { now: SATURDAY_NIGHT })).toBe(true);
  });
});

describe('regular expressions are bounded', () => {
  it('refuses a pattern longer than MAX_RULE_REGEX_LENGTH', () => {
    const pattern = 'a'.repeat(MAX_RULE_REGEX_LENGTH + 1);
    const errors = errorsFrom(`rules:\n  - name: r\n    when: { subject: { matches: '${pattern}' } }\n    then: { tags: [x] }\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'regex_too_long', line: 3, path: 'rules[0].when.subject.matches' });
    expect(errors[0].message).toContain(`limit is ${MAX_RULE_REGEX_LENGTH}`);
  });

  it('accepts a pattern of exactly the limit', () => {
    const pattern = 'a'.repeat(MAX_RULE_REGEX_LENGTH);
    expect(() => rulesFrom(`rules:\n  - name: r\n    when: { subject: { matches: '${pattern}' } }\n    then: { tags: [x] }\n`)).not.toThrow();
  });

  it('refuses look-around and back-references with the reason', () => {
    const errors = errorsFrom(`rules:\n  - name: r\n    when: { subject: { matches: '(?=refund)' } }\n    then: { tags: [x] }\n`);
    expect(errors[0]).toMatchObject({ code: 'regex_invalid', line: 3, column: 33 });
    expect(errors[0].message).toContain('(?=');
    const backref = errorsFrom(`rules:\n  - name: r\n    when: { subject: { matches: ['ok', '(a)\\1'] } }\n    then: { tags: [x] }\n`);
    expect(backref[0]).toMatchObject({ code: 'regex_invalid', path: 'rules[0].when.subject.matches[1]' });
  });

  it('a catastrophic-backtracking pattern on a long input completes with the right answer', () => {
    const ruleSet = rulesFrom(`rules:\n  - name: redos\n    when: { text: { matches: '(a+)+$' } }\n    then: { tags: [x] }\n  - name: redos2\n    when: { text: { matches: '^(a|aa)+b$' } }\n    then: { tags: [y] }\n`);
    const evil = `${'a'.repeat(50_000)}!`;
    const { trace } = evaluateRules({ ruleSet, input: makeInput({ message: { text: evil } }), context });
    expect(trace.rules.map((r) => r.outcome)).toEqual(['not_matched', 'not_matched']);
    const ok = evaluateRules({ ruleSet, input: makeInput({ message: { text: 'a'.repeat(50_000) } }), context });
    expect(ok.trace.rules[0].outcome).toBe('matched');
  });
});

describe('operator and value checks at load', () => {
  it('an operator that does not apply to the field type', () => {
    const errors = errorsFrom('rules:\n  - name: r\n    when: { subject: { gt: 3 } }\n    then: { tags: [x] }\n');
    expect(errors[0]).toMatchObject({ code: 'operator_not_applicable', line: 3, column: 24 });
    expect(errors[0].message).toBe('gt does not apply to subject (a text field); use one of equals, in, contains, starts_with, ends_with, matches, exists');
  });

  it('wrong operand types', () => {
    expect(errorsFrom('rules:\n  - name: r\n    when: { customer.open_tickets: { gt: many } }\n    then: { tags: [x] }\n')[0].message)
      .toBe('gt on customer.open_tickets takes a number, not text "many"');
    expect(errorsFrom('rules:\n  - name: r\n    when: { channel: { in: form } }\n    then: { tags: [x] }\n')[0].message)
      .toContain('in takes a list');
    expect(errorsFrom('rules:\n  - name: r\n    when: { subject: { contains: "" } }\n    then: { tags: [x] }\n')[0].code).toBe('invalid_value');
    expect(errorsFrom('rules:\n  - name: r\n    when: { flags.bulk: { exists: yes } }\n    then: { tags: [x] }\n')[0].message)
      .toBe('exists takes true or false, not text "yes"');
  });

  it('closed value sets are checked, with did-you-mean', () => {
    const errors = errorsFrom('rules:\n  - name: r\n    when: { channel: emial }\n    then: { tags: [x] }\n');
    expect(errors[0]).toMatchObject({ code: 'invalid_value', line: 3, column: 22 });
    expect(errors[0].message).toBe('channel is never "emial"; it is one of webhook, form, import, imap');
    const weekday = errorsFrom('rules:\n  - name: r\n    when: { time.weekday: tusday }\n    then: { tags: [x] }\n');
    expect(weekday[0].message).toBe('time.weekday is never "tusday"; did you mean "tuesday"?');
    expect(weekday[0].suggestion).toBe('tuesday');
  });

  it('the trace shows the normalized expected value', () => {
    const ruleSet = rulesFrom('rules:\n  - name: r\n    when: { time.weekday: Tue }\n    then: { tags: [x] }\n');
    const { trace } = evaluateRules({ ruleSet, input: makeInput(), context });
    expect(trace.rules[0].condition).toMatchObject({ field: 'time.weekday', expected: 'tuesday', actual: 'tuesday', result: true } satisfies Partial<TestTrace>);
  });
});
