/**
 * The queues a fresh Mailroom has, and the shape of a queue's routing settings. Configuration (file and
 * API) may replace or extend them; the default rule set in rules/ only routes to these names.
 */
import { DEFAULT_TRIAGE_QUEUE } from '../decide/types.js';

/** How a queue hands out tickets; see choose-assignee.ts. */
export type AssignmentStrategy = 'pull' | 'round_robin' | 'least_loaded';
export const ASSIGNMENT_STRATEGIES: readonly AssignmentStrategy[] = ['pull', 'round_robin', 'least_loaded'];

export type QueueDefinition = {
  name: string;
  description: string;
  strategy: AssignmentStrategy;
  /** agent ids, in the order round robin walks them */
  members: readonly string[];
};

/** triage, billing, technical, accounts, vip: every queue is `pull` until members and a strategy are configured. */
export const DEFAULT_QUEUES: readonly QueueDefinition[] = Object.freeze([
  { name: DEFAULT_TRIAGE_QUEUE, description: 'Everything no rule routed; sorted by hand', strategy: 'pull', members: [] },
  { name: 'billing', description: 'Invoices, refunds, payments, subscriptions', strategy: 'pull', members: [] },
  { name: 'technical', description: 'Errors, outages, bugs; needs the technical skill', strategy: 'pull', members: [] },
  { name: 'accounts', description: 'Log-in, passwords, account changes', strategy: 'pull', members: [] },
  { name: 'vip', description: 'Customers with the vip tier or tag', strategy: 'pull', members: [] },
]);

export const DEFAULT_QUEUE_NAMES: readonly string[] = DEFAULT_QUEUES.map((q) => q.name);
