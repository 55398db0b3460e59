/** GET /api/tickets/:id/sla: the ticket's SLA (read-ticket-sla.ts). Also part of GET /api/tickets/:id. */
import { Type } from '@sinclair/typebox';
import { eq } from 'drizzle-orm';
import { tickets } from '../db/schema/index.js';
import { AppError } from '../errors.js';
import type { Services } from '../services.js';
import { bearerSecurity, IdParams, type App } from '../api/types.js';
import { readTicketSla } from './read-ticket-sla.js';

const Instant = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);
const Clock = Type.Object({
  kind: Type.String(), cycle: Type.Integer(), state: Type.String(), targetMinutes: Type.Union([Type.Number(), Type.Null()]),
  startedAt: Instant, stoppedAt: Instant, stopReason: Type.Union([Type.String(), Type.Null()]),
  elapsedBusinessMinutes: Type.Number(), remainingBusinessMinutes: Type.Union([Type.Number(), Type.Null()]),
  warnAt: Instant, dueAt: Instant, warnedAt: Instant, breached: Type.Boolean(), breachedAt: Instant,
});

export const TicketSlaSchema = Type.Object({
  policy: Type.String(),
  policyReason: Type.String({ description: 'rule, match, default or builtin' }),
  policySummary: Type.Union([Type.String(), Type.Null()]),
  calendar: Type.String(),
  state: Type.String({ description: 'resolved, paused, breached, warning, on_track or none' }),
  dueAt: Instant,
  paused: Type.Boolean(),
  clocks: Type.Object({ firstResponse: Clock, nextResponse: Clock, resolution: Clock }),
  nextResponseCycles: Type.Array(Clock),
  timer: Type.Union([Type.Object({ at: Type.String({ format: 'date-time' }), key: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
  crossings: Type.Array(Type.Object({
    key: Type.String(), kind: Type.String(), clock: Type.String(), cycle: Type.Integer(), policy: Type.String(),
    at: Type.String({ format: 'date-time' }), recordedAt: Type.String({ format: 'date-time' }),
    outcome: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
  })),
  computedAt: Type.String({ format: 'date-time' }),
});

export const ticketSlaRoutes = async (app: App, services: Services): Promise<void> => {
  app.get('/api/tickets/:id/sla', {
    schema: {
      tags: ['tickets'],
      summary: "The ticket's SLA: policy, clocks with warning and due instants, next timer, warnings and breaches recorded",
      security: bearerSecurity, params: IdParams,
      response: { 200: TicketSlaSchema, 404: { $ref: 'ErrorResponse#' } },
    },
  }, async (request) => {
    const view = readTicketSla({ db: services.db, ticketId: request.params.id });
    if (view) return view;
    const exists = services.db.select({ id: tickets.id }).from(tickets).where(eq(tickets.id, request.params.id)).get();
    throw new AppError('NOT_FOUND', exists ? `Ticket ${request.params.id} has no SLA clocks yet` : `No ticket ${request.params.id}`);
  });
};
