import { describe, expect, it } from 'vitest';
import { evaluateRules } from '../../src/rules/evaluate-rules.js';
import { MAX_TRACE_LIST, MAX_TRACE_STRING } from '../../src/rules/rule-types.js';
import type { GroupTrace, NotTrace, TestTrace } from '../../src/rules/rule-types.js';
import { context, makeInput, rulesFrom } from './fixtures.js';

describe('all / any / not', () => {
  const ruleSet = rulesFrom(`rules:
  - name: nested
    when:
      all:
        - from.domain: example.com
        - any:
            - subject: { contains: refund }
            - not: { customer.tier: { exists: true } }
        - not:
            any:
              - flags.bulk: true
              - flags.auto_reply: true
    then: { tags: [hit] }
`);
  const run = (overrides: Parameters<typeof makeInput>[0]) => evaluateRules({ ruleSet, input: makeInput(overrides), context });

  it('combines nested groups', () => {
    expect(run({}).patch.tags).toEqual(['hit']);
    expect(run({ customer: { tier: 'gold' } }).patch.tags).toEqual([]);
    expect(run({ customer: { tier: 'gold' }, message: { subject: 'Refund please' } }).patch.tags).toEqual(['hit']);
    expect(run({ message: { flags: { autoReply: false, bounce: false, loop: false, bulk: true, signals: [] } } }).patch.tags).toEqual([]);
    expect(run({ message: { from: { name: '', address: 'x@other.test' } } }).patch.tags).toEqual([]);
  });

  it('short-circuits, and says which conditions were not evaluated', () => {
    const { trace } = run({ message: { from: { name: '', address: 'x@other.test' } } });
    const top = trace.rules[0].condition as GroupTrace;
    expect(top.kind).toBe('all');
    expect(top.result).toBe(false);
    expect(top.conditions[0]).toMatchObject({ field: 'from.domain', actual: 'other.test', result: false });
    expect(top.conditions[1]).toMatchObject({ kind: 'any', result: 'not_evaluated' });
    const skippedAny = top.conditions[1] as GroupTrace;
    expect(skippedAny.conditions[0]).toMatchObject({ field: 'subject', result: 'not_evaluated' });
    expect(skippedAny.conditions[0]).not.toHaveProperty('actual');
    expect(top.conditions[2]).toMatchObject({ kind: 'not', result: 'not_evaluated' });
  });

  it('traces not with its inner result', () => {
    const { trace } = run({});
    const top = trace.rules[0].condition as GroupTrace;
    const not = top.conditions[2] as NotTrace;
    expect(not.result).toBe(true);
    expect(not.condition).toMatchObject({ kind: 'any', result: false });
    const any = top.conditions[1] as GroupTrace;
    expect(any.conditions[0]).toMatchObject({ field: 'subject', result: false, actual: 'Question about my order' });
    expect(any.conditions[1]).toMatchObject({ kind: 'not', result: true, condition: { field: 'customer.tier', op: 'exists', actual: null, result: false } });
  });

  it('a list under when means all; several keys in a mapping mean all', () => {
    const list = rulesFrom('rules:\n  - name: r\n    when:\n      - channel: webhook\n      - subject: { contains: nothing-like-this }\n    then: { tags: [x] }\n');
    expect(evaluateRules({ ruleSet: list, input: makeInput(), context }).trace.rules[0].outcome).toBe('not_matched');
    const map = rulesFrom('rules:\n  - name: r\n    when: { channel: webhook, subject: { contains: order } }\n    then: { tags: [x] }\n');
    expect(evaluateRules({ ruleSet: map, input: makeInput(), context }).trace.rules[0].condition).toMatchObject({ kind: 'all', result: true });
  });
});

describe('order, stop and conflicts', () => {
  const ruleSet = rulesFrom(`rules:
  - name: general
    when: { subject: { contains: order } }
    then: { queue: billing, priority: low, tags: [orders, shared] }
  - name: specific
    when: { from.domain: example.com }
    then: { queue: technical, tags: [shared, example] }
  - name: final
    when: { customer.tier: vip }
    then: { queue: vip, stop: true }
  - name: after-stop
    when: { channel: webhook }
    then: { queue: accounts, tags: [late] }
`);

  it('single-valued actions: the later matching rule wins, and the trace says who overrode whom', () => {
    const { patch, trace, setBy } = evaluateRules({ ruleSet, input: makeInput(), context });
    expect(patch.queue).toBe('accounts');
    expect(patch.priority).toBe('low');
    expect(setBy).toMatchObject({ queue: 'after-stop', priority: 'general' });
    expect(trace.rules[0].actions).toEqual([
      { action: 'queue', value: 'billing', outcome: 'overridden', by: 'after-stop' },
      { action: 'priority', value: 'low', outcome: 'applied' },
      { action: 'tags', value: 'orders', outcome: 'added' },
      { action: 'tags', value: 'shared', outcome: 'added' },
    ]);
    expect(trace.rules[1].actions).toEqual([
      { action: 'queue', value: 'technical', outcome: 'overridden', by: 'after-stop' },
      { action: 'tags', value: 'shared', outcome: 'already_present' },
      { action: 'tags', value: 'example', outcome: 'added' },
    ]);
    expect(trace.rules[2]).toMatchObject({ rule: 'final', outcome: 'not_matched' });
    expect(trace.matched).toEqual(['general', 'specific', 'after-stop']);
  });

  it('tags accumulate without duplicates', () => {
    expect(evaluateRules({ ruleSet, input: makeInput(), context }).patch.tags).toEqual(['orders', 'shared', 'example', 'late']);
  });

  it('stop ends evaluation: later rules are traced as not evaluated', () => {
    const { patch, trace } = evaluateRules({ ruleSet, input: makeInput({ customer: { tier: 'vip' } }), context });
    expect(patch.queue).toBe('vip');
    expect(patch.tags).not.toContain('late');
    expect(trace.stoppedBy).toBe('final');
    expect(trace.rules[2]).toMatchObject({ outcome: 'matched', stop: true });
    expect(trace.rules[3]).toEqual({ rule: 'after-stop', file: 'rules/test.yaml', line: 11, outcome: 'not_evaluated', condition: null });
  });

  it('priority raise builds on the priority so far; an absolute priority later overrides it', () => {
    const raising = rulesFrom(`rules:
  - name: high
    then: { priority: high }
  - name: up
    then: { priority: raise }
  - name: up-again
    then: { priority: raise }
`);
    const { patch, trace } = evaluateRules({ ruleSet: raising, input: makeInput(), context });
    expect(patch.priority).toBe('urgent');
    expect(trace.rules.map((r) => r.actions?.[0])).toEqual([
      { action: 'priority', value: 'high', outcome: 'applied' },
      { action: 'priority', value: 'raise (high → urgent)', outcome: 'applied' },
      { action: 'priority', value: 'raise (urgent → urgent)', outcome: 'applied' },
    ]);
    const overridden = rulesFrom('rules:\n  - name: up\n    then: { priority: raise }\n  - name: low\n    then: { priority: low }\n');
    const result = evaluateRules({ ruleSet: overridden, input: makeInput(), context });
    expect(result.patch.priority).toBe('low');
    expect(result.trace.rules[0].actions?.[0]).toMatchObject({ outcome: 'overridden', by: 'low' });
  });

  it('raise starts from basePriority, else the ticket priority, else normal', () => {
    const up = rulesFrom('rules:\n  - name: up\n    then: { priority: raise }\n');
    expect(evaluateRules({ ruleSet: up, input: makeInput(), context }).patch.priority).toBe('high');
    expect(evaluateRules({ ruleSet: up, input: makeInput({ ticket: { isNew: false, priority: 'low' } }), context }).patch.priority).toBe('normal');
    expect(evaluateRules({ ruleSet: up, input: makeInput(), context, basePriority: 'high' }).patch.priority).toBe('urgent');
  });

  it('auto_reply: false cancels an earlier template; disabled rules do not run', () => {
    const set = rulesFrom(`rules:
  - name: answer
    then: { auto_reply: password-reset, acknowledge: true }
  - name: quiet
    enabled: false
    then: { acknowledge: false }
  - name: cancel
    when: { flags.auto_reply: true }
    then: { auto_reply: false }
`);
    const normal = evaluateRules({ ruleSet: set, input: makeInput(), context });
    expect(normal.patch).toMatchObject({ autoReplyTemplate: 'password-reset', acknowledge: true });
    expect(normal.trace.rules[1]).toMatchObject({ outcome: 'disabled' });
    const auto = evaluateRules({ ruleSet: set, input: makeInput({ message: { flags: { autoReply: true, bounce: false, loop: false, bulk: false, signals: [] } } }), context });
    expect(auto.patch.autoReplyTemplate).toBeNull();
  });
});

describe('trace values', () => {
  it('records the actual value of each evaluated condition', () => {
    const ruleSet = rulesFrom(`rules:
  - name: r
    when:
      all:
        - customer.open_tickets: { gte: 1 }
        - to: { contains: support }
    then: { tags: [x] }
`);
    const { trace } = evaluateRules({ ruleSet, input: makeInput({ customer: { openTickets: 4 } }), context });
    const group = trace.rules[0].condition as GroupTrace;
    expect(group.conditions).toEqual([
      { kind: 'test', field: 'customer.open_tickets', op: 'gte', expected: 1, actual: 4, result: true, line: 5 },
      { kind: 'test', field: 'to', op: 'contains', expected: 'support', actual: ['support@acme.test'], result: true, line: 6 },
    ]);
  });

  it('cuts long text around the match, and long lists to their head', () => {
    const ruleSet = rulesFrom(`rules:
  - name: body
    when: { text: { contains: refund } }
    then: { tags: [x] }
  - name: nomatch
    when: { text: { contains: nothing-like-this } }
    then: { tags: [y] }
  - name: tags
    when: { customer.tags: { contains: t11 } }
    then: { tags: [z] }
`);
    const text = `${'a'.repeat(1000)} please REFUND me ${'b'.repeat(1000)}`;
    const tags = Array.from({ length: 15 }, (_, i) => `t${i}`);
    const { trace } = evaluateRules({ ruleSet, input: makeInput({ message: { text }, customer: { tags } }), context });
    const body = trace.rules[0].condition as TestTrace;
    expect(typeof body.actual).toBe('string');
    expect(body.actual as string).toContain('please REFUND me');
    expect((body.actual as string).startsWith('…')).toBe(true);
    expect((body.actual as string).length).toBeLessThanOrEqual(MAX_TRACE_STRING + 2);
    const miss = trace.rules[1].condition as TestTrace;
    expect(miss.actual).toBe(`${'a'.repeat(MAX_TRACE_STRING)}… (+${text.length - MAX_TRACE_STRING} chars)`);
    const list = trace.rules[2].condition as TestTrace;
    expect(list.actual).toEqual([...tags.slice(0, MAX_TRACE_LIST), '… +5 more']);
    expect(list.result).toBe(true);
  });

  it('records case sensitivity and the rule set version', () => {
    const ruleSet = rulesFrom('rules:\n  - name: r\n    when: { subject: { contains: Order, case_sensitive: true } }\n    then: { tags: [x] }\n');
    const { trace } = evaluateRules({ ruleSet, input: makeInput(), context });
    expect(trace.ruleSetVersion).toBe(ruleSet.version);
    expect(trace.rules[0].condition).toMatchObject({ caseSensitive: true, result: false });
  });
});

describe('SLA event rules run with the same engine', () => {
  const ruleSet = rulesFrom(`rules:
  - name: message-rule
    then: { queue: billing }
  - name: warn
    on: sla.warning
    then: { priority: raise, tags: [at-risk] }
  - name: breach-first-response
    on: sla.breach
    when: { sla.clock: first_response }
    then: { priority: urgent, queue: vip, webhook: https://hooks.example/escalate }
`);

  it('message evaluation ignores event rules, and events ignore message rules', () => {
    const message = evaluateRules({ ruleSet, input: makeInput(), context });
    expect(message.trace.rules.map((r) => r.rule)).toEqual(['message-rule']);
    const warning = evaluateRules({ ruleSet, input: makeInput({ ticket: { isNew: false, priority: 'normal' } }), context, event: { name: 'sla.warning', clock: 'first_response', policy: 'standard' } });
    expect(warning.trace.event).toBe('sla.warning');
    expect(warning.trace.rules.map((r) => r.rule)).toEqual(['warn']);
    expect(warning.patch).toMatchObject({ priority: 'high', tags: ['at-risk'] });
  });

  it('conditions see the event facts', () => {
    const breach = evaluateRules({ ruleSet, input: makeInput(), context, event: { name: 'sla.breach', clock: 'first_response', policy: 'standard' } });
    expect(breach.patch).toMatchObject({ priority: 'urgent', queue: 'vip', webhooks: [{ url: 'https://hooks.example/escalate' }] });
    const resolution = evaluateRules({ ruleSet, input: makeInput(), context, event: { name: 'sla.breach', clock: 'resolution', policy: 'standard' } });
    expect(resolution.trace.rules[0]).toMatchObject({ outcome: 'not_matched', condition: { actual: 'resolution' } });
  });
});

describe('trace detail', () => {
  it('matched detail keeps only matched rules, and never changes the decision', () => {
    const ruleSet = rulesFrom(`rules:
  - name: a
    when: { subject: { contains: order } }
    then: { queue: billing, tags: [a] }
  - name: b
    when: { channel: form }
    then: { queue: technical }
  - name: c
    when: { any: [ { channel: form }, { from.domain: example.com } ] }
    then: { priority: raise, tags: [c] }
`);
    for (const input of [makeInput(), makeInput({ message: { channel: 'form', subject: 'hello' } })]) {
      const full = evaluateRules({ ruleSet, input, context });
      const matched = evaluateRules({ ruleSet, input, context, detail: 'matched' });
      expect(matched.patch).toEqual(full.patch);
      expect(matched.setBy).toEqual(full.setBy);
      expect(matched.trace.rules).toEqual(full.trace.rules.filter((r) => r.outcome === 'matched'));
      expect(matched.trace).toMatchObject({ detail: 'matched', total: 3, matched: full.trace.matched });
      expect(full.trace).toMatchObject({ detail: 'full', total: 3 });
      expect(full.trace.rules).toHaveLength(3);
      const none = evaluateRules({ ruleSet, input, context, detail: 'none' });
      expect(none.patch).toEqual(full.patch);
      expect(none.trace).toMatchObject({ detail: 'none', total: 3, rules: [], matched: full.trace.matched });
    }
  });
});
