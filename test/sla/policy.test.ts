import { beforeAll, describe, expect, it } from 'vitest';
import { durationToMinutes, formatBusinessMinutes, parseDuration } from '../../src/sla/duration.js';
import { loadSlaConfigFile } from '../../src/sla/load-sla-config.js';
import { selectPolicy, type SlaPolicy, type SlaPolicyFacts } from '../../src/sla/policy.js';
import type { SlaConfig } from '../../src/sla/sla-config.js';

describe('parseDuration', () => {
  it.each([
    ['30m', { days: 0, minutes: 30 }],
    ['4h', { days: 0, minutes: 240 }],
    ['1h30m', { days: 0, minutes: 90 }],
    ['2d', { days: 2, minutes: 0 }],
    ['1d4h', { days: 1, minutes: 240 }],
    [' 8h ', { days: 0, minutes: 480 }],
    ['90m', { days: 0, minutes: 90 }],
    ['90s', { days: 0, minutes: 1.5 }],
    ['1m30s', { days: 0, minutes: 1.5 }],
  ])('%s', (text, expected) => {
    expect(parseDuration(text)).toEqual(expected);
  });

  it.each(['30', '4x', '', '0m', '0d0h', '1.5h', '-4h', '4h1d', 'h', '4 h', '0s', '30s1m', '1.5s'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it('resolves days against the calendar business day', () => {
    expect(durationToMinutes({ days: 2, minutes: 30 }, 480)).toBe(990);
    expect(durationToMinutes({ days: 2, minutes: 0 }, 1440)).toBe(2880);
  });

  it('formats business minutes', () => {
    expect(formatBusinessMinutes(90)).toBe('1h 30m');
    expect(formatBusinessMinutes(990, 480)).toBe('2d 30m');
    expect(formatBusinessMinutes(0)).toBe('0m');
    expect(formatBusinessMinutes(-120)).toBe('-2h');
  });
});

describe('selectPolicy on rules/sla.yaml', () => {
  let config: SlaConfig;
  beforeAll(async () => {
    config = await loadSlaConfigFile('rules/sla.yaml');
  });
  const facts = (overrides: Partial<SlaPolicyFacts>): SlaPolicyFacts => ({ priority: 'normal', category: null, queue: 'triage', customerTier: null, ...overrides });

  it.each([
    { name: 'urgent wins over the customer tier (file order)', facts: facts({ priority: 'urgent', customerTier: 'gold' }), chosen: 'urgent', reason: 'match' },
    { name: 'all criteria must hold: tier and queue', facts: facts({ customerTier: 'gold', queue: 'us-support' }), chosen: 'vip-americas', reason: 'match' },
    { name: 'tier alone', facts: facts({ customerTier: 'platinum', queue: 'eu-support' }), chosen: 'vip', reason: 'match' },
    { name: 'any listed value of a criterion', facts: facts({ queue: 'us-billing' }), chosen: 'americas', reason: 'match' },
    { name: 'category', facts: facts({ category: 'refund' }), chosen: 'billing', reason: 'match' },
    { name: 'nothing matches', facts: facts({ category: 'question' }), chosen: 'standard', reason: 'default' },
    { name: 'unknown facts never match', facts: { priority: null, category: null, queue: null, customerTier: null }, chosen: 'standard', reason: 'default' },
  ])('$name', ({ facts: ticket, chosen, reason }) => {
    const { policy, trace } = selectPolicy({ policies: config.policies, facts: ticket });
    expect(policy.name).toBe(chosen);
    expect(trace.chosen).toBe(chosen);
    expect(trace.reason).toBe(reason);
  });

  it('a rule choice overrides matching', () => {
    const { policy, trace } = selectPolicy({ policies: config.policies, facts: facts({ priority: 'urgent' }), ruleChosenPolicy: 'billing' });
    expect(policy.name).toBe('billing');
    expect(trace).toMatchObject({ reason: 'rule', ruleChosenPolicy: 'billing', ruleChosenPolicyUnknown: false, summary: 'SLA policy "billing": chosen by a rule' });
  });

  it('an unknown rule choice is traced and selection goes on', () => {
    const { policy, trace } = selectPolicy({ policies: config.policies, facts: facts({ priority: 'urgent' }), ruleChosenPolicy: 'gold-plus' });
    expect(policy.name).toBe('urgent');
    expect(trace.ruleChosenPolicyUnknown).toBe(true);
    expect(trace.summary).toBe('SLA policy "urgent": matched priority=urgent (a rule chose "gold-plus", which does not exist)');
  });

  it('traces every policy with each criterion', () => {
    const { trace } = selectPolicy({ policies: config.policies, facts: facts({ customerTier: 'gold', queue: 'eu-support' }) });
    expect(trace.candidates.map((candidate) => [candidate.policy, candidate.evaluated, candidate.matched])).toEqual([
      ['urgent', true, false],
      ['vip-americas', true, false],
      ['vip', true, true],
      ['americas', true, false],
      ['billing', true, false],
      ['standard', false, false],
    ]);
    expect(trace.candidates[1].criteria).toEqual([
      { field: 'queue', expected: ['us-support', 'us-billing'], actual: 'eu-support', ok: false },
      { field: 'customer_tier', expected: ['gold', 'platinum'], actual: 'gold', ok: true },
    ]);
    expect(trace.summary).toBe('SLA policy "vip": matched customer_tier=gold');
  });
});

describe('selectPolicy edge cases', () => {
  const policy = (name: string, overrides: Partial<SlaPolicy> = {}): SlaPolicy => ({
    name,
    description: null,
    calendar: '24x7',
    isDefault: false,
    match: {},
    targets: { first_response: 60, next_response: null, resolution: null },
    warnAt: 0.75,
    pauseStatuses: ['pending'],
    autoReplyStopsFirstResponse: false,
    ...overrides,
  });
  const noFacts: SlaPolicyFacts = { priority: null, category: null, queue: null, customerTier: null };

  it('a non-default policy without criteria catches everything', () => {
    expect(selectPolicy({ policies: [policy('all'), policy('fallback', { isDefault: true })], facts: noFacts }).policy.name).toBe('all');
  });

  it('a default policy with criteria takes part in matching in its place', () => {
    const policies = [policy('default-high', { isDefault: true, match: { priority: ['high'] } }), policy('high', { match: { priority: ['high'] } })];
    expect(selectPolicy({ policies, facts: { ...noFacts, priority: 'high' } }).trace.reason).toBe('match');
  });

  it('throws when nothing matches and there is no default', () => {
    expect(() => selectPolicy({ policies: [policy('high', { match: { priority: ['high'] } })], facts: noFacts })).toThrow(/none is marked default/);
  });
});
