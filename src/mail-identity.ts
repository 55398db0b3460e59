/**
 * How Mailroom marks the mail it writes, so it can recognise that mail when it comes back (loops)
 * and thread replies to it.
 */
import { randomBytes } from 'node:crypto';

/** Added to every message Mailroom sends; its value names the installation's domain. */
export const LOOP_HEADER = 'X-Mailroom-Loop';

/** A new Message-ID on our domain, without brackets. */
export const newMessageId = (domain: string, kind = 'm'): string => `${kind}.${Date.now().toString(36)}.${randomBytes(9).toString('base64url')}@${domain}`;

/** The Message-ID recorded for a received message that had none (stable: derived from the raw row). */
export const syntheticMessageId = (rawMessageId: number, domain: string): string => `raw-${rawMessageId}@${domain}`;
