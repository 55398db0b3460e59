/**
 * Every channel Mailroom takes mail from or sends through, with its state: IMAP accounts (from
 * `mailbox_accounts`, written by the pollers), webhook-only mailboxes, web forms and the outbox.
 */
import type { MailroomConfig } from '../config.js';
import type { Db } from '../db/connection.js';
import { mailboxAccounts, type SkippedMessage } from '../db/schema/index.js';
import type { ImapErrorKind } from './classify-imap-error.js';
import { readOutboxStatus, type OutboxStatus } from '../outbound/outbox-status.js';

/** /health reports an account only after this many failures in a row (one dropped connection is normal). */
export const UNHEALTHY_AFTER_FAILURES = 3;

export type MailboxChannel = {
  name: string;
  address: string;
  acknowledge: boolean;
  imap: null | { host: string; port: number; user: string; folder: string; afterImport: string; auth: 'password' | 'oauth2' };
  state: string;
  mode: 'idle' | 'poll' | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorKind: ImapErrorKind | null;
  lastErrorAt: string | null;
  failures: number;
  nextRetryAt: string | null;
  backlog: number | null;
  unseen: number | null;
  checkpoint: { uidValidity: string | null; lastUid: number; at: string | null } | null;
  imported: number;
  duplicates: number;
  skipped: SkippedMessage[];
};

export type ChannelStatus = {
  mailboxes: MailboxChannel[];
  forms: Array<{ id: string; title: string; mailbox: string; acknowledge: boolean }>;
  outbox: OutboxStatus;
};

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export const readChannelStatus = ({ db, config }: { db: Db; config: MailroomConfig }): ChannelStatus => {
  const rows = new Map(db.select().from(mailboxAccounts).all().map((r) => [r.name, r]));
  return {
    mailboxes: config.mailboxes.map((m) => {
      const r = m.imap ? rows.get(m.name) : undefined;
      return {
        name: m.name,
        address: m.address,
        acknowledge: m.acknowledge,
        imap: m.imap ? {
          host: m.imap.host, port: m.imap.port, user: m.imap.user, folder: m.imap.folder,
          afterImport: m.imap.afterImport === 'seen' ? 'seen' : `move to ${m.imap.afterImport.moveTo}`,
          auth: m.imap.accessToken ? 'oauth2' : 'password',
        } : null,
        state: m.imap ? (r?.state ?? 'not started') : 'webhook only',
        mode: (r?.mode as MailboxChannel['mode']) ?? null,
        lastSuccessAt: iso(r?.lastSuccessAt),
        lastError: r?.lastError ?? null,
        lastErrorKind: (r?.lastErrorKind as ImapErrorKind | null) ?? null,
        lastErrorAt: iso(r?.lastErrorAt),
        failures: r?.failures ?? 0,
        nextRetryAt: r?.state === 'error' ? iso(r?.nextRetryAt) : null,
        backlog: r?.backlog ?? null,
        unseen: r?.unseen ?? null,
        checkpoint: r ? { uidValidity: r.uidValidity, lastUid: r.lastUid, at: iso(r.checkpointAt) } : null,
        imported: r?.imported ?? 0,
        duplicates: r?.duplicates ?? 0,
        skipped: r?.skipped ?? [],
      };
    }),
    forms: config.forms.map((f) => ({ id: f.id, title: f.title, mailbox: f.mailbox, acknowledge: f.acknowledge })),
    outbox: readOutboxStatus({ db, smtpServer: config.smtp?.host ? `${config.smtp.host}:${config.smtp.port}` : null }),
  };
};
