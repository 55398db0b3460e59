/**
 * Two Mailroom installations that acknowledge mail, each one's outbox delivering (over real SMTP) into
 * the other's inbound webhook: the exchange must stop by itself.
 *
 *  1. With headers intact, the first acknowledgement carries Auto-Submitted and the loop header, so
 *     the other side files it and stays silent: one message in total.
 *  2. Through a relay that behaves like the worst autoresponder on the Internet — it strips every
 *     header that marks automated mail and every threading hint, and gives each message a fresh
 *     subject and Message-ID — only the per-recipient hourly limit is left, and it is enough: each
 *     side sends exactly `limit` acknowledgements, then nothing more.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { eml, postInbound, type Harness } from '../support/harness.js';
import { startSmtpSink, waitFor, type SinkMessage, type SmtpSink } from '../support/smtp-sink.js';
import { rawMessages } from '../../src/db/schema/index.js';
import { outboundHarness, outboxRows, settleOutbox } from './helpers.js';

let sinkA: SmtpSink;
let sinkB: SmtpSink;
let a: Harness | null = null;
let b: Harness | null = null;

beforeAll(async () => { [sinkA, sinkB] = await Promise.all([startSmtpSink(), startSmtpSink()]); });
afterAll(async () => { await Promise.all([sinkA.close(), sinkB.close()]); });
afterEach(async () => {
  sinkA.onMessage(null);
  sinkB.onMessage(null);
  await a?.close();
  await b?.close();
  a = null;
  b = null;
  sinkA.messages.length = 0;
  sinkB.messages.length = 0;
});

const LIMIT = 3;

/** Strips what marks a message as automated or threaded, and makes it look new. */
const worstCaseRelay = (raw: Buffer): Buffer => {
  const text = raw.toString('utf8');
  const split = text.search(/\r?\n\r?\n/);
  const head = text.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
  const body = text.slice(split);
  const kept = head.split(/\r?\n/).filter((line) => !/^(auto-submitted|x-auto-response-suppress|precedence|x-mailroom-loop|in-reply-to|references|message-id|subject):/i.test(line));
  kept.push(`Message-ID: <${randomUUID()}@relay.example>`, `Subject: Message ${randomUUID().slice(0, 8)}`);
  return Buffer.from(kept.join('\r\n') + body);
};

/** Wires `sink` to deliver into `target`, counting deliveries in flight. */
const wire = (sink: SmtpSink, target: () => Harness | null, transform: (raw: Buffer) => Buffer, inFlight: { n: number }) => {
  sink.onMessage(async (m: SinkMessage) => {
    inFlight.n++;
    try {
      const h = target();
      if (h) await postInbound(h, transform(m.raw));
    } finally {
      inFlight.n--;
    }
  });
};

/** Everything either side has done so far; unchanged across several idle checks means it has stopped. */
const activity = () => [sinkA.messages.length, sinkB.messages.length, ...[a!, b!].flatMap((h) => [
  h.services.db.select().from(rawMessages).all().length, outboxRows(h).length,
])].join('/');

/** Both installations idle (nothing in flight, nothing queued) and nothing new happened, three checks in a row. */
const quiescent = async (inFlight: { n: number }) => {
  let calm = 0;
  let last = '';
  await waitFor(async () => {
    if (inFlight.n === 0) {
      await a!.drain();
      await b!.drain();
      await settleOutbox(a!);
      await settleOutbox(b!);
    }
    const now = activity();
    calm = inFlight.n === 0 && now === last ? calm + 1 : 0;
    last = now;
    return calm >= 3;
  }, { message: 'both installations to go quiet', intervalMs: 100, timeoutMs: 30_000 });
};

const start = async () => {
  a = await outboundHarness({ sink: sinkA, address: 'support@a.test', limit: LIMIT }, { env: { MAILROOM_DOMAIN: 'a.test' } });
  b = await outboundHarness({ sink: sinkB, address: 'support@b.test', limit: LIMIT }, { env: { MAILROOM_DOMAIN: 'b.test' } });
};

describe('two auto-responders mailing each other', () => {
  it('stops after one message when headers are intact', async () => {
    await start();
    const inFlight = { n: 0 };
    wire(sinkA, () => b, (raw) => raw, inFlight);
    wire(sinkB, () => a, (raw) => raw, inFlight);
    await postInbound(a!, eml({ from: 'support@b.test', to: 'support@a.test', subject: 'Hello from B' }));
    await quiescent(inFlight);
    expect(sinkA.messages).toHaveLength(1);
    expect(sinkB.messages).toHaveLength(0);
    expect(outboxRows(b!)).toHaveLength(0);
  });

  it('stops at the hourly limit when a relay strips every loop signal', async () => {
    await start();
    const inFlight = { n: 0 };
    wire(sinkA, () => b, worstCaseRelay, inFlight);
    wire(sinkB, () => a, worstCaseRelay, inFlight);
    await postInbound(a!, eml({ from: 'support@b.test', to: 'support@a.test', subject: 'Hello from B' }));
    await quiescent(inFlight);
    expect(sinkA.messages).toHaveLength(LIMIT);
    expect(sinkB.messages).toHaveLength(LIMIT);
    expect(outboxRows(a!).every((r) => r.to[0].address === 'support@b.test')).toBe(true);
  });
});
