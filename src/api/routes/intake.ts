/** The quarantine: raw messages that could not be filed, why, and a retry. */
import { Type } from '@sinclair/typebox';
import { count, desc, eq } from 'drizzle-orm';
import { rawMessages } from '../../db/schema/index.js';
import { AppError } from '../../errors.js';
import { intakeJob } from '../../queue/jobs.js';
import type { Services } from '../../services.js';
import { bearerSecurity, IdParams, Paging, type App } from '../types.js';

export const intakeRoutes = async (app: App, services: Services): Promise<void> => {
  const { db, queue } = services;

  app.get('/api/intake/failed', {
    schema: {
      tags: ['intake'], summary: 'Quarantined raw messages, newest first', security: bearerSecurity,
      querystring: Type.Object(Paging),
      response: {
        200: Type.Object({
          failed: Type.Array(Type.Object({
            id: Type.Integer(), channel: Type.String(), channelRef: Type.Union([Type.String(), Type.Null()]),
            messageId: Type.Union([Type.String(), Type.Null()]), size: Type.Integer(), error: Type.Union([Type.String(), Type.Null()]),
            attempts: Type.Integer(), receivedAt: Type.String({ format: 'date-time' }), rawUrl: Type.String(),
          })),
          total: Type.Integer(),
        }),
      },
    },
  }, async (request) => {
    const rows = db.select().from(rawMessages).where(eq(rawMessages.state, 'failed')).orderBy(desc(rawMessages.id))
      .limit(request.query.limit).offset(request.query.offset).all();
    const total = db.select({ n: count() }).from(rawMessages).where(eq(rawMessages.state, 'failed')).get()!.n;
    return {
      failed: rows.map((r) => ({
        id: r.id, channel: r.channel, channelRef: r.channelRef, messageId: r.headerMessageId, size: r.size, error: r.error,
        attempts: r.attempts, receivedAt: r.receivedAt.toISOString(), rawUrl: `/api/intake/${r.id}/raw`,
      })),
      total,
    };
  });

  app.post('/api/intake/:id/retry', {
    schema: {
      tags: ['intake'], summary: 'Queue a quarantined message for processing again', security: bearerSecurity, params: IdParams,
      response: { 202: Type.Object({ id: Type.Integer(), status: Type.Literal('queued') }), 404: { $ref: 'ErrorResponse#' }, 409: { $ref: 'ErrorResponse#' } },
    },
  }, async (request, reply) => {
    const row = db.select({ state: rawMessages.state }).from(rawMessages).where(eq(rawMessages.id, request.params.id)).get();
    if (!row) throw new AppError('NOT_FOUND', `No raw message ${request.params.id}`);
    if (row.state !== 'failed') throw new AppError('CONFLICT', `Raw message ${request.params.id} is ${row.state}, not failed`);
    db.update(rawMessages).set({ state: 'accepted', error: null }).where(eq(rawMessages.id, request.params.id)).run();
    await queue.enqueue(intakeJob, { rawMessageId: request.params.id });
    return reply.status(202).send({ id: request.params.id, status: 'queued' as const });
  });
};
