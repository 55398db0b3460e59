/**
 * A backtest over stored mail on several threads: the messages to replay (newest first, `since` and
 * `limit` applied) are cut into chunks of BACKTEST_CHUNK_SIZE; this thread and up to `threads` worker
 * threads (backtest-worker.ts) each take the next chunk when free; the chunk reports are merged in
 * replay order (`mergeBacktestReports`), so the result is the report a single-threaded backtest gives,
 * only sooner. Each worker reads on its own read-only connection, so nothing can be written.
 *
 * Workers rebuild the candidate, the rule context and the stages from plain data and refuse when any
 * version differs from this thread's; a worker that refuses or fails gives its chunk back and this
 * thread does it. Below PARALLEL_BACKTEST_MIN_MESSAGES (a worker takes about a second to start) or
 * without `workers`, it is the single-threaded `backtestStoredMail`.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { mergeBacktestReports } from './backtest-rules.js';
import { backtestStoredMail, planBacktestChunks, type BacktestStoredMailOptions, type StoredMailBacktestReport } from './backtest-stored-mail.js';
import type { BacktestWorkerData, BacktestWorkerMessage } from './backtest-worker.js';
import type { RuleSource } from './load-rules.js';
import type { KnownNames } from './rule-types.js';

/** Messages per chunk. */
export const BACKTEST_CHUNK_SIZE = 5000;
/** Fewer messages than this are replayed on this thread alone. */
export const PARALLEL_BACKTEST_MIN_MESSAGES = 20_000;
/** Worker threads at most, besides this one. */
export const MAX_BACKTEST_WORKERS = 3;

/** Worker threads to use on this machine: one fewer than its cores, at most MAX_BACKTEST_WORKERS. */
export const defaultBacktestWorkers = (): number => Math.max(0, Math.min(os.availableParallelism() - 1, MAX_BACKTEST_WORKERS));

export type ParallelBacktestOptions = Omit<BacktestStoredMailOptions, 'range'> & {
  /** what workers need to decide as this thread does; null: this thread only */
  workers: {
    dbFile: string;
    /** the files and names `ruleSet` was compiled from */
    sources: readonly RuleSource[];
    known: KnownNames;
    /** the directory whose sla.yaml gave `context` and the SLA stage, and that configuration's version */
    slaDir: string;
    slaVersion: string | null;
    /** whether `stages` has an assignment stage (workers build theirs from their own snapshot) */
    assignment: boolean;
  } | null;
  /** worker threads besides this one; default `defaultBacktestWorkers()` */
  threads?: number;
  chunkSize?: number;
  minParallel?: number;
  /** false: this thread only hands out chunks, and replays only what no worker could (default true) */
  localChunks?: boolean;
};

export type ParallelBacktestReport = StoredMailBacktestReport & {
  /** threads that replayed messages, this one included */
  threads: number;
  /** why fewer threads than asked for took part, when that happened */
  notes: string[];
};

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

type Chunked = { reports: Array<StoredMailBacktestReport | undefined>; threadsUsed: Set<number>; notes: string[] };

const runChunks = async (opts: ParallelBacktestOptions, chunks: ReturnType<typeof planBacktestChunks>['chunks'], threads: number): Promise<Chunked> => {
  const workers = opts.workers!;
  const sampleLimit = opts.sampleLimit ?? 5;
  const reports: Chunked['reports'] = new Array(chunks.length);
  const queue = chunks.map((_, i) => i);
  const threadsUsed = new Set<number>();
  const notes: string[] = [];
  let wake: (() => void) | null = null;
  const signal = () => { const w = wake; wake = null; w?.(); };
  const running: Worker[] = [];
  let alive = threads;

  const data: BacktestWorkerData = {
    dbFile: workers.dbFile, sources: [...workers.sources], known: workers.known, slaDir: workers.slaDir, assignment: workers.assignment,
    expect: { ruleSetVersion: opts.ruleSet.version, slaVersion: workers.slaVersion },
    since: opts.since?.getTime() ?? null, sampleLimit,
  };
  for (let n = 1; n <= threads; n += 1) {
    const worker = new Worker(new URL('./backtest-worker-bootstrap.mjs', import.meta.url), { workerData: data });
    running.push(worker);
    let current: number | null = null;
    const give = () => {
      const next = queue.shift();
      if (next === undefined) {
        worker.postMessage({ type: 'stop' });
        return;
      }
      current = next;
      worker.postMessage({ type: 'chunk', index: next, range: chunks[next] });
    };
    worker.on('message', (message: BacktestWorkerMessage) => {
      if (message.type === 'ready') give();
      else if (message.type === 'done') {
        reports[message.index] = message.report;
        threadsUsed.add(n);
        current = null;
        signal();
        give();
      } else {
        notes.push(`worker ${n} refused: ${message.reason}`);
        void worker.terminate();
      }
    });
    worker.on('error', (error: Error) => { notes.push(`worker ${n} failed: ${error.message}`); });
    worker.on('exit', () => {
      // A chunk it did not finish goes back to the queue; this thread picks it up.
      alive -= 1;
      if (current !== null) queue.unshift(current);
      current = null;
      signal();
    });
  }

  // This thread must yield between batches, or the workers' messages wait until it has done everything.
  const betweenBatches = opts.betweenBatches ?? yieldToEventLoop;
  try {
    while (reports.includes(undefined)) {
      const next = opts.localChunks === false && alive > 0 ? undefined : queue.shift();
      if (next === undefined) {
        await new Promise<void>((resolve) => { wake = resolve; });
        continue;
      }
      reports[next] = await backtestStoredMail({ ...opts, range: chunks[next], betweenBatches });
      threadsUsed.add(0);
      await betweenBatches();
    }
  } finally {
    await Promise.all(running.map((w) => w.terminate()));
  }
  return { reports, threadsUsed, notes };
};

/** Replays stored inbound mail through the candidate rule set on several threads; see the header. */
export const backtestInParallel = async (opts: ParallelBacktestOptions): Promise<ParallelBacktestReport> => {
  const started = performance.now();
  const chunkSize = opts.chunkSize ?? BACKTEST_CHUNK_SIZE;
  const plan = planBacktestChunks({ db: opts.db, since: opts.since, limit: opts.limit, chunkSize });
  const wanted = opts.workers ? opts.threads ?? defaultBacktestWorkers() : 0;
  const threads = plan.total >= (opts.minParallel ?? PARALLEL_BACKTEST_MIN_MESSAGES) ? Math.min(wanted, plan.chunks.length - 1) : 0;
  if (threads <= 0) return { ...(await backtestStoredMail(opts)), threads: 1, notes: [] };

  const { reports, threadsUsed, notes } = await runChunks(opts, plan.chunks, threads);
  const done = reports as StoredMailBacktestReport[];
  const merged = mergeBacktestReports(done, { ruleSetVersion: opts.ruleSet.version, sampleLimit: opts.sampleLimit ?? 5 });
  const oldest = done.map((r) => r.window.oldest).filter((t): t is string => t !== null).sort()[0] ?? null;
  const newest = done.map((r) => r.window.newest).filter((t): t is string => t !== null).sort().at(-1) ?? null;
  const seconds = (performance.now() - started) / 1000;
  return {
    ...merged,
    since: opts.since?.toISOString() ?? null,
    limit: opts.limit ?? null,
    skipped: done.reduce((sum, r) => sum + r.skipped, 0),
    window: { oldest, newest },
    seconds,
    messagesPerSecond: seconds > 0 ? merged.total / seconds : 0,
    threads: threadsUsed.size,
    notes,
  };
};
