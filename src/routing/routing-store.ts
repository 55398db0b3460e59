/**
 * Queues and agents in the database: seeding from config, reading snapshots for the pure assignment
 * stage, and the names rules may refer to.
 */
import { asc, eq, sql } from 'drizzle-orm';
import type { AgentConfig, QueueConfig } from '../config.js';
import type { Db } from '../db/connection.js';
import { agents, queueMembers, queues, tickets } from '../db/schema/index.js';
import type { AgentSnapshot } from './choose-assignee.js';
import { DEFAULT_QUEUES, type QueueDefinition } from './default-queues.js';

export type QueueRow = typeof queues.$inferSelect & { members: string[] };

export const listQueues = (db: Db): QueueRow[] => {
  const rows = db.select().from(queues).orderBy(asc(queues.name)).all();
  const members = db.select().from(queueMembers).orderBy(asc(queueMembers.queue), asc(queueMembers.position)).all();
  return rows.map((q) => ({ ...q, members: members.filter((m) => m.queue === q.name).map((m) => m.agent) }));
};

export const listQueueNames = (db: Db): string[] => db.select({ name: queues.name }).from(queues).all().map((r) => r.name);

/** Creates or updates a queue; `members` (when given) replaces the membership in that order. Unknown agents are created unavailable-free (available, no skills). */
export const upsertQueue = (db: Db, q: Partial<QueueConfig> & { name: string }, now: Date): void => {
  db.transaction((tx) => {
    tx.insert(queues).values({
      name: q.name, description: q.description ?? '', strategy: q.strategy ?? 'pull', releasePolicy: q.releasePolicy ?? 'unstarted', updatedAt: now,
    }).onConflictDoUpdate({
      target: queues.name,
      set: {
        ...(q.description !== undefined ? { description: q.description } : {}),
        ...(q.strategy !== undefined ? { strategy: q.strategy } : {}),
        ...(q.releasePolicy !== undefined ? { releasePolicy: q.releasePolicy } : {}),
        updatedAt: now,
      },
    }).run();
    if (q.members) {
      for (const id of q.members) tx.insert(agents).values({ id, updatedAt: now }).onConflictDoNothing().run();
      tx.delete(queueMembers).where(eq(queueMembers.queue, q.name)).run();
      if (q.members.length) tx.insert(queueMembers).values(q.members.map((agent, position) => ({ queue: q.name, agent, position }))).run();
    }
  });
};

export const upsertAgent = (db: Db, a: Partial<AgentConfig> & { id: string }, now: Date): void => {
  db.insert(agents).values({
    id: a.id, name: a.name ?? '', email: a.email ?? null, skills: a.skills ?? [], capacity: a.capacity ?? null, available: a.available ?? true, updatedAt: now,
  }).onConflictDoUpdate({
    target: agents.id,
    set: {
      ...(a.name !== undefined ? { name: a.name } : {}),
      ...(a.email !== undefined ? { email: a.email } : {}),
      ...(a.skills !== undefined ? { skills: a.skills } : {}),
      ...(a.capacity !== undefined ? { capacity: a.capacity } : {}),
      ...(a.available !== undefined ? { available: a.available } : {}),
      updatedAt: now,
    },
  }).run();
};

/**
 * At start: agents and queues from the config file are written (config wins for what it says); a
 * database with no queues at all gets the default queues (triage, billing, technical, accounts, vip).
 */
export const seedRouting = (db: Db, config: { queues: QueueConfig[]; agents: AgentConfig[] }, now: Date): void => {
  for (const a of config.agents) upsertAgent(db, a, now);
  for (const q of config.queues) upsertQueue(db, q, now);
  const count = db.select({ n: sql<number>`count(*)` }).from(queues).get()!.n;
  if (count === 0) for (const q of DEFAULT_QUEUES) upsertQueue(db, { ...q, members: [...q.members] }, now);
};

/** Open tickets assigned to each agent (statuses new, open, pending). */
export const openAssignedCounts = (db: Db): Map<string, number> => {
  const rows = db.select({ agent: tickets.assignee, n: sql<number>`count(*)` }).from(tickets)
    .where(sql`${tickets.assignee} is not null and ${tickets.status} in ('new','open','pending')`).groupBy(tickets.assignee).all();
  return new Map(rows.map((r) => [r.agent!, r.n]));
};

/** What the pure assignment stage needs, read in one go. */
export const loadRoutingSnapshot = (db: Db): { queues: QueueDefinition[]; agents: Map<string, AgentSnapshot>; pointers: Map<string, string | null> } => {
  const qs = listQueues(db);
  const loads = openAssignedCounts(db);
  const agentRows = db.select().from(agents).all();
  return {
    queues: qs.map((q) => ({ name: q.name, description: q.description, strategy: q.strategy, members: q.members })),
    agents: new Map(agentRows.map((a) => [a.id, {
      id: a.id, available: a.available, skills: a.skills, openAssigned: loads.get(a.id) ?? 0, capacity: a.capacity, lastAssignedAt: a.lastAssignedAt,
    }])),
    pointers: new Map(qs.map((q) => [q.name, q.pointer])),
  };
};
