/**
 * BullMQ on Redis: one Queue per job definition, Workers in whichever processes call `work`
 * (`npm start` and any number of `npm run worker`). Retries use BullMQ's exponential backoff with the
 * definition's attempts; a job whose worker died is picked up again by BullMQ's stalled-job check.
 */
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { JobDefinition, JobHandler, WorkOptions } from './job-definition.js';
import { withOverrides, type QueueCounts, type QueueDriver, type RetryOverrides } from './queue-driver.js';

/** Completed jobs are removed at once (the database is the record); failed ones are kept a week for inspection. */
export const REMOVE_ON_FAIL_SECONDS = 7 * 24 * 3600;
/** How long a worker's lock on a job lasts before BullMQ considers the worker dead and retries the job. */
export const DEFAULT_LOCK_DURATION_MS = 30_000;

export type BullmqDriverOptions = {
  redisUrl: string;
  prefix: string;
  /** shorter in tests, so a killed worker's job is retried quickly */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  retry?: RetryOverrides;
};

export const createBullmqDriver = (opts: BullmqDriverOptions): QueueDriver => {
  const connection = new Redis(opts.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
  connection.on('error', () => { /* surfaced by health(); ioredis reconnects by itself */ });
  const queues = new Map<string, Queue>();
  const workers: Worker[] = [];

  const queueFor = (def: JobDefinition<unknown>): Queue => {
    let q = queues.get(def.name);
    if (!q) {
      q = new Queue(def.name, { connection: connection as unknown as ConnectionOptions, prefix: opts.prefix });
      q.on('error', () => { /* see health() */ });
      queues.set(def.name, q);
    }
    return q;
  };

  return {
    kind: 'bullmq',
    async enqueue(jobDef, payload, enqueueOpts) {
      const def = withOverrides(jobDef, opts.retry);
      const valid = def.schema.parse(payload);
      const q = queueFor(def as JobDefinition<unknown>);
      const jobId = def.jobKey(valid);
      const existing = await q.getJob(jobId);
      if (existing) {
        const state = await existing.getState();
        if (state === 'failed' || state === 'completed') await existing.remove();
        else return;
      }
      await q.add(def.name, valid, {
        jobId,
        attempts: def.attempts,
        backoff: { type: 'exponential', delay: def.backoffMs },
        delay: enqueueOpts?.delayMs,
        removeOnComplete: true,
        removeOnFail: { age: REMOVE_ON_FAIL_SECONDS },
      });
    },
    work(def, handler, workOpts) {
      const worker = new Worker(
        def.name,
        async (job) => {
          const payload = def.schema.parse(job.data);
          const attempt = job.attemptsMade + 1;
          await (handler as JobHandler<unknown>)(payload, { attempt, isFinalAttempt: attempt >= (job.opts.attempts ?? 1) });
        },
        {
          connection: connection.duplicate() as unknown as ConnectionOptions,
          prefix: opts.prefix,
          concurrency: workOpts?.concurrency ?? 1,
          lockDuration: opts.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS,
          stalledInterval: opts.stalledIntervalMs ?? opts.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS,
          maxStalledCount: 2,
        },
      );
      worker.on('error', () => { /* connection errors: health() reports them */ });
      worker.on('failed', (job, err) => {
        if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
          void Promise.resolve(workOpts?.onExhausted?.(def.schema.parse(job.data) as never, err)).catch(() => undefined);
        }
      });
      workers.push(worker);
    },
    async counts(def): Promise<QueueCounts> {
      const c = await queueFor(def as JobDefinition<unknown>).getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children');
      return { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0 };
    },
    async health() {
      try {
        const pong = await Promise.race([
          connection.ping(),
          new Promise<string>((_, reject) => setTimeout(() => reject(new Error('timeout after 2s')), 2000).unref()),
        ]);
        return { ok: pong === 'PONG', detail: `bullmq on redis (${connection.status})` };
      } catch (err) {
        return { ok: false, detail: `redis unreachable: ${(err as Error).message}` };
      }
    },
    async drain(def) {
      for (;;) {
        const c = await this.counts(def);
        if (c.waiting + c.active + c.delayed === 0) return;
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([...queues.values()].map((q) => q.close()));
      connection.disconnect();
    },
  };
};
