/**
 * POST /api/inbound/email — an MTA, a mail relay or another system hands over one raw RFC 822 message.
 * Authenticated by the inbound secret (bearer) or an HMAC-SHA256 signature of the body. The bytes are
 * stored before the 202 is sent.
 */
import { Type } from '@sinclair/typebox';
import { acceptRawMessage } from '../../intake/accept-raw-message.js';
import type { Services } from '../../services.js';
import { AppError } from '../../errors.js';
import { inboundAuthorized, bearerToken, SIGNATURE_HEADER } from '../auth.js';
import type { App } from '../types.js';

const RAW_TYPES = ['message/rfc822', 'application/octet-stream', 'text/plain'];

export const inboundRoutes = async (app: App, services: Services): Promise<void> => {
  for (const type of RAW_TYPES) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: services.config.maxMessageBytes }, (_req, body, done) => done(null, body));
  }
  app.post('/api/inbound/email', {
    bodyLimit: services.config.maxMessageBytes,
    schema: {
      tags: ['intake'],
      summary: 'Accept one raw e-mail (RFC 822 bytes)',
      description: `Body: the raw message, \`Content-Type: message/rfc822\` or \`application/octet-stream\`. Auth: \`Authorization: Bearer $MAILROOM_INBOUND_SECRET\` or \`${SIGNATURE_HEADER}: sha256=<hex HMAC of the body>\`.`,
      security: [{ inboundSecret: [] }, { inboundSignature: [] }],
      querystring: Type.Object({ mailbox: Type.Optional(Type.String({ maxLength: 100, description: 'the mailbox this was delivered to; default: the first recipient that is a configured mailbox' })) }),
      response: {
        202: Type.Object({ id: Type.Integer(), status: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate')]) }),
        400: { $ref: 'ErrorResponse#' }, 401: { $ref: 'ErrorResponse#' }, 413: { $ref: 'ErrorResponse#' }, 415: { $ref: 'ErrorResponse#' },
      },
    },
    // A wrong bearer token is refused before the body is read; a signature needs the body first.
    onRequest: async (request) => {
      if (bearerToken(request) === null && typeof request.headers[SIGNATURE_HEADER] !== 'string') {
        throw new AppError('UNAUTHORIZED', 'Missing inbound secret (Authorization: Bearer <MAILROOM_INBOUND_SECRET>) or signature header');
      }
      if (bearerToken(request) !== null && !inboundAuthorized(request, services.secrets.inboundSecret, null)) {
        throw new AppError('UNAUTHORIZED', 'Invalid inbound secret');
      }
    },
  }, async (request, reply) => {
    if (request.body !== undefined && !Buffer.isBuffer(request.body)) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Send the raw message as ${RAW_TYPES.slice(0, 2).join(' or ')}`);
    }
    const body = request.body ?? Buffer.alloc(0);
    if (!inboundAuthorized(request, services.secrets.inboundSecret, body)) throw new AppError('UNAUTHORIZED', 'Invalid signature');
    const result = await acceptRawMessage({
      db: services.db, blobs: services.blobs, queue: services.queue, raw: body,
      channel: 'webhook', channelRef: request.query.mailbox ?? null, maxBytes: services.config.maxMessageBytes, now: services.clock.now(),
      meta: { ip: request.ip },
    });
    return reply.status(202).send({ id: result.id, status: result.status });
  });
};
