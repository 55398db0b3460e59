/** Agent queues and agents: configuration, availability, pull (`next`), release and transfer. */
import { Type } from '@sinclair/typebox';
import { eq, sql } from 'drizzle-orm';
import { agents, tickets } from '../../db/schema/index.js';
import { AppError } from '../../errors.js';
import { claimNextTicket, DEFAULT_LEASE_MS, releaseTicket } from '../../routing/claim-next-ticket.js';
import { listQueues, upsertAgent, upsertQueue } from '../../routing/routing-store.js';
import { setAgentAvailability } from '../../routing/set-agent-availability.js';
import { transferTicket } from '../../routing/transfer-ticket.js';
import type { Services } from '../../services.js';
import { bearerSecurity, IdParams, type App } from '../types.js';

const Name = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' });
const AgentId = Type.String({ pattern: '^[\\w.@+-]{1,100}$' });
const Strategy = Type.Union([Type.Literal('pull'), Type.Literal('round_robin'), Type.Literal('least_loaded')]);
const ReleasePolicy = Type.Union([Type.Literal('unstarted'), Type.Literal('all'), Type.Literal('none')]);

export const queueRoutes = async (app: App, services: Services): Promise<void> => {
  const { db } = services;
  const now = () => services.clock.now();

  app.get('/api/queues', {
    schema: { tags: ['routing'], summary: 'Queues with members, strategy and what waits in them', security: bearerSecurity },
  }, async () => {
    const counts = db.all<{ queue: string; waiting: number; assigned: number }>(sql`
      select queue, sum(case when assignee is null then 1 else 0 end) as waiting, sum(case when assignee is not null then 1 else 0 end) as assigned
      from tickets where status in ('new', 'open') group by queue`);
    return { queues: listQueues(db).map((q) => ({ ...q, waiting: counts.find((c) => c.queue === q.name)?.waiting ?? 0, assigned: counts.find((c) => c.queue === q.name)?.assigned ?? 0 })) };
  });

  app.put('/api/queues/:name', {
    schema: {
      tags: ['routing'], summary: 'Create or change a queue (members replace the membership, in round-robin order)', security: bearerSecurity,
      params: Type.Object({ name: Name }),
      body: Type.Object({ description: Type.Optional(Type.String({ maxLength: 500 })), strategy: Type.Optional(Strategy), releasePolicy: Type.Optional(ReleasePolicy), members: Type.Optional(Type.Array(AgentId, { maxItems: 500 })) }, { additionalProperties: false }),
    },
  }, async (request) => {
    upsertQueue(db, { name: request.params.name, ...request.body }, now());
    await services.decider.reload();
    return listQueues(db).find((q) => q.name === request.params.name);
  });

  app.get('/api/agents', {
    schema: { tags: ['routing'], summary: 'Agents with skills, capacity, availability and open tickets', security: bearerSecurity },
  }, async () => {
    const rows = db.select().from(agents).all();
    const loads = db.all<{ agent: string; n: number }>(sql`select assignee as agent, count(*) as n from tickets where assignee is not null and status in ('new','open','pending') group by assignee`);
    return { agents: rows.map((a) => ({ ...a, openAssigned: loads.find((l) => l.agent === a.id)?.n ?? 0 })) };
  });

  app.put('/api/agents/:id', {
    schema: {
      tags: ['routing'], summary: 'Create or change an agent', security: bearerSecurity, params: Type.Object({ id: AgentId }),
      body: Type.Object({
        name: Type.Optional(Type.String({ maxLength: 200 })), email: Type.Optional(Type.String({ format: 'email' })),
        skills: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 50 })),
        capacity: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 10_000 }), Type.Null()])),
      }, { additionalProperties: false }),
    },
  }, async (request) => {
    upsertAgent(db, { id: request.params.id, ...request.body }, now());
    return db.select().from(agents).where(eq(agents.id, request.params.id)).get();
  });

  app.post('/api/agents/:id/availability', {
    schema: {
      tags: ['routing'], summary: 'Mark an agent available or away; going away returns their unstarted tickets to the queue', security: bearerSecurity,
      params: Type.Object({ id: AgentId }), body: Type.Object({ available: Type.Boolean() }, { additionalProperties: false }),
    },
  }, async (request) => {
    const events = setAgentAvailability({ db, agent: request.params.id, available: request.body.available, now: now() });
    await services.emitTicketEvents(events);
    return { agent: request.params.id, available: request.body.available, released: events.map((e) => e.ticketId) };
  });

  app.post('/api/queues/:name/next', {
    schema: {
      tags: ['routing'], summary: 'Claim the next ticket of a queue for an agent (priority, then SLA due time, then age); 204 when none waits',
      security: bearerSecurity, params: Type.Object({ name: Name }),
      body: Type.Object({ agent: AgentId, leaseSeconds: Type.Optional(Type.Integer({ minimum: 30, maximum: 8 * 3600 })) }, { additionalProperties: false }),
    },
  }, async (request, reply) => {
    const claim = claimNextTicket({
      db, queue: request.params.name, agent: request.body.agent, now: now(),
      leaseMs: request.body.leaseSeconds ? request.body.leaseSeconds * 1000 : DEFAULT_LEASE_MS,
    });
    if (!claim) return reply.status(204).send();
    await services.emitTicketEvents(claim.events);
    const t = db.select().from(tickets).where(eq(tickets.id, claim.ticketId)).get()!;
    return { ticket: { id: t.id, subject: t.subject, priority: t.priority, queue: t.queue, status: t.status }, leaseExpiresAt: claim.leaseExpiresAt.toISOString() };
  });

  app.post('/api/tickets/:id/release', {
    schema: { tags: ['routing'], summary: 'Give a ticket back to its queue', security: bearerSecurity, params: IdParams, body: Type.Object({ agent: AgentId }, { additionalProperties: false }) },
  }, async (request) => {
    const events = releaseTicket({ db, ticketId: request.params.id, agent: request.body.agent, now: now() });
    await services.emitTicketEvents(events);
    return { id: request.params.id, released: true };
  });

  app.post('/api/tickets/:id/transfer', {
    schema: {
      tags: ['routing'], summary: 'Move a ticket to another queue and/or agent (counted; flagged after too many)', security: bearerSecurity, params: IdParams,
      body: Type.Object({
        queue: Type.Optional(Name), agent: Type.Optional(Type.Union([AgentId, Type.Null()])), reason: Type.Optional(Type.String({ maxLength: 500 })), actor: Type.Optional(AgentId),
      }, { additionalProperties: false }),
    },
  }, async (request) => {
    const { queue, agent, reason, actor } = request.body;
    if (queue === undefined && agent === undefined) throw new AppError('INVALID_REQUEST', 'Name a queue, an agent, or both');
    const events = transferTicket({ db, ticketId: request.params.id, toQueue: queue, toAgent: agent, reason, actor: actor ?? 'api', now: now() });
    await services.emitTicketEvents(events);
    return { id: request.params.id, events: events.map((e) => ({ type: e.type, data: e.data })) };
  });
};
