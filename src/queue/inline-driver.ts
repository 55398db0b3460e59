/**
 * In-process queue for the embedded set-up (no Redis). Jobs live in memory; what makes this safe is
 * that every job's state is also in the database: at start, `recoverIntake` re-queues every raw message
 * not yet processed, so a crash loses no work. Retries back off exponentially like BullMQ's.
 */
import type { JobDefinition, JobHandler, WorkOptions } from './job-definition.js';
import { backoffDelay } from './job-definition.js';
import { withOverrides, type QueueCounts, type QueueDriver, type RetryOverrides } from './queue-driver.js';

type Entry = { payload: unknown; attempt: number; key: string };

type Lane = {
  def: JobDefinition<unknown>;
  ready: Entry[];
  keys: Set<string>;
  timers: Set<NodeJS.Timeout>;
  delayed: number;
  active: number;
  failed: number;
  handler?: JobHandler<unknown>;
  opts: WorkOptions<unknown>;
  idle: Array<() => void>;
};

export const createInlineDriver = (opts: { retry?: RetryOverrides } = {}): QueueDriver => {
  const lanes = new Map<string, Lane>();
  let closed = false;

  const lane = (def: JobDefinition<unknown>): Lane => {
    let l = lanes.get(def.name);
    if (!l) {
      l = { def: withOverrides(def, opts.retry), ready: [], keys: new Set(), timers: new Set(), delayed: 0, active: 0, failed: 0, opts: {}, idle: [] };
      lanes.set(def.name, l);
    }
    return l;
  };

  const later = (l: Lane, ms: number, fn: () => void) => {
    l.delayed++;
    const t = setTimeout(() => {
      l.timers.delete(t);
      l.delayed--;
      if (!closed) fn();
    }, ms);
    l.timers.add(t);
  };

  const settleIdle = (l: Lane) => {
    if (l.ready.length === 0 && l.active === 0 && l.delayed === 0) {
      for (const resolve of l.idle.splice(0)) resolve();
    }
  };

  const pump = (l: Lane) => {
    const concurrency = l.opts.concurrency ?? 1;
    while (!closed && l.handler && l.active < concurrency && l.ready.length > 0) {
      const entry = l.ready.shift()!;
      void run(l, entry);
    }
    settleIdle(l);
  };

  const run = async (l: Lane, entry: Entry) => {
    l.active++;
    const isFinalAttempt = entry.attempt >= l.def.attempts;
    try {
      await l.handler!(entry.payload, { attempt: entry.attempt, isFinalAttempt });
      l.keys.delete(entry.key);
    } catch (err) {
      if (!isFinalAttempt) {
        later(l, backoffDelay(l.def, entry.attempt), () => { l.ready.push({ ...entry, attempt: entry.attempt + 1 }); pump(l); });
      } else {
        l.failed++;
        l.keys.delete(entry.key);
        try { await l.opts.onExhausted?.(entry.payload, err as Error); } catch { /* reported by the handler's own logging */ }
      }
    } finally {
      l.active--;
      pump(l);
    }
  };

  return {
    kind: 'inline',
    async enqueue(def, payload, opts) {
      if (closed) throw new Error('queue is closed');
      const valid = def.schema.parse(payload);
      const l = lane(def as JobDefinition<unknown>);
      const key = def.jobKey(valid);
      if (l.keys.has(key)) return;
      l.keys.add(key);
      const entry = { payload: valid, attempt: 1, key };
      if (opts?.delayMs && opts.delayMs > 0) later(l, opts.delayMs, () => { l.ready.push(entry); pump(l); });
      else { l.ready.push(entry); pump(l); }
    },
    work(def, handler, opts) {
      const l = lane(def as JobDefinition<unknown>);
      l.handler = handler as JobHandler<unknown>;
      l.opts = (opts ?? {}) as WorkOptions<unknown>;
      pump(l);
    },
    async counts(def): Promise<QueueCounts> {
      const l = lane(def as JobDefinition<unknown>);
      return { waiting: l.ready.length, active: l.active, delayed: l.delayed, failed: l.failed };
    },
    async health() {
      return { ok: !closed, detail: closed ? 'inline queue closed' : 'inline queue (in-process)' };
    },
    drain(def) {
      const l = lane(def as JobDefinition<unknown>);
      return new Promise<void>((resolve) => { l.idle.push(resolve); settleIdle(l); });
    },
    async close() {
      closed = true;
      for (const l of lanes.values()) {
        for (const t of l.timers) clearTimeout(t);
        l.timers.clear();
        l.delayed = 0;
        l.ready = [];
        while (l.active > 0) await new Promise((r) => setTimeout(r, 10));
        settleIdle(l);
      }
    },
  };
};
