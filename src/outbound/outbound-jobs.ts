/**
 * The outbox job: send one outbox row. The payload is the row id and the attempt it is for, so a retry
 * after a temporary SMTP failure is a new job (`outbox-<id>-<attempt>`, queued with a delay by the
 * handler that saw the failure) while duplicates of the same attempt collapse into one. SMTP retries
 * are counted on the row (`attempts`, `smtp.maxAttempts`); the queue's own `attempts` only cover
 * unexpected errors such as a locked database.
 */
import { z } from 'zod';
import { defineJob } from '../queue/job-definition.js';

export const OUTBOX_JOB_ATTEMPTS = 3;
export const OUTBOX_JOB_BACKOFF_MS = 2_000;

export const outboxSendJob = defineJob({
  name: 'outbox-send',
  version: 1,
  schema: z.object({ outboxId: z.number().int().positive(), attempt: z.number().int().positive() }),
  attempts: OUTBOX_JOB_ATTEMPTS,
  backoffMs: OUTBOX_JOB_BACKOFF_MS,
  jobKey: (p) => `outbox-${p.outboxId}-${p.attempt}`,
});
