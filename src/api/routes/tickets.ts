import { Type } from '@sinclair/typebox';
import { and, count, desc, eq, type SQL } from 'drizzle-orm';
import { tickets, customers, TICKET_STATUSES } from '../../db/schema/index.js';
import { AppError } from '../../errors.js';
import type { Services } from '../../services.js';
import { getTicket } from '../../tickets/get-ticket.js';
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
