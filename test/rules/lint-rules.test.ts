import { describe, expect, it } from 'vitest';
import { disjoint, implies, normalForm } from '../../src/rules/condition-logic.js';
import { formatLintFinding, lintRules } from '../../src/rules/lint-rules.js';
import type { CompiledCondition } from '../../src/rules/rule-types.js';
import { rulesFrom } from './fixtures.js';

const lint = (yaml: string) => lintRules({ ruleSet: rulesFrom(yaml) });
const codes = (yaml: string) => lint(yaml).map((f) => [f.rule, f.code]);

/** The compiled condition of a one-rule set, from a flow-YAML `when`. */
const cond = (when: string): CompiledCondition | null =>
  rulesFrom(`rules:\n  - name: r\n    when: ${when}\n    then: { tags: [x] }\n`).rules[0].condition;

describe('contradictory conditions', () => {
  it('equals a AND equals b on one field', () => {
    const findings = lint(`rules:
  - name: impossible
    when:
      all:
        - channel: form
        - channel: webhook
    then: { queue: billing }
`);
    expect(findings).toEqual([{
      file: 'rules/test.yaml', line: 2, column: 5, code: 'never_matches', severity: 'warning', rule: 'impossible',
      message: 'rule "impossible" can never match: channel equals "form" and channel equals "webhook" can never both hold',
    }]);
    expect(formatLintFinding(findings[0])).toBe('rules/test.yaml:2:5 warning never_matches: rule "impossible" can never match: channel equals "form" and channel equals "webhook" can never both hold');
  });

  it('gt 5 AND lt 3, gte 5 AND lt 5; but not gte 5 AND lte 5', () => {
    expect(codes('rules:\n  - name: a\n    when: { customer.open_tickets: { gt: 5, lt: 3 } }\n    then: { tags: [x] }\n')).toEqual([['a', 'never_matches']]);
    expect(codes('rules:\n  - name: a\n    when: { customer.open_tickets: { gte: 5, lt: 5 } }\n    then: { tags: [x] }\n')).toEqual([['a', 'never_matches']]);
    expect(codes('rules:\n  - name: a\n    when: { customer.open_tickets: { gte: 5, lte: 5 } }\n    then: { tags: [x] }\n')).toEqual([]);
    expect(codes('rules:\n  - name: a\n    when: [ { attachments.count: { gt: 2 } }, { attachments.count: { lt: 10 } }, { attachments.count: { gt: 12 } } ]\n    then: { tags: [x] }\n'))
      .toEqual([['a', 'never_matches']]);
  });

  it('in sets that do not meet, exists false with a test, a test with its negation', () => {
    expect(codes('rules:\n  - name: a\n    when: [ { channel: [form, imap] }, { channel: { starts_with: web } } ]\n    then: { tags: [x] }\n')).toEqual([['a', 'never_matches']]);
    expect(codes('rules:\n  - name: a\n    when: { from.domain: { exists: false, ends_with: .com } }\n    then: { tags: [x] }\n')).toEqual([['a', 'never_matches']]);
    expect(codes('rules:\n  - name: a\n    when: [ { customer.tags: { contains: vip } }, { not: { customer.tags: { contains: vip } } } ]\n    then: { tags: [x] }\n')).toEqual([['a', 'never_matches']]);
    expect(codes('rules:\n  - name: a\n    when: { subject: { starts_with: "re:", equals: "fwd: hello" } }\n    then: { tags: [x] }\n')).toEqual([['a', 'never_matches']]);
  });

  it('an any is only impossible when every branch is', () => {
    expect(codes(`rules:
  - name: a
    when:
      all:
        - channel: form
        - any: [ { channel: webhook }, { channel: form } ]
    then: { tags: [x] }
`)).toEqual([]);
  });

  it('is not fooled by list fields, case rules or patterns that accept empty text', () => {
    // different recipients may satisfy different tests
    expect(codes('rules:\n  - name: a\n    when: [ { to: a@x.test }, { to: b@x.test } ]\n    then: { tags: [x] }\n')).toEqual([]);
    // case-insensitive "foo" allows "FOO", which a case-sensitive test accepts
    expect(codes('rules:\n  - name: a\n    when: [ { subject: foo }, { subject: { equals: FOO, case_sensitive: true } } ]\n    then: { tags: [x] }\n')).toEqual([]);
    // an empty subject is "absent" and still matches '^$'
    expect(codes(`rules:\n  - name: a\n    when: { subject: { exists: false, matches: '^$' } }\n    then: { tags: [x] }\n`)).toEqual([]);
  });
});

describe('shadowed rules', () => {
  it('an earlier stop rule with a wider condition hides a later rule', () => {
    const findings = lint(`rules:
  - name: all-billing
    when: { subject: { contains: invoice } }
    then: { queue: billing, stop: true }
  - name: overdue-invoices
    when:
      all:
        - subject: { contains: overdue invoice }
        - customer.tier: gold
    then: { priority: high }
`);
    expect(findings).toEqual([{
      file: 'rules/test.yaml', line: 5, column: 5, code: 'shadowed_by_stop', severity: 'warning', rule: 'overdue-invoices',
      message: 'rule "overdue-invoices" never runs: "all-billing" (rules/test.yaml:2) matches every message it matches and says stop',
      related: { rule: 'all-billing', file: 'rules/test.yaml', line: 2 },
    }]);
  });

  it('a stop rule without conditions hides everything after it', () => {
    expect(codes(`rules:
  - name: catch-all
    then: { tags: [seen], stop: true }
  - name: later
    when: { channel: form }
    then: { tags: [x] }
`)).toEqual([['catch-all', 'no_conditions'], ['later', 'shadowed_by_stop']]);
  });

  it('not shadowed when the stop rule is narrower, or has no stop', () => {
    expect(codes(`rules:
  - name: narrow
    when: { subject: { contains: overdue invoice } }
    then: { queue: billing, stop: true }
  - name: wide
    when: { subject: { contains: invoice } }
    then: { tags: [invoice] }
  - name: no-stop
    when: { channel: form }
    then: { tags: [form] }
  - name: narrower
    when: { channel: form, subject: { contains: x } }
    then: { tags: [y] }
`)).toEqual([]);
  });

  it('sla rules are only compared with sla rules of the same event', () => {
    expect(codes(`rules:
  - name: stop-all-messages
    then: { tags: [m], stop: true }
  - name: breach
    on: sla.breach
    then: { priority: urgent }
`)).toEqual([['stop-all-messages', 'no_conditions']]);
  });
});

describe('implication (the reasoning lint relies on)', () => {
  it('equals implies contains, in, starts_with of its value', () => {
    expect(implies(normalForm(cond('{ subject: refund please }')), normalForm(cond('{ subject: { contains: FUND } }')))).toBe(true);
    expect(implies(normalForm(cond('{ channel: form }')), normalForm(cond('{ channel: [form, webhook] }')))).toBe(true);
    expect(implies(normalForm(cond('{ channel: [form, webhook] }')), normalForm(cond('{ channel: form }')))).toBe(false);
  });

  it('prefixes, suffixes, alternatives and number bounds', () => {
    expect(implies(normalForm(cond('{ subject: { starts_with: "re: invoice" } }')), normalForm(cond('{ subject: { starts_with: "re:" } }')))).toBe(true);
    expect(implies(normalForm(cond('{ subject: { ends_with: [.pdf, .PDFX] } }')), normalForm(cond('{ subject: { contains: [.pdf] } }')))).toBe(true);
    expect(implies(normalForm(cond('{ subject: { contains: [refund, invoice] } }')), normalForm(cond('{ subject: { contains: refund } }')))).toBe(false);
    expect(implies(normalForm(cond('{ customer.open_tickets: { gt: 5 } }')), normalForm(cond('{ customer.open_tickets: { gte: 3 } }')))).toBe(true);
    expect(implies(normalForm(cond('{ customer.open_tickets: { gte: 3 } }')), normalForm(cond('{ customer.open_tickets: { gt: 5 } }')))).toBe(false);
    expect(implies(normalForm(cond('[ { customer.open_tickets: { gt: 2 } }, { customer.open_tickets: { lt: 4 } } ]')), normalForm(cond('{ customer.open_tickets: 3 }')))).toBe(false);
  });

  it('a case-sensitive condition is only implied by a case-sensitive one', () => {
    expect(implies(normalForm(cond('{ subject: { contains: ACME } }')), normalForm(cond('{ subject: { contains: ACME, case_sensitive: true } }')))).toBe(false);
    expect(implies(normalForm(cond('{ subject: { contains: ACME, case_sensitive: true } }')), normalForm(cond('{ subject: { contains: acme } }')))).toBe(true);
  });

  it('disjointness', () => {
    expect(disjoint(normalForm(cond('{ channel: form }')), normalForm(cond('{ channel: webhook }')))).toBe(true);
    expect(disjoint(normalForm(cond('{ channel: form }')), normalForm(cond('{ subject: x }')))).toBe(false);
  });
});

describe('actions that overwrite each other', () => {
  it('a later rule that always matches too overrides the earlier value', () => {
    const findings = lint(`rules:
  - name: refunds
    when: { subject: { contains: refund } }
    then: { queue: billing }
  - name: everything-from-example
    when: { any: [ { from.domain: example.com }, { subject: { contains: fund } } ] }
    then: { queue: technical }
`);
    expect(findings).toEqual([{
      file: 'rules/test.yaml', line: 2, column: 5, code: 'action_always_overridden', severity: 'warning', rule: 'refunds',
      message: 'queue: "billing" of rule "refunds" never takes effect: "everything-from-example" (rules/test.yaml:5) also matches whenever it does and sets queue: "technical"',
      related: { rule: 'everything-from-example', file: 'rules/test.yaml', line: 5 },
    }]);
  });

  it('overlapping rules are reported as info; disjoint or same-valued ones are not', () => {
    const findings = lint(`rules:
  - name: billing
    when: { subject: { contains: invoice } }
    then: { queue: billing }
  - name: vip
    when: { customer.tier: vip }
    then: { queue: vip }
  - name: forms
    when: { channel: form }
    then: { queue: accounts }
  - name: webhooks
    when: { channel: webhook }
    then: { queue: technical, priority: raise }
  - name: also-billing
    when: { subject: { contains: invoice } }
    then: { queue: billing }
`);
    expect(findings.map((f) => [f.rule, f.code, f.severity, f.related?.rule])).toEqual([
      ['billing', 'action_may_be_overridden', 'info', 'vip'],
      ['billing', 'action_may_be_overridden', 'info', 'forms'],
      ['billing', 'action_may_be_overridden', 'info', 'webhooks'],
      ['vip', 'action_may_be_overridden', 'info', 'forms'],
      ['vip', 'action_may_be_overridden', 'info', 'webhooks'],
      ['vip', 'action_may_be_overridden', 'info', 'also-billing'],
      ['forms', 'action_may_be_overridden', 'info', 'also-billing'],
      ['webhooks', 'action_may_be_overridden', 'info', 'also-billing'],
    ]);
  });

  it('a stop rule in between makes an override uncertain, not certain', () => {
    expect(codes(`rules:
  - name: first
    when: { channel: form }
    then: { queue: billing }
  - name: gate
    when: { customer.tier: vip }
    then: { tags: [vip], stop: true }
  - name: last
    then: { queue: technical }
`)).toEqual([['first', 'action_may_be_overridden'], ['last', 'no_conditions']]);
  });
});

describe('other findings', () => {
  it('rules without conditions and disabled rules', () => {
    expect(lint('rules:\n  - name: everyone\n    then: { tags: [x] }\n  - name: off\n    enabled: false\n    when: { channel: form }\n    then: { tags: [y] }\n')
      .map((f) => [f.rule, f.code, f.severity])).toEqual([['everyone', 'no_conditions', 'warning'], ['off', 'disabled', 'info']]);
  });

  it('the default rule set has no warnings', async () => {
    const { loadRuleSet } = await import('../../src/rules/load-rules.js');
    const loaded = await loadRuleSet({ dir: 'rules', known: { queues: null, templates: null, policies: null } });
    expect(loaded.ok).toBe(true);
    if (loaded.ok) expect(lintRules({ ruleSet: loaded.ruleSet }).filter((f) => f.severity === 'warning')).toEqual([]);
  });
});
