/**
 * A real SMTP receiving end for tests: an `smtp-server` on a free loopback port that records every
 * accepted message (envelope and the exact bytes received), can answer the DATA of the next messages
 * with a chosen 4xx/5xx reply, and can be stopped and started again on the same port to play an
 * unreachable server.
 */
import { createServer } from 'node:net';
import { SMTPServer } from 'smtp-server';

export type SinkMessage = {
  from: string;
  to: string[];
  raw: Buffer;
  /** the Message-ID header value without brackets, or null */
  messageId: string | null;
  /** header block of `raw`, as text */
  head: string;
};

export type SinkReply = { code: number; message: string };

export type SmtpSink = {
  host: '127.0.0.1';
  port: number;
  /** accepted messages, in the order they were accepted */
  messages: SinkMessage[];
  /** DATA attempts answered with an error */
  refused: Array<{ messageId: string | null; code: number }>;
  /** answer the DATA of the next `n` messages with `code message` */
  failNext(n: number, code: number, message?: string): void;
  /** decide per message: return a reply to refuse it, or null to accept */
  respondWith(fn: ((m: Omit<SinkMessage, never>) => SinkReply | null) | null): void;
  /** called for every accepted message (e.g. to deliver it somewhere) */
  onMessage(fn: ((m: SinkMessage) => void | Promise<void>) | null): void;
  /** stop listening and drop open connections (the port stays reserved for `start`) */
  stop(): Promise<void>;
  start(): Promise<void>;
  readonly running: boolean;
  close(): Promise<void>;
};

/** A port nobody listens on right now (the kernel's choice), for servers that need a number up front. */
export const freePort = (): Promise<number> => new Promise((resolve, reject) => {
  const srv = createServer();
  srv.once('error', reject);
  srv.listen(0, '127.0.0.1', () => {
    const port = (srv.address() as { port: number }).port;
    srv.close(() => resolve(port));
  });
});

/** Polls `check` until it returns a truthy value, or fails after `timeoutMs` with `message`. Never asserts on time itself. */
export const waitFor = async <T>(check: () => T | Promise<T>, { timeoutMs = 20_000, intervalMs = 25, message = 'condition' } = {}): Promise<NonNullable<T>> => {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${message}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
};

const headOf = (raw: Buffer): string => {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  return end >= 0 ? text.slice(0, end) : text;
};

const messageIdOf = (head: string): string | null => /^message-id:\s*<([^>]+)>/im.exec(head)?.[1] ?? null;

export const startSmtpSink = async (): Promise<SmtpSink> => {
  const port = await freePort();
  const messages: SinkMessage[] = [];
  const refused: SmtpSink['refused'] = [];
  const failures: SinkReply[] = [];
  let decide: ((m: SinkMessage) => SinkReply | null) | null = null;
  let deliver: ((m: SinkMessage) => void | Promise<void>) | null = null;
  let server: SMTPServer | null = null;

  const make = () => new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 50,
    size: 50 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const head = headOf(raw);
        const m: SinkMessage = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw, head, messageId: messageIdOf(head),
        };
        const refusal = failures.shift() ?? decide?.(m) ?? null;
        if (refusal) {
          refused.push({ messageId: m.messageId, code: refusal.code });
          const err = new Error(refusal.message) as Error & { responseCode: number };
          err.responseCode = refusal.code;
          callback(err);
          return;
        }
        messages.push(m);
        callback(null, 'Ok: queued by test sink');
        if (deliver) void Promise.resolve(deliver(m)).catch(() => undefined);
      });
    },
  });

  const start = () => new Promise<void>((resolve, reject) => {
    const s = make();
    s.on('error', () => { /* connection-level noise */ });
    s.server.once('error', reject);
    s.listen(port, '127.0.0.1', () => { server = s; resolve(); });
  });
  const stop = () => new Promise<void>((resolve) => {
    const s = server;
    server = null;
    if (!s) return resolve();
    s.close(() => resolve());
  });

  await start();
  return {
    host: '127.0.0.1',
    port,
    messages,
    refused,
    failNext(n, code, message = code >= 500 ? '5.1.1 <user@example.com>: Recipient address rejected: User unknown' : '4.7.1 Greylisted, try again later') {
      for (let i = 0; i < n; i++) failures.push({ code, message });
    },
    respondWith(fn) { decide = fn; },
    onMessage(fn) { deliver = fn; },
    stop,
    start,
    get running() { return server !== null; },
    close: stop,
  };
};
