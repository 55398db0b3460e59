/**
 * Agent replies and the outgoing mail of a ticket:
 *  - `POST /api/tickets/:id/replies` queues an agent's reply (see src/outbound/send-reply.ts);
 *  - `GET /api/tickets/:id/replies` lists every message Mailroom sent or is sending on the ticket
 *    (replies and automatic ones) with its delivery state, the server's answer and any bounce.
 */
import { Type } from '@sinclair/typebox';
import { asc, eq } from 'drizzle-orm';
import { outbox, tickets } from '../../db/schema/index.js';
import { AppError } from '../../errors.js';
import type { Services } from '../../services.js';
import { MAX_REPLY_ATTACHMENT_BYTES, MAX_REPLY_ATTACHMENTS, MAX_REPLY_BODY_CHARS, MAX_REPLY_CC, sendReply } from '../../outbound/send-reply.js';
import { bearerSecurity, IdParams, type App } from '../types.js';

/** base64 of the attachment limit, plus room for the rest of the JSON. */
export const REPLY_BODY_LIMIT = Math.ceil(MAX_REPLY_ATTACHMENT_BYTES / 3) * 4 + MAX_REPLY_BODY_CHARS * 6 + 64 * 1024;

const Address = Type.Object({ name: Type.String(), address: Type.String() });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const ReplyBody = Type.Object({
  body: Type.String({ minLength: 1, maxLength: MAX_REPLY_BODY_CHARS, description: 'the reply text (plain text)' }),
  cc: Type.Optional(Type.Array(Type.String({ minLength: 3, maxLength: 254 }), { maxItems: MAX_REPLY_CC, description: 'bare addresses, no names' })),
  agent: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\r\\n]*$', description: 'who is replying (agent id); recorded on the ticket events' })),
  attachments: Type.Optional(Type.Array(Type.Object({
    filename: Type.String({ minLength: 1, maxLength: 255 }),
    contentType: Type.String({ minLength: 3, maxLength: 255 }),
    content: Type.String({ description: 'base64' }),
  }, { additionalProperties: false }), { maxItems: MAX_REPLY_ATTACHMENTS })),
}, { additionalProperties: false });

const OutgoingMail = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  state: Type.String(),
  from: Address,
  to: Type.Array(Address),
  cc: Type.Array(Address),
  subject: Type.String(),
  messageId: Type.String(),
  attempts: Type.Integer(),
  lastError: Nullable(Type.String()),
  serverResponse: Nullable(Type.String()),
  bounceReason: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  nextAttemptAt: Nullable(Type.String({ format: 'date-time' })),
  sentAt: Nullable(Type.String({ format: 'date-time' })),
  failedAt: Nullable(Type.String({ format: 'date-time' })),
  bouncedAt: Nullable(Type.String({ format: 'date-time' })),
});

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const replyRoutes = async (app: App, services: Services): Promise<void> => {
  app.post('/api/tickets/:id/replies', {
    bodyLimit: REPLY_BODY_LIMIT,
    schema: {
      tags: ['tickets'],
      summary: 'Send an agent reply to the ticket\'s customer',
      description: `From the mailbox the ticket came in through, threaded (In-Reply-To, References, \`[#id]\` in the subject). The ticket becomes \`pending\`; the first reply sets its first response time. Attachments: base64, at most ${MAX_REPLY_ATTACHMENTS}, ${MAX_REPLY_ATTACHMENT_BYTES} bytes in total. The mail is queued in the outbox and sent by the outbox worker; see GET /api/tickets/:id/replies for its state.`,
      security: bearerSecurity,
      params: IdParams,
      body: ReplyBody,
      response: {
        201: Type.Object({
          outboxId: Type.Integer(), messageId: Type.String(), subject: Type.String(), to: Type.Array(Address), cc: Type.Array(Address),
          state: Type.Literal('queued'), ticketStatus: Type.String(), firstResponse: Type.Boolean(),
        }),
        400: { $ref: 'ErrorResponse#' }, 404: { $ref: 'ErrorResponse#' }, 409: { $ref: 'ErrorResponse#' }, 413: { $ref: 'ErrorResponse#' },
      },
    },
  }, async (request, reply) => {
    const attachments = (request.body.attachments ?? []).map((a) => {
      const b64 = a.content.replace(/\s+/g, '');
      if (!BASE64.test(b64) || b64.length % 4 === 1) throw new AppError('INVALID_REQUEST', `Attachment ${a.filename.slice(0, 100)}: content is not base64`);
      return { filename: a.filename, contentType: a.contentType, content: Buffer.from(b64, 'base64') };
    });
    const result = await sendReply({
      db: services.db, blobs: services.blobs, queue: services.queue, config: services.config,
      ticketId: request.params.id, body: request.body.body, cc: request.body.cc, attachments, agent: request.body.agent, now: services.clock.now(),
    });
    await services.emitTicketEvents(result.events);
    return reply.status(201).send({
      outboxId: result.outboxId, messageId: result.messageId, subject: result.subject, to: result.to, cc: result.cc,
      state: 'queued' as const, ticketStatus: result.ticketStatus, firstResponse: result.firstResponse,
    });
  });

  app.get('/api/tickets/:id/replies', {
    schema: {
      tags: ['tickets'],
      summary: 'Outgoing mail of a ticket (agent replies, acknowledgements) with delivery state',
      security: bearerSecurity,
      params: IdParams,
      response: { 200: Type.Object({ outgoing: Type.Array(OutgoingMail) }), 404: { $ref: 'ErrorResponse#' } },
    },
  }, async (request) => {
    const ticket = services.db.select({ id: tickets.id }).from(tickets).where(eq(tickets.id, request.params.id)).get();
    if (!ticket) throw new AppError('NOT_FOUND', `No ticket ${request.params.id}`);
    const rows = services.db.select().from(outbox).where(eq(outbox.ticketId, ticket.id)).orderBy(asc(outbox.createdAt), asc(outbox.id)).all();
    return {
      outgoing: rows.map((r) => ({
        id: r.id, kind: r.kind, state: r.state, from: { name: r.fromName ?? '', address: r.fromAddress }, to: r.to, cc: r.cc,
        subject: r.subject, messageId: r.messageId, attempts: r.attempts, lastError: r.lastError, serverResponse: r.serverResponse,
        bounceReason: r.bounceReason, createdAt: r.createdAt.toISOString(), nextAttemptAt: iso(r.nextAttemptAt),
        sentAt: iso(r.sentAt), failedAt: iso(r.failedAt), bouncedAt: iso(r.bouncedAt),
      })),
    };
  });
};
