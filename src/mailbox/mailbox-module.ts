/**
 * The mailbox module: one IMAP intake loop per configured account with `imap`, started in the server
 * process (never in `worker` processes: two pollers per account would be safe — accept de-duplicates
 * and the checkpoint only moves forward — but wasteful), `GET /api/channels`, and the `mailboxes`
 * section of /health.
 */
import type { MailroomModule } from '../module.js';
import { channelRoutes } from '../api/routes/channels.js';
import { outboundModule } from '../outbound/outbound-module.js';
import { readChannelStatus, UNHEALTHY_AFTER_FAILURES } from './read-channel-status.js';
import { createImapAccountRunner, type ImapAccountOptions, type ImapMailbox } from './run-imap-account.js';

export type MailboxModuleOptions = Pick<ImapAccountOptions, 'reconnect' | 'imapOptions'> & {
  /** per-account test hooks */
  hooks?: (name: string) => ImapAccountOptions['hooks'];
};

export const createMailboxModule = (opts: MailboxModuleOptions = {}): MailroomModule => ({
  name: 'mailbox',
  routes: channelRoutes,
  health: (services) => ({
    name: 'mailboxes',
    check: async () => {
      const accounts = readChannelStatus({ db: services.db, config: services.config }).mailboxes.filter((m) => m.imap !== null);
      const failing = accounts.filter((a) => a.state === 'error' && a.failures >= UNHEALTHY_AFTER_FAILURES);
      return {
        ok: failing.length === 0,
        accounts: accounts.map((a) => ({
          name: a.name, state: a.state, failures: a.failures, errorKind: a.lastErrorKind, lastSuccessAt: a.lastSuccessAt, backlog: a.backlog,
        })),
        ...(failing.length ? { detail: `${failing.map((a) => `${a.name} (${a.lastErrorKind ?? 'error'})`).join(', ')} failing; see GET /api/channels` } : {}),
      };
    },
  }),
  async start(services, role) {
    if (role !== 'server') return;
    const runners = services.config.mailboxes
      .filter((m): m is ImapMailbox => m.imap !== undefined)
      .map((mailbox) => createImapAccountRunner({
        mailbox,
        deps: {
          db: services.db, blobs: services.blobs, queue: services.queue, now: () => services.clock.now(),
          log: services.log, maxMessageBytes: services.config.maxMessageBytes,
        },
        reconnect: opts.reconnect,
        imapOptions: opts.imapOptions,
        hooks: opts.hooks?.(mailbox.name),
      }));
    for (const r of runners) r.start();
    if (runners.length) services.log.info({ accounts: runners.map((r) => r.name) }, 'imap: intake started');
    return async () => { await Promise.all(runners.map((r) => r.stop())); };
  },
});

/** The module as src/modules.ts loads it. */
export const mailboxModule = createMailboxModule();

/**
 * Mail in and out, in start order: the outbound module first, so its intake effects (acknowledgements,
 * bounce matching) are registered before the IMAP pollers deliver the first message.
 */
export const mailModules: MailroomModule[] = [outboundModule, mailboxModule];
