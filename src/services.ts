/**
 * Everything a Mailroom process holds open, built once from the config: database, blob store, queue
 * driver, clock, logger, and the intake dependencies. The server, the workers and the CLI all start here.
 */
import path from 'node:path';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import type { MailroomConfig } from './config.js';
import { createBlobStore, type BlobStore } from './db/blob-store.js';
import { databaseFile, openDatabase, type Db } from './db/connection.js';
import type { DecideFn, IntakeDeps, IntakeEffect, IntakeSettings } from './intake/process-raw-message.js';
import { createLogger, type Logger } from './logger.js';
import { createQueueDriver } from './queue/create-queue-driver.js';
import type { QueueDriver } from './queue/queue-driver.js';
import { ensureSecrets } from './secrets.js';
import { runTicketHooks, type TicketEventHook, type TicketEventRecord } from './tickets/ticket-events.js';
import { createLiveDecider, type LiveDecider } from './decide/live-decider.js';
import { listQueueNames } from './routing/routing-store.js';

export type Services = {
  config: MailroomConfig;
  secrets: { apiToken: string; inboundSecret: string };
  db: Db;
  blobs: BlobStore;
  queue: QueueDriver;
  clock: Clock;
  log: Logger;
  decider: LiveDecider;
  intake: IntakeDeps;
  /** run after each message is filed (acknowledgements, SLA clocks, webhooks); modules append to it */
  effects: IntakeEffect[];
  /** called after commit with every ticket event (src/tickets/ticket-events.ts); modules append to it */
  ticketHooks: TicketEventHook[];
  /** hands events to the hooks; failures are logged */
  emitTicketEvents: (events: TicketEventRecord[]) => Promise<void>;
  close: () => Promise<void>;
};

export type CreateServicesOptions = {
  config: MailroomConfig;
  clock?: Clock;
  log?: Logger;
  /** an existing driver (tests pass one with a random BullMQ prefix) */
  queue?: QueueDriver;
  /** override the decision function (tests); default: the live rule set from `config.rulesDir` */
  decide?: DecideFn;
};

export const intakeSettings = (config: MailroomConfig): IntakeSettings => ({
  domain: config.domain,
  ticketTag: config.ticketTag,
  subjectThreadDays: config.subjectThreadDays,
  mailboxes: config.mailboxes,
  forms: config.forms,
});

export const createServices = async (opts: CreateServicesOptions): Promise<Services> => {
  const { config } = opts;
  const log = opts.log ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  const secrets = ensureSecrets(config);
  for (const name of secrets.generated) {
    const value = name === 'MAILROOM_API_TOKEN' ? secrets.apiToken : secrets.inboundSecret;
    // Printed once, on the start that created it; it stays in <data dir>/secrets.json.
    process.stderr.write(`mailroom: generated ${name}=${value} (stored in ${path.join(config.dataDir, 'secrets.json')})\n`);
  }
  const db = openDatabase(databaseFile(config.dataDir));
  const blobs = createBlobStore(path.join(config.dataDir, 'blobs'));
  const queue = opts.queue ?? await createQueueDriver(config);
  const decider = createLiveDecider({ config, log, queueNames: () => { const names = listQueueNames(db); return names.length ? names : null; } });
  await decider.reload();
  const intake: IntakeDeps = {
    db, blobs, clock,
    settings: intakeSettings(config),
    decide: opts.decide ?? ((input) => decider.decide(input)),
    classify: (text) => decider.classify(text),
  };
  const ticketHooks: TicketEventHook[] = [];
  return {
    config,
    secrets: { apiToken: secrets.apiToken, inboundSecret: secrets.inboundSecret },
    db, blobs, queue, clock, log, decider, intake,
    effects: [],
    ticketHooks,
    emitTicketEvents: (events) => runTicketHooks(ticketHooks, events, (err, e) => log.error({ err, ticketId: e.ticketId, type: e.type }, 'ticket hook failed')),
    async close() {
      decider.close();
      await queue.close();
      db.$client.close();
    },
  };
};
