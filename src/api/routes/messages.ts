import { eq } from 'drizzle-orm';
import { attachments, messages, rawMessages } from '../../db/schema/index.js';
import { AppError } from '../../errors.js';
import type { Services } from '../../services.js';
import { bearerSecurity, IdParams, type App } from '../types.js';

/** A filename safe for a Content-Disposition header: no quotes, CR/LF or path separators. */
const safeFilename = (name: string | null, fallback: string) =>
  (name ?? fallback).replace(/[\r\n"\\/]+/g, '_').slice(0, 200) || fallback;

export const messageRoutes = async (app: App, services: Services): Promise<void> => {
  const { db, blobs } = services;

  app.get('/api/messages/:id/raw', {
    schema: { tags: ['tickets'], summary: 'The original bytes of a received message (message/rfc822)', security: bearerSecurity, params: IdParams },
  }, async (request, reply) => {
    const row = db.select({ sha256: rawMessages.sha256 }).from(messages).innerJoin(rawMessages, eq(rawMessages.id, messages.rawMessageId))
      .where(eq(messages.id, request.params.id)).get();
    if (!row) throw new AppError('NOT_FOUND', `No received message ${request.params.id}`);
    return reply.type('message/rfc822').header('content-disposition', `attachment; filename="message-${request.params.id}.eml"`).send(blobs.get(row.sha256));
  });

  app.get('/api/intake/:id/raw', {
    schema: { tags: ['intake'], summary: 'The original bytes of a raw (accepted or quarantined) message', security: bearerSecurity, params: IdParams },
  }, async (request, reply) => {
    const row = db.select({ sha256: rawMessages.sha256 }).from(rawMessages).where(eq(rawMessages.id, request.params.id)).get();
    if (!row) throw new AppError('NOT_FOUND', `No raw message ${request.params.id}`);
    return reply.type('message/rfc822').header('content-disposition', `attachment; filename="raw-${request.params.id}.eml"`).send(blobs.get(row.sha256));
  });

  app.get('/api/attachments/:id', {
    schema: { tags: ['tickets'], summary: 'Download an attachment (always as a download, never rendered inline)', security: bearerSecurity, params: IdParams },
  }, async (request, reply) => {
    const a = db.select().from(attachments).where(eq(attachments.id, request.params.id)).get();
    if (!a) throw new AppError('NOT_FOUND', `No attachment ${request.params.id}`);
    const inlineImage = /^image\/(png|gif|jpeg|webp)$/.test(a.contentType);
    return reply
      .type(inlineImage ? a.contentType : 'application/octet-stream')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('content-disposition', `${inlineImage ? 'inline' : 'attachment'}; filename="${safeFilename(a.filename, `attachment-${a.id}`)}"`)
      .send(blobs.get(a.sha256));
  });
};
