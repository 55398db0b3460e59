/** Shared set-up for the outbound suites: a harness whose outbox sends to a real SMTP sink. */
import { eq, inArray } from 'drizzle-orm';
import { createHarness, eml, postInbound, type Harness, type HarnessOptions } from '../support/harness.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { waitFor } from '../support/smtp-sink.js';
import { createOutboundModule } from '../../src/outbound/outbound-module.js';
import { messages, outbox } from '../../src/db/schema/index.js';
import { outboxSendJob } from '../../src/outbound/outbound-jobs.js';

export type MailConfig = {
  sink?: SmtpSink | null;
  acknowledge?: boolean;
  address?: string;
  fromName?: string;
  limit?: number;
  maxAttempts?: number;
  extraSmtp?: string;
};

/** A mailroom.yaml with one mailbox (`support`) and SMTP pointing at the sink (or no SMTP at all). */
export const mailConfigYaml = (c: MailConfig = {}): string => [
  'mailboxes:',
  '  - name: support',
  `    address: ${c.address ?? 'support@acme.test'}`,
  `    fromName: ${JSON.stringify(c.fromName ?? 'ACME Support')}`,
  `    acknowledge: ${c.acknowledge ?? true}`,
  'smtp:',
  ...(c.sink ? [`  host: ${c.sink.host}`, `  port: ${c.sink.port}`, '  secure: false'] : []),
  '  from: help@acme.test',
  `  autoReplyLimitPerHour: ${c.limit ?? 3}`,
  '  retryBaseSeconds: 0.05',
  '  retryMaxSeconds: 0.4',
  `  maxAttempts: ${c.maxAttempts ?? 8}`,
  ...(c.extraSmtp ? [c.extraSmtp] : []),
  '',
].join('\n');

/** A harness with the outbound module loaded and the given mail config. */
export const outboundHarness = (c: MailConfig, opts: HarnessOptions = {}): Promise<Harness> =>
  createHarness({ configYaml: mailConfigYaml(c), modules: [createOutboundModule({ sweepIntervalMs: 200 })], ...opts });

/** Posts a customer message and waits until it is filed; returns its ticket id. */
export const fileMessage = async (h: Harness, raw: Buffer = eml()): Promise<number> => {
  const res = await postInbound(h, raw);
  if (res.statusCode !== 202) throw new Error(`inbound answered ${res.statusCode}: ${res.body}`);
  await h.drain();
  const id = res.json().id as number;
  const row = h.services.db.select({ ticketId: messages.ticketId }).from(messages).where(eq(messages.rawMessageId, id)).get();
  if (!row) throw new Error(`raw message ${id} filed no ticket`);
  return row.ticketId;
};

/** Waits until no outbox row is queued or sending and no outbox job is pending. */
export const settleOutbox = async (h: Harness): Promise<void> => {
  await waitFor(async () => {
    const busy = h.services.db.select({ id: outbox.id }).from(outbox).where(inArray(outbox.state, ['queued', 'sending'])).all();
    const c = await h.services.queue.counts(outboxSendJob);
    return busy.length === 0 && c.waiting + c.active + c.delayed === 0;
  }, { message: 'the outbox to settle' });
};

export const outboxRows = (h: Harness) => h.services.db.select().from(outbox).all();
