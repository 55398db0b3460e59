/**
 * The one place errors become HTTP responses: `{ error: { code, message, details? } }` with the status
 * from AppErrorCode. Fastify's own errors (body too large, bad content type, schema validation, rate
 * limit) are mapped to the same codes.
 */
import type { FastifyError } from 'fastify';
import type { App } from './types.js';
import { AppError, AppErrorCode, type AppErrorCodeName } from '../errors.js';

const FASTIFY_CODES: Record<string, AppErrorCodeName> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'EMPTY_BODY',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_REQUEST',
  FST_ERR_VALIDATION: 'INVALID_REQUEST',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_REQUEST',
};

export const errorBody = (code: AppErrorCodeName, message: string, details?: unknown) =>
  ({ error: { code, message, ...(details !== undefined ? { details } : {}) } });

export const installErrorHandler = (app: App): void => {
  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    if (err instanceof AppError) {
      if (err.status >= 500) request.log.error({ err }, err.message);
      return reply.status(err.status).send(errorBody(err.code, err.userMessage));
    }
    if ((err as FastifyError).validation) {
      return reply.status(400).send(errorBody('INVALID_REQUEST', err.message, (err as FastifyError).validation));
    }
    const mapped = err.code ? FASTIFY_CODES[err.code] : undefined;
    if (mapped) return reply.status(AppErrorCode[mapped].status).send(errorBody(mapped, err.message));
    if (err.statusCode === 429) return reply.status(429).send(errorBody('RATE_LIMITED', err.message));
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send(errorBody('INVALID_REQUEST', err.message));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send(errorBody('INTERNAL', AppErrorCode.INTERNAL.message));
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send(errorBody('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`)));
};
