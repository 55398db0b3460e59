/**
 * Intake throughput and latency: N messages through accept → processed (parse, detect, quotes, thread,
 * decide, file), with the inline driver and with BullMQ on the local Redis, side by side; and the same
 * messages' bare parse time, so the pipeline's overhead over parsing is a measured ratio.
 *
 *   npm run bench:intake            (N=3000; BENCH_N=10000 for more)
 *
 * Messages: the real mail of ../shared/data (email-parse + bounces) when present, plus generated
 * customer mail (one in three a reply to an earlier one, so threading lookups do real work).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { acceptRawMessage } from '../src/intake/accept-raw-message.js';
import { parseMessage } from '../src/intake/parse-message.js';
import { runIntakeWorker } from '../src/intake/run-intake-worker.js';
import { createLogger } from '../src/logger.js';
import { createBullmqDriver } from '../src/queue/bullmq-driver.js';
import { intakeJob } from '../src/queue/jobs.js';
import { createServices } from '../src/services.js';
import { fmt, listFiles, percentile, sharedDataDir } from './lib/shared-data.js';
import { existsSync } from 'node:fs';

const N = Number(process.env.BENCH_N ?? 3000);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LATENCY_N = Number(process.env.BENCH_LATENCY_N ?? 300);

const real: Buffer[] = [];
for (const sub of ['email-parse/eml', 'bounces/maildir/bsd']) {
  const dir = path.join(sharedDataDir, sub);
  if (existsSync(dir)) for (const f of listFiles(dir, (n) => !n.endsWith('.json'))) real.push(readFileSync(f));
}
if (real.length === 0) console.log('note: ../shared/data not present; generated messages only');

const generated = (i: number, ids: string[]): Buffer => {
  const id = `${randomUUID()}@customer${i % 500}.test`;
  ids.push(id);
  const replyTo = i % 3 === 2 ? ids[i - 2] : null;
  return Buffer.from([
    `From: Customer ${i % 500} <c${i % 500}@customer${i % 500}.test>`, 'To: support@acme.test',
    `Subject: ${replyTo ? 'Re: ' : ''}Order ${i % 997} has not arrived`, `Message-ID: <${id}>`,
    ...(replyTo ? [`In-Reply-To: <${replyTo}>`] : []), 'Date: Mon, 23 Nov 2026 09:00:00 +0000', 'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8', '',
    `Hello, I ordered item ${i} two weeks ago and it has still not arrived. Can you check the tracking number?`,
    '', 'Thanks,', `Customer ${i % 500}`, '', 'On Sun, 22 Nov 2026, Support wrote:', '> Your order has shipped.', '',
  ].join('\r\n'));
};

const ids: string[] = [];
const corpus: Buffer[] = [];
for (let i = 0; corpus.length < N; i++) corpus.push(i < real.length ? real[i] : generated(i, ids));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Two phases per driver. Throughput: accept every message with no worker running (accept/s), then
 * start the worker and drain (processing msg/s). Latency: a fresh set of messages offered at half the
 * measured processing rate, so the percentiles show the pipeline's own delay, not a backlog.
 */
const run = async (driver: 'inline' | 'bullmq') => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mailroom-bench-'));
  const config = loadConfig({
    MAILROOM_DATA_DIR: path.join(dir, 'data'), MAILROOM_API_TOKEN: 'bench-token-0123456789', MAILROOM_INBOUND_SECRET: 'bench-secret-0123456789',
    MAILROOM_LOG_LEVEL: 'silent', MAILROOM_RULES_DIR: path.resolve('rules'),
  }, dir);
  const queue = driver === 'bullmq' ? createBullmqDriver({ redisUrl: REDIS_URL, prefix: `mrbench-${randomUUID()}` }) : undefined;
  if (queue && !(await queue.health()).ok) {
    console.log(`${driver}: skipped (Redis at ${REDIS_URL} not answering)`);
    await queue.close();
    return null;
  }
  const services = await createServices({ config, queue, log: createLogger('silent') });
  const accept = (raw: Buffer) => acceptRawMessage({ db: services.db, blobs: services.blobs, queue: services.queue, raw, channel: 'import', maxBytes: config.maxMessageBytes, now: new Date() });

  let t0 = performance.now();
  let accepted = 0;
  for (const raw of corpus) if ((await accept(raw)).status === 'accepted') accepted++;
  const acceptSeconds = (performance.now() - t0) / 1000;

  const acceptedAt = new Map<number, number>();
  const latencies: number[] = [];
  runIntakeWorker({
    queue: services.queue, deps: services.intake, concurrency: config.intakeConcurrency, log: services.log,
    effects: [async (r) => { const at = acceptedAt.get(r.rawMessageId); if (at !== undefined) latencies.push(performance.now() - at); }],
  });
  t0 = performance.now();
  await services.queue.drain(intakeJob);
  const processSeconds = (performance.now() - t0) / 1000;
  const processRate = accepted / processSeconds;

  const paced = corpus.slice(0, Math.min(LATENCY_N, corpus.length)).map((_, i) => generated(1_000_000 + i, []));
  const interval = 1000 / (processRate / 2);
  t0 = performance.now();
  for (let i = 0; i < paced.length; i++) {
    const due = t0 + i * interval;
    if (due > performance.now()) await sleep(due - performance.now());
    const start = performance.now();
    const r = await accept(paced[i]);
    if (r.status === 'accepted') acceptedAt.set(r.id, start);
  }
  await services.queue.drain(intakeJob);
  for (let i = 0; i < 100 && latencies.length < acceptedAt.size; i++) await sleep(20);
  const counts = services.db.$client.prepare('select state, count(*) n from raw_messages group by state').all() as Array<{ state: string; n: number }>;
  await services.close();
  rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  return { driver, accepted, acceptSeconds, processRate, offered: processRate / 2, latencies, counts };
};

const parseStart = performance.now();
for (const raw of corpus) { try { await parseMessage(raw); } catch { /* counted in the pipeline run */ } }
const parseSeconds = (performance.now() - parseStart) / 1000;

console.log(`intake bench: ${corpus.length} messages (${Math.min(real.length, N)} real, ${Math.max(0, N - real.length)} generated), concurrency ${loadConfig({}).intakeConcurrency}`);
console.log(`bare parse (mailparser, sequential, same messages): ${fmt(corpus.length / parseSeconds, 0)} msg/s\n`);
console.log('driver'.padEnd(8), 'accepted'.padStart(9), 'accept/s'.padStart(9), 'filed/s'.padStart(8), 'vs parse'.padStart(9), '| offered/s'.padStart(11), 'p50 ms'.padStart(8), 'p95 ms'.padStart(8), 'p99 ms'.padStart(8), '  outcome');
for (const driver of ['inline', 'bullmq'] as const) {
  const r = await run(driver);
  if (!r) continue;
  console.log(
    driver.padEnd(8), String(r.accepted).padStart(9), fmt(r.accepted / r.acceptSeconds, 0).padStart(9), fmt(r.processRate, 0).padStart(8),
    `${fmt(r.processRate / (corpus.length / parseSeconds), 2)}x`.padStart(9), `| ${fmt(r.offered, 0)}`.padStart(11),
    fmt(percentile(r.latencies, 50), 1).padStart(8), fmt(percentile(r.latencies, 95), 1).padStart(8), fmt(percentile(r.latencies, 99), 1).padStart(8),
    '  ' + r.counts.map((c) => `${c.state}=${c.n}`).join(' '),
  );
}
console.log(`\nthroughput: accept all, then file all. latency: ${LATENCY_N} new messages offered at half the filing rate; accept call start → filed (after commit).`);
console.log(`peak RSS ${fmt(process.resourceUsage().maxRSS / 1024, 0)} MiB`);
