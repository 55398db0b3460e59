/**
 * One IMAP account's intake loop: connect, select the folder, import what is new, wait (IDLE where
 * the server offers it, polling otherwise), repeat; on any error, back off exponentially (with a cap
 * and jitter) and start over. Each account has its own loop and its own connection, so a slow or
 * failing account never delays another.
 *
 * Exactly-once, step by step, for each batch of new UIDs (plan-scan.ts says which UIDs):
 *   1. fetch the raw bytes (BODY.PEEK[]: fetching does not mark anything read);
 *   2. acceptRawMessage — the bytes are on disk and the row committed when it returns;
 *   3. only then flag the batch `\Seen` or move it to the configured folder;
 *   4. only then advance the checkpoint to the batch's highest UID.
 * A crash between 2 and 3, or between 3 and 4, leaves the checkpoint behind: after restart the same
 * UIDs are fetched again, and acceptRawMessage recognises them (same bytes, or same Message-ID on the
 * `imap` channel) and answers "duplicate" without a second ticket; they are then flagged or moved and
 * the checkpoint catches up. Nothing is flagged or moved before it is stored, so nothing is lost; a
 * message is skipped only deliberately (empty, or over MAILROOM_MAX_MESSAGE_BYTES): it stays unread in
 * the folder and is listed under `skipped` in GET /api/channels.
 *
 * Importing is by UID, not by the `\Seen` flag: a message someone opened in their mail client before
 * Mailroom got to it is still imported.
 */
import { ImapFlow, type ImapFlowOptions, type MailboxObject } from 'imapflow';
import type { MailboxConfig } from '../config.js';
import type { BlobStore } from '../db/blob-store.js';
import type { Db } from '../db/connection.js';
import type { SkippedMessage } from '../db/schema/index.js';
import { AppError } from '../errors.js';
import { acceptRawMessage } from '../intake/accept-raw-message.js';
import type { Logger } from '../logger.js';
import type { QueueDriver } from '../queue/queue-driver.js';
import { exponentialBackoffMs } from '../outbound/backoff.js';
import { classifyImapError } from './classify-imap-error.js';
import { createMailboxAccountStore, type MailboxAccountStore } from './mailbox-account-store.js';
import { planScan, uidSet, type ScanPlan } from './plan-scan.js';

export type ImapSettings = NonNullable<MailboxConfig['imap']>;
export type ImapMailbox = MailboxConfig & { imap: ImapSettings };

/** Reconnect delays: the first retry after RECONNECT_BASE_MS, doubling up to RECONNECT_MAX_MS. */
export const RECONNECT_BASE_MS = 2_000;
export const RECONNECT_MAX_MS = 5 * 60_000;
/** IDLE is restarted this often: servers may drop an IDLE session after 30 minutes (RFC 9051 §6.3.13). */
export const MAX_IDLE_MS = 5 * 60_000;
/** How long `stop()` lets a running batch finish before closing the connection under it. */
export const STOP_GRACE_MS = 2_000;

export type ImapAccountDeps = {
  db: Db;
  blobs: BlobStore;
  queue: QueueDriver;
  now: () => Date;
  log: Logger;
  maxMessageBytes: number;
};

export type ImapAccountOptions = {
  mailbox: ImapMailbox;
  deps: ImapAccountDeps;
  reconnect?: { baseMs: number; maxMs: number };
  /** test hooks: run after each message is stored, before anything is flagged */
  hooks?: { afterAccept?: (uid: number) => Promise<void> | void };
  /** extra imapflow options (tests) */
  imapOptions?: Partial<ImapFlowOptions>;
};

export type ImapAccountRunner = {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
  /** look for new mail now */
  wake(): void;
};

/** A wake-up flag that a waiter can sleep on with a timeout; a wake before the wait is not lost. */
const createSignal = () => {
  let pending = false;
  let release: (() => void) | null = null;
  return {
    wake() { pending = true; release?.(); },
    wait(ms: number): Promise<void> {
      if (pending) { pending = false; return Promise.resolve(); }
      return new Promise<void>((resolve) => {
        const done = () => { clearTimeout(timer); release = null; pending = false; resolve(); };
        const timer = setTimeout(done, ms);
        release = done;
      });
    },
  };
};

const chunk = <T>(items: T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

const searchCriteria = (plan: Extract<ScanPlan, { kind: 'full' }>): Record<string, unknown> => {
  if ('all' in plan.search) return { all: true };
  return plan.search.since ? { or: [{ seen: false }, { since: plan.search.since }] } : { seen: false };
};

export const createImapAccountRunner = (opts: ImapAccountOptions): ImapAccountRunner => {
  const { mailbox, deps } = opts;
  const { imap } = mailbox;
  const log = deps.log.child({ mailbox: mailbox.name });
  const reconnect = opts.reconnect ?? { baseMs: RECONNECT_BASE_MS, maxMs: RECONNECT_MAX_MS };
  const signal = createSignal();
  let store: MailboxAccountStore | null = null;
  let stopped = false;
  let loop: Promise<void> | null = null;
  let current: ImapFlow | null = null;
  let failures = 0;

  const connect = async (): Promise<ImapFlow> => {
    const client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: imap.secure,
      auth: imap.accessToken ? { user: imap.user, accessToken: imap.accessToken } : { user: imap.user, pass: imap.password ?? '' },
      tls: { rejectUnauthorized: imap.tlsRejectUnauthorized },
      logger: false,
      disableAutoIdle: true,
      maxIdleTime: MAX_IDLE_MS,
      connectionTimeout: 30_000,
      greetingTimeout: 16_000,
      clientInfo: { name: 'Mailroom' },
      ...opts.imapOptions,
    });
    client.on('error', (err: Error) => { log.debug({ err }, 'imap: connection error'); signal.wake(); });
    client.on('close', () => signal.wake());
    client.on('exists', () => signal.wake());
    current = client;
    await client.connect();
    return client;
  };

  /** Stores, flags/moves and checkpoints everything the plan selects. */
  const importPending = async (client: ImapFlow, plan: ScanPlan, uidValidity: string): Promise<{ backlog: number; unseen: number | null }> => {
    const s = store!;
    let uids: number[];
    if (plan.kind === 'incremental') {
      const found = (await client.search({ uid: `${plan.afterUid + 1}:*` }, { uid: true })) || [];
      // `N:*` always includes the highest UID, even when it is below N (RFC 9051 §6.4.4).
      uids = found.filter((u) => u > plan.afterUid);
    } else {
      uids = (await client.search(searchCriteria(plan), { uid: true })) || [];
    }
    uids.sort((a, b) => a - b);
    const unseenList = await client.search({ seen: false }, { uid: true });
    const unseen = Array.isArray(unseenList) ? unseenList.length : null;
    let backlog = uids.length;
    if (backlog > 0) s.setState('importing', { backlog, unseen });

    for (const batch of chunk(uids, imap.batchSize)) {
      if (stopped) break;
      const sizes = new Map<number, number>();
      for await (const m of client.fetch(uidSet(batch), { uid: true, size: true }, { uid: true })) sizes.set(m.uid, m.size ?? 0);
      const skipped: SkippedMessage[] = [];
      const skip = (uid: number, reason: string) => {
        skipped.push({ uid, reason, at: deps.now().toISOString() });
        log.warn({ uid, reason }, 'imap: message left in the folder, not imported');
      };
      const wanted: number[] = [];
      for (const uid of batch) {
        const size = sizes.get(uid);
        if (size === undefined) continue; // expunged meanwhile
        if (size > deps.maxMessageBytes) skip(uid, `${size} bytes is over the limit of ${deps.maxMessageBytes} (MAILROOM_MAX_MESSAGE_BYTES)`);
        else if (size === 0) skip(uid, 'the message is empty');
        else wanted.push(uid);
      }

      const stored: number[] = [];
      let imported = 0;
      let duplicates = 0;
      if (wanted.length > 0) {
        for await (const m of client.fetch(uidSet(wanted), { uid: true, source: true }, { uid: true })) {
          if (!m.source) continue;
          try {
            const result = await acceptRawMessage({
              db: deps.db, blobs: deps.blobs, queue: deps.queue, raw: m.source,
              channel: 'imap', channelRef: mailbox.name, maxBytes: deps.maxMessageBytes, now: deps.now(),
              meta: { uid: m.uid, uidValidity, folder: imap.folder },
            });
            if (result.status === 'accepted') imported++;
            else duplicates++;
          } catch (err) {
            if (err instanceof AppError && (err.code === 'EMPTY_BODY' || err.code === 'PAYLOAD_TOO_LARGE')) { skip(m.uid, err.message); continue; }
            throw err;
          }
          stored.push(m.uid);
          await opts.hooks?.afterAccept?.(m.uid);
        }
      }
      if (stored.length > 0) {
        if (imap.afterImport === 'seen') await client.messageFlagsAdd(uidSet(stored), ['\\Seen'], { uid: true });
        else await client.messageMove(uidSet(stored), imap.afterImport.moveTo, { uid: true });
      }
      s.advanceCheckpoint({ uidValidity, lastUid: batch[batch.length - 1] });
      s.count({ imported, duplicates, skipped });
      backlog -= batch.length;
      s.setState('importing', { backlog });
      if (imported + duplicates > 0) log.info({ imported, duplicates, lastUid: batch[batch.length - 1] }, 'imap: batch stored');
    }
    if (plan.kind === 'full' && !stopped) s.advanceCheckpoint({ uidValidity, lastUid: plan.floorUid });
    return { backlog: Math.max(0, backlog), unseen };
  };

  const ensureFolder = async (client: ImapFlow, path: string) => {
    const list = await client.list();
    if (!list.some((f) => f.path === path)) await client.mailboxCreate(path);
  };

  /** One connection's lifetime. Returns when stopped; throws when the connection fails. */
  const session = async () => {
    const s = store!;
    // After a failure the account stays `error` (with its reason) until a check succeeds again.
    if (failures === 0) s.setState('connecting');
    const client = await connect();
    try {
      if (imap.afterImport !== 'seen') await ensureFolder(client, imap.afterImport.moveTo);
      const lock = await client.getMailboxLock(imap.folder);
      try {
        const box = client.mailbox as MailboxObject;
        const uidValidity = String(box.uidValidity);
        let plan = planScan({ checkpoint: s.checkpoint(), selected: { folder: imap.folder, uidValidity, uidNext: box.uidNext }, afterImport: imap.afterImport });
        if (plan.kind === 'full') {
          log.info({ reason: plan.reason, uidValidity }, 'imap: scanning the whole folder');
          s.resetCheckpoint({ folder: imap.folder, uidValidity, lastUid: 0 });
        }
        const mode = imap.idle && client.capabilities.has('IDLE') ? 'idle' : 'poll';
        while (!stopped) {
          if (!client.usable) throw new Error('connection closed by the server');
          const { backlog, unseen } = await importPending(client, plan, uidValidity);
          if (stopped) break;
          plan = { kind: 'incremental', afterUid: s.checkpoint()!.lastUid };
          s.recordSuccess({ backlog, unseen, mode });
          failures = 0;
          if (mode === 'idle') void client.idle().catch(() => undefined);
          await signal.wait(imap.pollSeconds * 1000);
        }
      } finally {
        try { lock.release(); } catch { /* connection already gone */ }
      }
    } finally {
      current = null;
      if (client.usable) await client.logout().catch(() => client.close());
      else client.close();
    }
  };

  const run = async () => {
    store = createMailboxAccountStore({ db: deps.db, name: mailbox.name, folder: imap.folder, now: deps.now });
    while (!stopped) {
      try {
        await session();
      } catch (err) {
        if (stopped) break;
        failures++;
        const e = err as Error & { responseText?: string };
        const kind = classifyImapError(e);
        const delay = exponentialBackoffMs(failures, { ...reconnect, jitter: 0.2, random: Math.random() });
        const message = `${e.message}${e.responseText && !e.message.includes(e.responseText) ? `: ${e.responseText}` : ''}`;
        store.recordError({ message, kind, failures, nextRetryAt: new Date(deps.now().getTime() + delay) });
        log.warn({ kind, failures, retryInMs: delay, err: message }, 'imap: account failed, will retry');
        await signal.wait(delay);
      }
    }
    store.setState('stopped');
  };

  return {
    name: mailbox.name,
    start() {
      if (loop) return;
      loop = run().catch((err) => log.error({ err }, 'imap: account loop crashed'));
    },
    async stop() {
      stopped = true;
      signal.wake();
      if (!loop) return;
      const grace = setTimeout(() => current?.close(), STOP_GRACE_MS);
      await loop;
      clearTimeout(grace);
    },
    wake: () => signal.wake(),
  };
};
