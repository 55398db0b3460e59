import { Type } from '@sinclair/typebox';
import { and, count, desc, eq, type SQL } from 'drizzle-orm';
import { tickets, customers, TICKET_STATUSES } from '../../db/schema/index.js';
import { AppError } from '../../errors.js';
import type { Services } from '../../services.js';
import { getTicket } from '../../tickets/get-ticket.js';
import { updateTicket, type TicketChanges } from '../../tickets/update-ticket.js';
import { bearerSecurity, IdParams, Paging, type App } from '../types.js';

const TicketSummary = Type.Object({
  id: Type.Integer(), subject: Type.String(), status: Type.String(), queue: Type.String(), category: Type.Union([Type.String(), Type.Null()]),
  priority: Type.String(), assignee: Type.Union([Type.String(), Type.Null()]), tags: Type.Array(Type.String()), channel: Type.String(),
  mailbox: Type.Union([Type.String(), Type.Null()]), customerEmail: Type.String(), messageCount: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }), updatedAt: Type.String({ format: 'date-time' }),
});

export const ticketRoutes = async (app: App, services: Services): Promise<void> => {
  const { db } = services;

  app.get('/api/tickets', {
    schema: {
      tags: ['tickets'], summary: 'List tickets, newest activity first', security: bearerSecurity,
      querystring: Type.Object({
        status: Type.Optional(Type.Union(TICKET_STATUSES.map((s) => Type.Literal(s)))),
        queue: Type.Optional(Type.String({ maxLength: 100 })),
        ...Paging,
      }),
      response: { 200: Type.Object({ tickets: Type.Array(TicketSummary), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() }) },
    },
  }, async (request) => {
    const { status, queue, limit, offset } = request.query;
    const filters: SQL[] = [];
    if (status) filters.push(eq(tickets.status, status));
    if (queue) filters.push(eq(tickets.queue, queue));
    const where = filters.length ? and(...filters) : undefined;
    const rows = db.select({ t: tickets, email: customers.email }).from(tickets).innerJoin(customers, eq(customers.id, tickets.customerId))
      .where(where).orderBy(desc(tickets.updatedAt), desc(tickets.id)).limit(limit).offset(offset).all();
    const total = db.select({ n: count() }).from(tickets).where(where).get()!.n;
    return {
      tickets: rows.map(({ t, email }) => ({
        id: t.id, subject: t.subject, status: t.status, queue: t.queue, category: t.category, priority: t.priority, assignee: t.assignee,
        tags: t.tags, channel: t.channel, mailbox: t.mailbox, customerEmail: email, messageCount: t.messageCount,
        createdAt: t.createdAt.toISOString(), updatedAt: t.updatedAt.toISOString(),
      })),
      total, limit, offset,
    };
  });

  app.get('/api/tickets/:id', {
    schema: {
      tags: ['tickets'], summary: 'One ticket: customer, messages (flags, visible text, sanitized HTML, attachments), events',
      security: bearerSecurity, params: IdParams,
      response: { 200: Type.Object({}, { additionalProperties: true }), 404: { $ref: 'ErrorResponse#' } },
    },
  }, async (request) => {
    const found = getTicket({ db, ticketId: request.params.id });
    if (!found) throw new AppError('NOT_FOUND', `No ticket ${request.params.id}`);
    return found;
  });
};

const TicketPatch = Type.Object({
  status: Type.Optional(Type.Union(TICKET_STATUSES.map((s) => Type.Literal(s)))),
  category: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
  priority: Type.Optional(Type.Union(['low', 'normal', 'high', 'urgent'].map((p) => Type.Literal(p)))),
  queue: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  assignee: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
  addTags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 20 })),
  removeTags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 20 })),
  reason: Type.Optional(Type.String({ maxLength: 500 })),
}, { additionalProperties: false, minProperties: 1 });

export const ticketUpdateRoutes = async (app: App, services: Services): Promise<void> => {
  app.patch('/api/tickets/:id', {
    schema: {
      tags: ['tickets'], summary: 'Change status, category, priority, queue, assignee or tags; each change is an event',
      description: 'Send `X-Mailroom-Actor: <agent id>` to record who changed it (default `api`). A new category is also a training example for the classifier.',
      security: bearerSecurity, params: IdParams, body: TicketPatch,
      response: { 200: Type.Object({ id: Type.Integer(), events: Type.Array(Type.Object({ type: Type.String(), data: Type.Object({}, { additionalProperties: true }) })) }), 404: { $ref: 'ErrorResponse#' } },
    },
  }, async (request) => {
    const actorHeader = request.headers['x-mailroom-actor'];
    const actor = typeof actorHeader === 'string' && /^[\w.@+-]{1,100}$/.test(actorHeader) ? actorHeader : 'api';
    const events = updateTicket({ db: services.db, ticketId: request.params.id, changes: request.body as TicketChanges, actor, now: services.clock.now() });
    await services.emitTicketEvents(events);
    return { id: request.params.id, events: events.map((e) => ({ type: e.type, data: e.data })) };
  });
};
