import { describe, expect, it } from 'vitest';
import { chooseAssignee, compareForPull, DEFAULT_AGENT_CAPACITY, PRIORITY_RANK } from '../../src/routing/choose-assignee.js';
import type { AgentSnapshot, PullCandidate } from '../../src/routing/choose-assignee.js';
import { isTransferLimitExceeded, ticketsToRelease } from '../../src/routing/release-on-away.js';

const agent = (id: string, overrides: Partial<AgentSnapshot> = {}): AgentSnapshot =>
  ({ id, available: true, skills: [], openAssigned: 0, capacity: null, lastAssignedAt: null, ...overrides });

/** Runs `n` assignments, feeding back pointer and loads as the caller would; returns tickets per agent. */
const simulate = (strategy: 'round_robin' | 'least_loaded', agents: AgentSnapshot[], n: number, skill: string | null = null) => {
  const state = agents.map((a) => ({ ...a }));
  let pointer: string | null = null;
  const counts = new Map<string, number>(agents.map((a) => [a.id, 0]));
  for (let i = 0; i < n; i += 1) {
    const result = chooseAssignee({ strategy, agents: state, requiredSkill: skill, pointer });
    pointer = result.pointer;
    if (!result.assignee) continue;
    counts.set(result.assignee, (counts.get(result.assignee) ?? 0) + 1);
    const chosen = state.find((a) => a.id === result.assignee)!;
    chosen.openAssigned += 1;
    chosen.lastAssignedAt = new Date(Date.UTC(2025, 0, 1, 0, 0, i));
  }
  return Object.fromEntries(counts);
};

describe('pull', () => {
  it('assigns nobody', () => {
    const result = chooseAssignee({ strategy: 'pull', agents: [agent('ann')] });
    expect(result.assignee).toBeNull();
    expect(result.trace.reason).toBe('pull queue: agents take the next ticket themselves');
  });

  it('orders by priority, then SLA due time, then age, then id', () => {
    const t = (id: number, priority: PullCandidate['priority'], due: string | null, queued: string): PullCandidate =>
      ({ id, priority, slaDueAt: due ? new Date(due) : null, queuedAt: new Date(queued) });
    const tickets = [
      t(1, 'normal', null, '2025-01-01T08:00:00Z'),
      t(2, 'urgent', null, '2025-01-01T12:00:00Z'),
      t(3, 'normal', '2025-01-01T10:00:00Z', '2025-01-01T09:00:00Z'),
      t(4, 'normal', '2025-01-01T09:30:00Z', '2025-01-01T09:10:00Z'),
      t(5, 'low', '2025-01-01T00:00:00Z', '2024-12-01T00:00:00Z'),
      t(6, 'normal', null, '2025-01-01T07:00:00Z'),
      t(7, 'high', null, '2025-01-01T12:00:00Z'),
      t(8, 'normal', null, '2025-01-01T07:00:00Z'),
    ];
    expect([...tickets].sort(compareForPull).map((x) => x.id)).toEqual([2, 7, 4, 3, 6, 8, 1, 5]);
    expect(PRIORITY_RANK).toEqual({ urgent: 0, high: 1, normal: 2, low: 3 });
  });
});

describe('round robin', () => {
  it('takes the next member after the pointer and wraps around', () => {
    const agents = [agent('ann'), agent('bob'), agent('cat')];
    expect(chooseAssignee({ strategy: 'round_robin', agents }).assignee).toBe('ann');
    expect(chooseAssignee({ strategy: 'round_robin', agents, pointer: 'ann' })).toMatchObject({ assignee: 'bob', pointer: 'bob' });
    expect(chooseAssignee({ strategy: 'round_robin', agents, pointer: 'cat' }).assignee).toBe('ann');
    const gone = chooseAssignee({ strategy: 'round_robin', agents, pointer: 'zed' });
    expect(gone.assignee).toBe('ann');
    expect(gone.trace.reason).toBe('round robin: ann is the first eligible member (previous zed is not a member)');
  });

  it('skips unavailable members and members without the skill, and says so', () => {
    const agents = [agent('ann'), agent('bob', { available: false }), agent('cat', { skills: ['Billing'] }), agent('dan', { skills: ['billing'], capacity: 2, openAssigned: 2 })];
    const result = chooseAssignee({ strategy: 'round_robin', agents, requiredSkill: 'billing', pointer: 'ann' });
    expect(result.assignee).toBe('cat');
    expect(result.trace.skipped).toEqual([
      { agent: 'bob', reason: 'unavailable' },
      { agent: 'dan', reason: 'at_capacity' },
      { agent: 'ann', reason: 'missing_skill' },
    ]);
    expect(result.trace.considered).toEqual([{ agent: 'cat', openAssigned: 0, capacity: null, load: 0 }]);
  });

  it('distributes evenly over many assignments', () => {
    const counts = simulate('round_robin', [agent('a'), agent('b'), agent('c'), agent('d')], 1000);
    expect(counts).toEqual({ a: 250, b: 250, c: 250, d: 250 });
  });

  it('stays even among the eligible when some are away', () => {
    const counts = simulate('round_robin', [agent('a'), agent('b', { available: false }), agent('c'), agent('d')], 999);
    expect(counts).toEqual({ a: 333, b: 0, c: 333, d: 333 });
  });

  it('nobody eligible: no assignee, pointer unchanged, and the reason', () => {
    const result = chooseAssignee({ strategy: 'round_robin', agents: [agent('a', { available: false })], pointer: 'a' });
    expect(result).toMatchObject({ assignee: null, pointer: 'a' });
    expect(result.trace.reason).toBe('no member is eligible (a: unavailable): the ticket waits in the queue');
    expect(chooseAssignee({ strategy: 'round_robin', agents: [] }).trace.reason).toBe('the queue has no members: the ticket waits in the queue');
  });
});

describe('least loaded', () => {
  it('picks the lowest open/capacity, with loads in the trace', () => {
    const agents = [agent('ann', { openAssigned: 4, capacity: 10 }), agent('bob', { openAssigned: 3, capacity: 5 }), agent('cat', { openAssigned: 6, capacity: null })];
    const result = chooseAssignee({ strategy: 'least_loaded', agents });
    expect(result.assignee).toBe('cat');
    expect(result.trace.considered).toEqual([
      { agent: 'ann', openAssigned: 4, capacity: 10, load: 0.4 },
      { agent: 'bob', openAssigned: 3, capacity: 5, load: 0.6 },
      { agent: 'cat', openAssigned: 6, capacity: null, load: 6 / DEFAULT_AGENT_CAPACITY },
    ]);
    expect(result.trace.reason).toBe(`least loaded: cat has 6 open of ${DEFAULT_AGENT_CAPACITY} (default)`);
  });

  it('breaks ties by fewer open tickets, then longest since last assignment', () => {
    const tie = [agent('ann', { openAssigned: 2, capacity: 4 }), agent('bob', { openAssigned: 1, capacity: 2 })];
    expect(chooseAssignee({ strategy: 'least_loaded', agents: tie }).assignee).toBe('bob');
    const recent = [
      agent('ann', { openAssigned: 1, capacity: 4, lastAssignedAt: new Date('2025-01-02') }),
      agent('bob', { openAssigned: 1, capacity: 4, lastAssignedAt: new Date('2025-01-01') }),
    ];
    expect(chooseAssignee({ strategy: 'least_loaded', agents: recent }).assignee).toBe('bob');
  });

  it('never exceeds capacity, and fills agents in proportion to capacity', () => {
    const capacities = [agent('a', { capacity: 10 }), agent('b', { capacity: 20 }), agent('c', { capacity: 30 })];
    const half = simulate('least_loaded', capacities, 30);
    expect(half).toEqual({ a: 5, b: 10, c: 15 });
    const over = simulate('least_loaded', capacities, 100);
    expect(over).toEqual({ a: 10, b: 20, c: 30 });
  });

  it('distributes evenly among equal agents, starting from uneven loads', () => {
    const counts = simulate('least_loaded', [agent('a', { openAssigned: 5 }), agent('b'), agent('c', { openAssigned: 2 })], 93);
    // final loads are level: 5 + a = 0 + b = 2 + c = (7 + 93) / 3 ≈ 33.3
    expect(counts.a + 5).toBeGreaterThanOrEqual(33);
    expect(counts.b).toBeGreaterThanOrEqual(33);
    expect(counts.c + 2).toBeGreaterThanOrEqual(33);
    expect(counts.a + counts.b + counts.c).toBe(93);
  });

  it('respects the skill and availability filters', () => {
    const counts = simulate('least_loaded', [agent('a', { skills: ['linux'] }), agent('b'), agent('c', { skills: ['LINUX'], available: false })], 10, 'Linux');
    expect(counts).toEqual({ a: 10, b: 0, c: 0 });
  });
});

describe('agents going away', () => {
  it('returns unstarted tickets by default', () => {
    const tickets = [{ id: 1, firstAgentReplyAt: null }, { id: 2, firstAgentReplyAt: new Date('2025-01-01') }];
    expect(ticketsToRelease({ tickets }).map((t) => t.id)).toEqual([1]);
    expect(ticketsToRelease({ tickets, policy: 'all' }).map((t) => t.id)).toEqual([1, 2]);
    expect(ticketsToRelease({ tickets, policy: 'none' })).toEqual([]);
  });

  it('flags tickets transferred too often', () => {
    expect(isTransferLimitExceeded(3)).toBe(false);
    expect(isTransferLimitExceeded(4)).toBe(true);
  });
});
