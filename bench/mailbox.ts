/**
 * IMAP import speed against a real Dovecot: a 5,000-message mailbox (real mail from
 * ../shared/data/email-parse when present, cycled with fresh Message-IDs, plus generated messages),
 * imported by Mailroom's IMAP loop from a cold start. Prints:
 *  - stored: IMAP fetch → acceptRawMessage (bytes on disk, row committed) → \Seen → checkpoint, msg/s;
 *  - filed: the same messages through the intake pipeline into tickets, msg/s (inline queue, or
 *    BullMQ when REDIS_URL is set);
 *  - new-mail latency while idle (IMAP IDLE): APPEND by another client → stored, p50/max of 10.
 * Figures only, no assertions. Exits 0 with a message when the dovecot binary is missing.
 *
 *   npx tsx bench/mailbox.ts [count=5000] [batchSize=50]
 *   STORE_ONLY=1 npx tsx bench/mailbox.ts   (intake worker started only after the import: IMAP + accept alone)
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { count, eq } from 'drizzle-orm';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createServices } from '../src/services.js';
import { runIntakeWorker } from '../src/intake/run-intake-worker.js';
import { intakeJob } from '../src/queue/jobs.js';
import { mailboxAccounts, rawMessages, tickets } from '../src/db/schema/index.js';
import { createImapAccountRunner } from '../src/mailbox/run-imap-account.js';
import { dovecotMissingReason, startDovecot } from '../test/support/dovecot.js';
import { fmt, listFiles, percentile, sharedDataOrSkip } from './lib/shared-data.js';

const missing = dovecotMissingReason();
if (missing) {
  console.log(`bench/mailbox: skipped: ${missing}`);
  process.exit(0);
}

const total = Number(process.argv[2] ?? 5000);
const batchSize = Number(process.argv[3] ?? 50);

const withMessageId = (raw: Buffer, id: string): Buffer => {
  const text = raw.toString('latin1').replace(/^message-id:.*(?:\r?\n[ \t].*)*\r?\n/im, '');
  return Buffer.from(`Message-ID: <${id}>\r\n${text}`, 'latin1');
};

const generated = (i: number): Buffer => Buffer.from([
  `From: Customer ${i} <customer${i % 700}@example.com>`,
  'To: support@acme.test',
  `Subject: Order ${10_000 + i} has not arrived`,
  'Date: Mon, 23 Nov 2026 09:00:00 +0000',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  `Hello, my order ${10_000 + i} has not arrived yet. Could you check the tracking number?`,
  '',
  'Thanks',
  '',
].join('\r\n'));

const emlDir = sharedDataOrSkip('email-parse/eml');
const real = emlDir ? listFiles(emlDir, (n) => n.endsWith('.eml')).map((f) => readFileSync(f)) : [];
const corpus = Array.from({ length: total }, (_, i) => withMessageId(
  real.length > 0 && i % 2 === 0 ? real[(i / 2) % real.length] : generated(i),
  `bench-${i}@bench.example`,
));
const bytes = corpus.reduce((n, b) => n + b.length, 0);

const user = { name: 'bench', password: 'bench-pw' };
const dc = await startDovecot({ users: [user] });
const dir = mkdtempSync(path.join(tmpdir(), 'mailroom-bench-'));
try {
  console.log(`mailbox bench: ${total} messages (${real.length ? `${Math.ceil(total / 2)} real from ../shared/data, rest generated` : 'generated'}), ${fmt(bytes / 1024 / 1024)} MiB, batch size ${batchSize}`);
  let t = performance.now();
  const parallel = 4;
  await Promise.all(Array.from({ length: parallel }, (_, p) => dc.append(user, corpus.filter((_, i) => i % parallel === p))));
  console.log(`  APPEND into Dovecot (setup, ${parallel} connections): ${fmt((performance.now() - t) / 1000)} s`);

  const config = loadConfig({
    MAILROOM_DATA_DIR: path.join(dir, 'data'), MAILROOM_API_TOKEN: 'bench-api-token-0123456789', MAILROOM_INBOUND_SECRET: 'bench-inbound-secret-0123456789',
    MAILROOM_RULES_DIR: path.join(dir, 'rules'), MAILROOM_LOG_LEVEL: 'silent', REDIS_URL: process.env.REDIS_URL,
  }, dir);
  const services = await createServices({ config, log: createLogger('silent') });
  // STORE_ONLY=1: no intake worker during the import, to see the IMAP + accept cost alone.
  const storeOnly = process.env.STORE_ONLY === '1';
  const startWorker = () => runIntakeWorker({ queue: services.queue, deps: services.intake, effects: services.effects, concurrency: config.intakeConcurrency, log: services.log });
  if (!storeOnly) startWorker();
  const mailbox = {
    name: 'support', address: 'support@acme.test', acknowledge: false, acknowledgeTemplate: 'acknowledgement',
    imap: {
      host: dc.host, port: dc.port, secure: false, user: user.name, password: user.password, folder: 'INBOX',
      afterImport: 'seen' as const, tlsRejectUnauthorized: true, idle: true, pollSeconds: 600, batchSize,
    },
  };
  const runner = createImapAccountRunner({
    mailbox,
    deps: { db: services.db, blobs: services.blobs, queue: services.queue, now: () => new Date(), log: services.log, maxMessageBytes: config.maxMessageBytes },
  });
  const lastUid = () => services.db.select().from(mailboxAccounts).where(eq(mailboxAccounts.name, 'support')).get()?.lastUid ?? 0;
  const state = () => services.db.select().from(mailboxAccounts).where(eq(mailboxAccounts.name, 'support')).get()?.state;
  const until = async (check: () => boolean) => { while (!check()) await new Promise((r) => setTimeout(r, 5)); };
  const rss0 = process.memoryUsage().rss;

  t = performance.now();
  runner.start();
  await until(() => lastUid() >= total);
  const stored = (performance.now() - t) / 1000;
  const raws = services.db.select({ n: count() }).from(rawMessages).get()!.n;
  console.log(`  stored (fetch → accept → \\Seen → checkpoint): ${fmt(stored)} s, ${fmt(total / stored, 0)} msg/s, ${fmt(bytes / 1024 / 1024 / stored)} MiB/s (${raws} raw rows)`);
  if (storeOnly) startWorker();
  await services.queue.drain(intakeJob);
  const filed = (performance.now() - t) / 1000;
  const ticketCount = services.db.select({ n: count() }).from(tickets).get()!.n;
  console.log(`  filed (… → parse → detect → thread → decide → ticket, ${services.queue.kind} queue): ${fmt(filed)} s, ${fmt(total / filed, 0)} msg/s (${ticketCount} tickets; real mail threads into fewer)`);
  console.log(`  RSS growth during import: ${fmt((process.memoryUsage().rss - rss0) / 1024 / 1024, 0)} MiB`);

  await until(() => state() === 'waiting');
  // One appending client stays logged in, so its login is not part of the figure.
  const latencies: number[] = [];
  await dc.withClient(user, async (client) => {
    for (let i = 0; i < 10; i++) {
      const before = lastUid();
      await client.append('INBOX', withMessageId(generated(total + i), `bench-idle-${i}@bench.example`));
      const appended = performance.now();
      await until(() => lastUid() > before);
      latencies.push(performance.now() - appended);
      await new Promise((r) => setTimeout(r, 200));
    }
  });
  latencies.sort((a, b) => a - b);
  console.log(`  new mail while idle (APPEND done → stored, IMAP IDLE), 10 samples: p50 ${fmt(percentile(latencies, 50), 0)} ms, max ${fmt(latencies[latencies.length - 1], 0)} ms`);

  await runner.stop();
  await services.close();
} finally {
  await dc.close();
  rmSync(dir, { recursive: true, force: true });
}
