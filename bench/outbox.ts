/**
 * Outbox throughput into a local SMTP server (test/support/smtp-sink.ts, a real smtp-server on
 * loopback): N agent replies queued through the same use case as POST /api/tickets/:id/replies, then
 * sent by the outbox worker (atomic claim, nodemailer pool, result recorded per row). Prints, for
 * several `smtp.maxConnections` values: replies queued per second, messages sent per second, and
 * the p50/p99 queued→sent latency. Figures only, no assertions; needs nothing but Node.
 *
 *   npx tsx bench/outbox.ts [count=2000]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { count, eq } from 'drizzle-orm';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createServices } from '../src/services.js';
import { acceptRawMessage } from '../src/intake/accept-raw-message.js';
import { runIntakeWorker } from '../src/intake/run-intake-worker.js';
import { intakeJob } from '../src/queue/jobs.js';
import { outbox, tickets } from '../src/db/schema/index.js';
import { createOutboundModule } from '../src/outbound/outbound-module.js';
import { sendReply } from '../src/outbound/send-reply.js';
import { startSmtpSink } from '../test/support/smtp-sink.js';
import { fmt, percentile } from './lib/shared-data.js';

const total = Number(process.argv[2] ?? 2000);
const sink = await startSmtpSink();

const runOnce = async (maxConnections: number) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mailroom-outbox-bench-'));
  writeFileSync(path.join(dir, 'mailroom.yaml'), [
    'mailboxes:',
    '  - name: support',
    '    address: support@acme.test',
    '    acknowledge: false',
    'smtp:',
    `  host: ${sink.host}`,
    `  port: ${sink.port}`,
    `  maxConnections: ${maxConnections}`,
    '',
  ].join('\n'));
  const config = loadConfig({
    MAILROOM_DATA_DIR: path.join(dir, 'data'), MAILROOM_API_TOKEN: 'bench-api-token-0123456789', MAILROOM_INBOUND_SECRET: 'bench-inbound-secret-0123456789',
    MAILROOM_RULES_DIR: path.join(dir, 'rules'), MAILROOM_LOG_LEVEL: 'silent', REDIS_URL: process.env.REDIS_URL,
  }, dir);
  const services = await createServices({ config, log: createLogger('silent') });
  try {
    runIntakeWorker({ queue: services.queue, deps: services.intake, effects: services.effects, concurrency: 1, log: services.log });
    await acceptRawMessage({
      db: services.db, blobs: services.blobs, queue: services.queue, channel: 'webhook', channelRef: 'bench', maxBytes: config.maxMessageBytes, now: new Date(),
      raw: Buffer.from('From: Alice <alice@example.com>\r\nTo: support@acme.test\r\nSubject: Help\r\nMessage-ID: <q@example.com>\r\n\r\nHello\r\n'),
    });
    await services.queue.drain(intakeJob);
    const ticketId = services.db.select({ id: tickets.id }).from(tickets).get()!.id;

    sink.messages.length = 0;
    let t = performance.now();
    for (let i = 0; i < total; i++) {
      await sendReply({ db: services.db, blobs: services.blobs, queue: services.queue, config, ticketId, body: `Reply number ${i}.\n\nRegards,\nSupport`, now: new Date() });
    }
    const queuedS = (performance.now() - t) / 1000;

    t = performance.now();
    const stop = await createOutboundModule().start!(services, 'worker');
    const sent = () => services.db.select({ n: count() }).from(outbox).where(eq(outbox.state, 'sent')).get()!.n;
    while (sent() < total) await new Promise((r) => setTimeout(r, 5));
    const sentS = (performance.now() - t) / 1000;
    const latencies = services.db.select({ c: outbox.createdAt, s: outbox.sentAt }).from(outbox).all()
      .map((r) => r.s!.getTime() - r.c.getTime()).sort((a, b) => a - b);
    console.log(
      `${String(maxConnections).padStart(15)} ${fmt(total / queuedS, 0).padStart(12)} ${fmt(total / sentS, 0).padStart(10)}`
      + ` ${fmt(percentile(latencies, 50) / 1000, 2).padStart(12)} ${fmt(percentile(latencies, 99) / 1000, 2).padStart(12)} ${String(sink.messages.length).padStart(9)}`,
    );
    if (stop) await stop();
  } finally {
    await services.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

console.log(`outbox bench: ${total} replies into a local SMTP server (${sink.host}:${sink.port}), ${process.env.REDIS_URL ? 'bullmq' : 'inline'} queue`);
console.log('maxConnections'.padStart(15), 'queued/s'.padStart(12), 'sent/s'.padStart(10), 'p50 wait s'.padStart(12), 'p99 wait s'.padStart(12), 'received'.padStart(9));
console.log('(wait = queued → sent; all replies are queued before the worker starts, so it includes the backlog)');
for (const c of [1, 4, 8]) await runOnce(c);
await sink.close();
