/**
 * Authentication. Every `/api/*` route needs `Authorization: Bearer $MAILROOM_API_TOKEN`, except the
 * inbound webhook, which takes the inbound secret as a bearer token or an HMAC-SHA256 signature of the
 * body (`X-Mailroom-Signature: sha256=<hex>`). Public routes (`/forms/*`, `/health`, `/docs`) are
 * rate limited instead. Comparisons are constant-time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

export const SIGNATURE_HEADER = 'x-mailroom-signature';

const safeEqual = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export const bearerToken = (request: FastifyRequest): string | null => {
  const h = request.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : null;
};

/** Throws 401 unless the request carries the API token. */
export const requireApiToken = (request: FastifyRequest, apiToken: string): void => {
  const token = bearerToken(request);
  if (!token || !safeEqual(token, apiToken)) {
    throw new AppError('UNAUTHORIZED', 'Missing or invalid API token (Authorization: Bearer <MAILROOM_API_TOKEN>)');
  }
};

/** `sha256=<hex>` of the body under the secret. */
export const signBody = (secret: string, body: Buffer): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** True when the request's bearer token is the secret, or its signature header matches the body. */
export const inboundAuthorized = (request: FastifyRequest, secret: string, body: Buffer | null): boolean => {
  const token = bearerToken(request);
  if (token) return safeEqual(token, secret);
  const sig = request.headers[SIGNATURE_HEADER];
  if (typeof sig !== 'string' || body === null) return false;
  return safeEqual(sig.trim().toLowerCase(), signBody(secret, body));
};
