/**
 * Who gets a ticket: the queue's strategy applied to a snapshot of its members. Pure: the caller loads
 * agents (availability, skills, open assigned tickets, capacity) and the round-robin pointer, and stores
 * the new pointer it gets back, in the same transaction as the assignment.
 *
 * Strategies:
 * - `pull`: nobody is assigned; agents take the next ticket themselves, in `compareForPull` order
 *   (priority, then SLA due time, then age).
 * - `round_robin`: the next eligible member after the one who got the previous ticket, in member order,
 *   wrapping around. Skipped members keep their turn order: fairness over time, not per ticket.
 * - `least_loaded`: the eligible member with the lowest load = open assigned tickets / capacity
 *   (DEFAULT_AGENT_CAPACITY when an agent has none); ties go to fewer open tickets, then to whoever
 *   received a ticket longest ago, then to member order.
 *
 * Eligible: available, has the required skill (case-insensitive), and below capacity when one is set.
 * Nobody eligible: no assignee, the ticket waits in the queue (nothing is lost), and the trace says why.
 */
import type { Priority } from '../decide/types.js';
import { PRIORITIES } from '../decide/types.js';
import type { AssignmentStrategy } from './default-queues.js';

/** The load denominator for agents without a configured capacity (least_loaded). */
export const DEFAULT_AGENT_CAPACITY = 20;

export type AgentSnapshot = {
  id: string;
  available: boolean;
  skills: readonly string[];
  /** open tickets assigned to this agent now, in every queue */
  openAssigned: number;
  /** most open tickets this agent should hold; null: no limit */
  capacity: number | null;
  /** when this agent last received a ticket (least_loaded tie-break); null: never */
  lastAssignedAt?: Date | null;
};

export type SkipReason = 'unavailable' | 'missing_skill' | 'at_capacity';

export type AssignmentTrace = {
  strategy: AssignmentStrategy;
  requiredSkill: string | null;
  /** eligible members, in the order the strategy looked at them, with their loads */
  considered: Array<{ agent: string; openAssigned: number; capacity: number | null; load: number }>;
  skipped: Array<{ agent: string; reason: SkipReason }>;
  chosen: string | null;
  reason: string;
};

export type ChooseAssigneeOptions = {
  strategy: AssignmentStrategy;
  /** the queue's members, in round-robin order */
  agents: readonly AgentSnapshot[];
  requiredSkill?: string | null;
  /** round_robin: id of the member who got this queue's previous ticket (null: start at the first) */
  pointer?: string | null;
};

export type AssignmentResult = {
  assignee: string | null;
  /** round_robin: store this as the queue's pointer; other strategies return the pointer unchanged */
  pointer: string | null;
  trace: AssignmentTrace;
};

const loadOf = (agent: AgentSnapshot): number => agent.openAssigned / (agent.capacity ?? DEFAULT_AGENT_CAPACITY);

const skipReason = (agent: AgentSnapshot, skill: string | null): SkipReason | null => {
  if (!agent.available) return 'unavailable';
  if (skill !== null && !agent.skills.some((s) => s.toLowerCase() === skill)) return 'missing_skill';
  if (agent.capacity !== null && agent.openAssigned >= agent.capacity) return 'at_capacity';
  return null;
};

/** Picks the assignee for one ticket; see the header for each strategy. */
export const chooseAssignee = ({ strategy, agents, requiredSkill = null, pointer = null }: ChooseAssigneeOptions): AssignmentResult => {
  const skill = requiredSkill ? requiredSkill.toLowerCase() : null;
  const trace: AssignmentTrace = { strategy, requiredSkill: requiredSkill ?? null, considered: [], skipped: [], chosen: null, reason: '' };
  if (strategy === 'pull') {
    trace.reason = 'pull queue: agents take the next ticket themselves';
    return { assignee: null, pointer, trace };
  }

  // Round robin looks at members starting after the pointer; least loaded looks at all.
  const start = strategy === 'round_robin' ? agents.findIndex((a) => a.id === pointer) + 1 : 0;
  const ordered = agents.map((_, i) => agents[(start + i) % agents.length]);
  const eligible: AgentSnapshot[] = [];
  for (const agent of ordered) {
    const reason = skipReason(agent, skill);
    if (reason) trace.skipped.push({ agent: agent.id, reason });
    else {
      eligible.push(agent);
      trace.considered.push({ agent: agent.id, openAssigned: agent.openAssigned, capacity: agent.capacity, load: Number(loadOf(agent).toFixed(4)) });
    }
  }
  if (eligible.length === 0) {
    trace.reason = agents.length === 0
      ? 'the queue has no members: the ticket waits in the queue'
      : `no member is eligible (${trace.skipped.map((s) => `${s.agent}: ${s.reason}`).join(', ')}): the ticket waits in the queue`;
    return { assignee: null, pointer, trace };
  }

  let chosen: AgentSnapshot;
  if (strategy === 'round_robin') {
    chosen = eligible[0];
    trace.reason = start === 0
      ? `round robin: ${chosen.id} is the first eligible member${pointer === null ? '' : ` (previous ${pointer} is not a member)`}`
      : `round robin: ${chosen.id} is the next eligible member after ${pointer}`;
  } else {
    const order = new Map(agents.map((a, i) => [a.id, i]));
    chosen = [...eligible].sort((a, b) =>
      loadOf(a) - loadOf(b)
      || a.openAssigned - b.openAssigned
      || (a.lastAssignedAt?.getTime() ?? -Infinity) - (b.lastAssignedAt?.getTime() ?? -Infinity)
      || (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0))[0];
    trace.reason = `least loaded: ${chosen.id} has ${chosen.openAssigned} open of ${chosen.capacity ?? `${DEFAULT_AGENT_CAPACITY} (default)`}`;
  }
  trace.chosen = chosen.id;
  return { assignee: chosen.id, pointer: strategy === 'round_robin' ? chosen.id : pointer, trace };
};

/** A ticket waiting in a pull queue, as far as ordering is concerned. */
export type PullCandidate = {
  id: number | string;
  priority: Priority;
  /** the earliest running SLA due time; null when no clock runs */
  slaDueAt: Date | null;
  /** when the ticket entered the queue (or was created) */
  queuedAt: Date;
};

/** urgent 0, high 1, normal 2, low 3: the sort key SQL can use for the same order. */
export const PRIORITY_RANK: Readonly<Record<Priority, number>> = Object.freeze(
  Object.fromEntries(PRIORITIES.map((p, i) => [p, PRIORITIES.length - 1 - i])) as Record<Priority, number>,
);

/**
 * Pull order: higher priority first, then the earlier SLA due time (tickets without one after those
 * with one), then the older ticket, then the lower id (so the order is total and stable).
 */
export const compareForPull = (a: PullCandidate, b: PullCandidate): number => {
  const byPriority = PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority];
  if (byPriority !== 0) return byPriority;
  const aDue = a.slaDueAt?.getTime() ?? Infinity;
  const bDue = b.slaDueAt?.getTime() ?? Infinity;
  if (aDue !== bDue) return aDue < bDue ? -1 : 1;
  const byAge = a.queuedAt.getTime() - b.queuedAt.getTime();
  if (byAge !== 0) return byAge;
  if (typeof a.id === 'number' && typeof b.id === 'number') return a.id - b.id;
  return String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0;
};
