/**
 * The two queue drivers share this interface: `inline` (in-process, recovered from the database at
 * start) and `bullmq` (Redis; any number of worker processes). Use cases only ever call `enqueue`.
 */
import type { JobDefinition, JobHandler, WorkOptions } from './job-definition.js';

export type QueueCounts = { waiting: number; active: number; delayed: number; failed: number };

export interface QueueDriver {
  readonly kind: 'inline' | 'bullmq';
  /** Validates the payload and queues it; a job whose key is already queued is not queued again. */
  enqueue<P>(job: JobDefinition<P>, payload: P, opts?: { delayMs?: number }): Promise<void>;
  /** Starts consuming `job` in this process. */
  work<P>(job: JobDefinition<P>, handler: JobHandler<P>, opts?: WorkOptions<P>): void;
  counts<P>(job: JobDefinition<P>): Promise<QueueCounts>;
  health(): Promise<{ ok: boolean; detail: string }>;
  /** Resolves when nothing is queued, delayed-and-due or running (inline only; bullmq resolves when counts reach zero). */
  drain<P>(job: JobDefinition<P>): Promise<void>;
  close(): Promise<void>;
}

/** Per-job retry settings that override a definition's defaults (from config: MAILROOM_INTAKE_ATTEMPTS...). */
export type RetryOverrides = Record<string, { attempts?: number; backoffMs?: number }>;

export const withOverrides = <P>(def: JobDefinition<P>, overrides: RetryOverrides | undefined): JobDefinition<P> =>
  overrides?.[def.name] ? { ...def, ...overrides[def.name] } : def;
