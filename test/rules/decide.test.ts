import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decide, decideOnEvent, initialDecision } from '../../src/decide/decide.js';
import { DEFAULT_TRIAGE_QUEUE } from '../../src/decide/types.js';
import { FIELDS } from '../../src/rules/fields.js';
import { EMPTY_RULE_SET, loadRuleSet } from '../../src/rules/load-rules.js';
import { createAssignmentStage } from '../../src/routing/assignment-stage.js';
import { context, KNOWN, makeDecision, makeInput, rulesFrom, SATURDAY_NIGHT } from './fixtures.js';

const classification = { category: 'billing', confidence: 0.91, top: [{ category: 'billing', probability: 0.91 }], modelVersion: 'm1', threshold: 0.5 };

describe('decide', () => {
  it('with no rules, a new message lands in triage at normal priority with the classifier category', () => {
    const { decision, trace } = decide({ input: makeInput({ classification }), ruleSet: EMPTY_RULE_SET, context });
    expect(decision).toEqual(makeDecision({ queue: DEFAULT_TRIAGE_QUEUE, priority: 'normal', category: 'billing' }));
    expect(trace.summary).toEqual([
      `rules ${EMPTY_RULE_SET.version}: none of 0 matched`,
      'queue triage (default: no rule set a queue)',
      'priority normal (default)',
      'category billing (classifier 0.91)',
    ]);
    expect(trace.classification).toBe(classification);
  });

  it('the mailbox or form queue replaces triage as the default', () => {
    expect(decide({ input: makeInput(), ruleSet: EMPTY_RULE_SET, context, defaults: { queue: 'billing' } }).decision.queue).toBe('billing');
  });

  it('a follow-up starts from its ticket, so it is not sent back to triage', () => {
    const input = makeInput({ ticket: { isNew: false, id: 7, status: 'open', queue: 'technical', priority: 'high', category: 'technical' } });
    const { decision } = decide({ input, ruleSet: EMPTY_RULE_SET, context });
    expect(decision).toMatchObject({ queue: 'technical', priority: 'high', category: 'technical' });
    expect(initialDecision(input).queue).toBe('technical');
  });

  it('rules override the defaults, and the summary says which rule set what', () => {
    const ruleSet = rulesFrom('rules:\n  - name: orders\n    when: { subject: { contains: order } }\n    then: { queue: billing, priority: high, tags: [orders] }\n');
    const { decision, trace } = decide({ input: makeInput(), ruleSet, context });
    expect(decision).toMatchObject({ queue: 'billing', priority: 'high', tags: ['orders'] });
    expect(trace.summary).toEqual([
      `rules ${ruleSet.version}: 1 of 1 matched (orders)`,
      'queue billing (rule orders)',
      'priority high (rule orders)',
      'tags orders',
    ]);
    expect(trace.rules.rules[0].outcome).toBe('matched');
  });

  it('the assignment stage runs when no rule named an assignee, and its trace is kept', () => {
    const ruleSet = rulesFrom('rules:\n  - name: tech\n    then: { queue: technical, skill: linux }\n');
    const assign = createAssignmentStage({
      queues: [{ name: 'technical', description: '', strategy: 'round_robin', members: ['ann', 'bob'] }],
      agents: new Map([
        ['ann', { id: 'ann', available: true, skills: ['windows'], openAssigned: 0, capacity: null }],
        ['bob', { id: 'bob', available: true, skills: ['Linux'], openAssigned: 0, capacity: null }],
      ]),
      pointers: new Map(),
    });
    const { decision, trace } = decide({ input: makeInput(), ruleSet, context, stages: { assign } });
    expect(decision.assignee).toBe('bob');
    expect(trace.assignment).toMatchObject({ queue: 'technical', chosen: 'bob', pointer: 'bob', skipped: [{ agent: 'ann', reason: 'missing_skill' }] });
    expect(trace.summary.at(-1)).toBe('assignee bob (round robin: bob is the first eligible member)');

    const named = rulesFrom('rules:\n  - name: tech\n    then: { queue: technical, assignee: carol }\n');
    let called = false;
    const result = decide({ input: makeInput(), ruleSet: named, context, stages: { assign: () => { called = true; return { value: 'x', trace: null }; } } });
    expect(called).toBe(false);
    expect(result.decision.assignee).toBe('carol');
    expect(result.trace.assignment).toEqual({ chosen: 'carol', reason: 'rule tech named the assignee' });
  });

  it('the SLA stage sees the policy a rule named and has the last word', () => {
    const ruleSet = rulesFrom('rules:\n  - name: vip\n    then: { sla: vip }\n');
    const { decision, trace } = decide({
      input: makeInput(), ruleSet, context,
      stages: { selectSlaPolicy: ({ decision: d }) => ({ value: d.slaPolicy ?? 'standard', trace: { from: 'rule' }, summary: `sla ${d.slaPolicy}` }) },
    });
    expect(decision.slaPolicy).toBe('vip');
    expect(trace.sla).toEqual({ from: 'rule' });
  });

  it('is pure: the same input gives the same decision and trace', () => {
    const ruleSet = rulesFrom('rules:\n  - name: night\n    when: { time.business_hours: false }\n    then: { tags: [after-hours] }\n');
    const input = makeInput({ now: SATURDAY_NIGHT });
    expect(decide({ input, ruleSet, context })).toEqual(decide({ input, ruleSet, context }));
  });
});

describe('decideOnEvent', () => {
  it('starts from the current decision and applies the event rules', () => {
    const ruleSet = rulesFrom(`rules:
  - name: breach
    on: sla.breach
    then: { priority: raise, tags: [sla-breached], queue: vip }
`);
    const current = makeDecision({ queue: 'billing', priority: 'high', tags: ['billing'] });
    const { decision, trace } = decideOnEvent({ event: { name: 'sla.breach', clock: 'first_response', policy: 'standard' }, input: makeInput(), current, ruleSet, context });
    expect(decision).toMatchObject({ queue: 'vip', priority: 'urgent', tags: ['billing', 'sla-breached'] });
    expect(trace.rules.event).toBe('sla.breach');
    expect(trace.summary[0]).toBe(`sla.breach (first_response): rules ${ruleSet.version}: 1 of 1 matched (breach)`);
  });
});

describe('the default rule set', async () => {
  const loaded = await loadRuleSet({ dir: 'rules', known: { ...KNOWN, templates: [], policies: null } });
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.message}`).join('\n'));
  const { ruleSet } = loaded;
  const run = (overrides: Parameters<typeof makeInput>[0]) => decide({ input: makeInput(overrides), ruleSet, context }).decision;

  it('loads, and only routes to the documented default queues', () => {
    const queues = new Set(ruleSet.rules.flatMap((r) => (r.actions.queue ? [r.actions.queue] : [])));
    for (const queue of queues) expect(['triage', 'billing', 'technical', 'accounts', 'vip']).toContain(queue);
  });

  it('billing words go to billing; urgency raises priority', () => {
    expect(run({ message: { subject: 'Invoice 2024-113 is wrong' } })).toMatchObject({ queue: 'billing', category: 'billing' });
    expect(run({ message: { subject: 'URGENT: site down' } })).toMatchObject({ queue: 'triage', priority: 'high', tags: ['urgent'] });
    expect(run({ message: { subject: 'Cannot log in', headers: { 'x-priority': ['1 (Highest)'] } } })).toMatchObject({ queue: 'accounts', priority: 'high' });
  });

  it('auto-replies get no acknowledgement and stop there', () => {
    const decision = run({ message: { subject: 'Out of office: invoice', flags: { autoReply: true, bounce: false, loop: false, bulk: false, signals: [] } } });
    expect(decision).toMatchObject({ acknowledge: false, autoReplyTemplate: null, priority: 'low', queue: 'triage', tags: ['automated'] });
  });

  it('VIP customers go to the vip queue one step up, whatever the topic', () => {
    expect(run({ message: { subject: 'Refund' }, customer: { tier: 'vip' } })).toMatchObject({ queue: 'vip', priority: 'high' });
    expect(run({ message: { subject: 'URGENT refund' }, customer: { tags: ['vip'] } })).toMatchObject({ queue: 'vip', priority: 'urgent' });
  });

  it('unrouted mail lands in triage', () => {
    expect(run({ message: { subject: 'Hello there' } }).queue).toBe('triage');
  });
});

describe('rules/README.md', () => {
  it('documents every field', () => {
    const readme = readFileSync('rules/README.md', 'utf8');
    for (const field of FIELDS) expect(readme, field.name).toContain(`| \`${field.name}\` |`);
    expect(readme).toContain('| `header.<Name>` |');
  });
});
