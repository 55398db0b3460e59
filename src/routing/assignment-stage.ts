/**
 * The `assign` stage of `decide` (src/decide/decide.ts), built from a snapshot of queues and agents the
 * caller loaded. Pure; the new round-robin pointer comes back in the trace (`pointer`) for the caller
 * to store with the assignment.
 */
import type { DecideStages } from '../decide/decide.js';
import { chooseAssignee } from './choose-assignee.js';
import type { AgentSnapshot, AssignmentTrace } from './choose-assignee.js';
import type { QueueDefinition } from './default-queues.js';

export type AssignmentStageSnapshot = {
  queues: readonly QueueDefinition[];
  /** every agent that is a member of some queue, by id */
  agents: ReadonlyMap<string, AgentSnapshot>;
  /** round-robin pointer per queue name */
  pointers: ReadonlyMap<string, string | null>;
};

/** `DecisionTrace.assignment` when the stage ran. */
export type AssignmentStageTrace = AssignmentTrace & { queue: string; pointer: string | null };

/** Builds the stage: the decision's queue's strategy over its members, filtered by the decision's skill. */
export const createAssignmentStage = ({ queues, agents, pointers }: AssignmentStageSnapshot): NonNullable<DecideStages['assign']> =>
  ({ decision }) => {
    const queue = queues.find((q) => q.name === decision.queue);
    if (!queue) {
      return { value: null, trace: { queue: decision.queue, reason: 'the queue has no routing settings: pull' }, summary: `assignee none (queue ${decision.queue} is pull)` };
    }
    const members = queue.members.flatMap((id) => {
      const agent = agents.get(id);
      return agent ? [agent] : [];
    });
    const result = chooseAssignee({ strategy: queue.strategy, agents: members, requiredSkill: decision.skill, pointer: pointers.get(queue.name) ?? null });
    const trace: AssignmentStageTrace = { ...result.trace, queue: queue.name, pointer: result.pointer };
    return { value: result.assignee, trace, summary: `assignee ${result.assignee ?? 'none'} (${result.trace.reason})` };
  };
