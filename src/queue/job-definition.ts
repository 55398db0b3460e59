/**
 * A job is data: a name, a payload schema (payloads carry ids only) and its retry defaults. The handler
 * is registered where the job runs (workers/ or the server in inline mode).
 */
import type { z } from 'zod';

export type JobDefinition<P> = {
  name: string;
  version: number;
  schema: z.ZodType<P>;
  /** total tries including the first */
  attempts: number;
  /** first retry delay; each later retry doubles it */
  backoffMs: number;
  /** jobs with the same key are de-duplicated while one is queued */
  jobKey: (payload: P) => string;
};

export type JobContext = {
  /** 1 on the first try */
  attempt: number;
  /** true when a failure now will not be retried */
  isFinalAttempt: boolean;
};

export type JobHandler<P> = (payload: P, ctx: JobContext) => Promise<void>;

export type WorkOptions<P> = {
  concurrency?: number;
  /** called once when the last attempt failed; records the failure where users can see it */
  onExhausted?: (payload: P, error: Error) => Promise<void> | void;
};

export const defineJob = <P>(def: JobDefinition<P>): JobDefinition<P> => def;

/** The retry delay before try `attempt + 1`. */
export const backoffDelay = (def: Pick<JobDefinition<unknown>, 'backoffMs'>, attempt: number): number =>
  def.backoffMs * 2 ** Math.max(0, attempt - 1);
