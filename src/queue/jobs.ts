/** Every job Mailroom runs, with its defaults. Payloads hold ids only. */
import { z } from 'zod';
import { defineJob } from './job-definition.js';

export const DEFAULT_ATTEMPTS = 5;
export const DEFAULT_BACKOFF_MS = 1_000;

/** Parse, detect, thread, decide and file one accepted raw message. */
export const intakeJob = defineJob({
  name: 'intake',
  version: 1,
  schema: z.object({ rawMessageId: z.number().int().positive() }),
  attempts: DEFAULT_ATTEMPTS,
  backoffMs: DEFAULT_BACKOFF_MS,
  jobKey: (p) => `raw-${p.rawMessageId}`,
});
