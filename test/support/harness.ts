/**
 * A real Mailroom for a test: its own temporary data dir, SQLite file, blob store and queue driver
 * (inline, or BullMQ on the local Redis with a random prefix), the real fastify app driven with
 * `app.inject`. Only the clock is controlled.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadConfig, type MailroomConfig } from '../../src/config.js';
import { buildApp } from '../../src/api/build-app.js';
import type { App } from '../../src/api/types.js';
import { manualClock } from '../../src/clock.js';
import { createLogger } from '../../src/logger.js';
import { createBullmqDriver } from '../../src/queue/bullmq-driver.js';
import { intakeJob } from '../../src/queue/jobs.js';
import type { QueueDriver } from '../../src/queue/queue-driver.js';
import { runIntakeWorker } from '../../src/intake/run-intake-worker.js';
import { createServices, type Services } from '../../src/services.js';
import type { MailroomModule } from '../../src/module.js';
import { startModules } from '../../src/server.js';

export const API_TOKEN = 'test-api-token-0123456789';
export const INBOUND_SECRET = 'test-inbound-secret-0123456789';
export const REDIS_URL = 'redis://127.0.0.1:6379';

export type Harness = {
  dir: string;
  config: MailroomConfig;
  services: Services;
  app: App;
  clock: ReturnType<typeof manualClock>;
  auth: { authorization: string };
  /** wait until every queued intake job has run */
  drain: () => Promise<void>;
  close: () => Promise<void>;
};

export type HarnessOptions = {
  env?: Record<string, string>;
  queue?: 'inline' | 'bullmq';
  /** do not start the intake worker (tests that drive processing themselves) */
  noWorker?: boolean;
  now?: string;
  dir?: string;
  beforeCommit?: () => void;
  /** modules to load (routes, health, effects, background work), as the server would */
  modules?: MailroomModule[];
  /** a config file (YAML text) written to the temp dir and loaded as MAILROOM_CONFIG */
  configYaml?: string;
  bullmqPrefix?: string;
};

export const tempDir = (prefix = 'mailroom-test-') => mkdtempSync(path.join(tmpdir(), prefix));

export const randomPrefix = () => `mrtest-${randomUUID()}`;

export const createHarness = async (opts: HarnessOptions = {}): Promise<Harness> => {
  const dir = opts.dir ?? tempDir();
  if (opts.configYaml) writeFileSync(path.join(dir, 'mailroom.yaml'), opts.configYaml);
  const config = loadConfig({
    MAILROOM_DATA_DIR: path.join(dir, 'data'),
    MAILROOM_API_TOKEN: API_TOKEN,
    MAILROOM_INBOUND_SECRET: INBOUND_SECRET,
    MAILROOM_RULES_DIR: path.join(dir, 'rules'),
    MAILROOM_LOG_LEVEL: 'silent',
    ...opts.env,
  }, dir);
  const clock = manualClock(opts.now ?? '2026-11-23T10:00:00Z');
  let queue: QueueDriver | undefined;
  const prefix = opts.bullmqPrefix ?? randomPrefix();
  if (opts.queue === 'bullmq') {
    queue = createBullmqDriver({ redisUrl: REDIS_URL, prefix, lockDurationMs: 2000, stalledIntervalMs: 1000, retry: { intake: config.intakeRetry } });
  }
  const services = await createServices({ config, clock, queue, log: createLogger('silent') });
  if (opts.beforeCommit) services.intake.beforeCommit = opts.beforeCommit;
  const mods = opts.modules ?? [];
  const app = await buildApp(services, {
    modules: mods.flatMap((m) => (m.routes ? [m.routes] : [])),
    healthChecks: mods.flatMap((m) => (m.health ? [m.health(services)] : [])),
  });
  await app.ready();
  const stopModules = await startModules(services, mods, 'server');
  if (!opts.noWorker) runIntakeWorker({ queue: services.queue, deps: services.intake, effects: services.effects, emitTicketEvents: services.emitTicketEvents, concurrency: 2, log: services.log });
  return {
    dir, config, services, app, clock,
    auth: { authorization: `Bearer ${API_TOKEN}` },
    drain: () => services.queue.drain(intakeJob),
    async close() {
      await app.close();
      await stopModules();
      await services.close();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** A small RFC 822 message; every field can be overridden, `extraHeaders` are added verbatim. */
export const eml = (o: {
  from?: string; to?: string; subject?: string; body?: string; messageId?: string | null; inReplyTo?: string; references?: string;
  date?: string; extraHeaders?: string[]; contentType?: string;
} = {}): Buffer => {
  const lines = [
    `From: ${o.from ?? 'Alice Example <alice@example.com>'}`,
    `To: ${o.to ?? 'support@acme.test'}`,
    `Subject: ${o.subject ?? 'Help with my order'}`,
    `Date: ${o.date ?? 'Mon, 23 Nov 2026 09:00:00 +0000'}`,
  ];
  if (o.messageId !== null) lines.push(`Message-ID: <${o.messageId ?? `${randomUUID()}@example.com`}>`);
  if (o.inReplyTo) lines.push(`In-Reply-To: <${o.inReplyTo}>`);
  if (o.references) lines.push(`References: ${o.references}`);
  lines.push('MIME-Version: 1.0', `Content-Type: ${o.contentType ?? 'text/plain; charset=utf-8'}`, ...(o.extraHeaders ?? []));
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${o.body ?? 'Hello, my order #4711 has not arrived yet.\r\n'}`);
};

/** POSTs raw mail to the inbound webhook with the inbound secret. */
export const postInbound = (h: Harness, raw: Buffer | string, headers: Record<string, string> = {}) =>
  h.app.inject({
    method: 'POST', url: '/api/inbound/email',
    headers: { 'content-type': 'message/rfc822', authorization: `Bearer ${INBOUND_SECRET}`, ...headers },
    payload: raw,
  });
