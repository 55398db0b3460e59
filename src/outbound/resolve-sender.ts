/**
 * Which address mail about a ticket goes out from: the configured mailbox the ticket came in through
 * (`mailboxes[].address`, with its `fromName`), else the installation's default sender (`smtp.from`,
 * e.g. for web forms whose mailbox is not an e-mail account). Pure.
 */
import type { MailboxConfig, SmtpConfig } from '../config.js';
import type { OutboxAddress } from '../db/schema/index.js';
import { headerText } from './header-safe.js';

export type SenderSettings = { mailboxes: MailboxConfig[]; smtp: SmtpConfig | null };

export const resolveSender = (settings: SenderSettings, mailbox: string | null): OutboxAddress | null => {
  const own = mailbox !== null ? settings.mailboxes.find((m) => m.name === mailbox) : undefined;
  if (own) return { address: own.address, name: headerText(own.fromName ?? '', 200) };
  if (settings.smtp?.from) return { address: settings.smtp.from, name: headerText(settings.smtp.fromName ?? '', 200) };
  return null;
};

/** Every address Mailroom sends from, lower case: mail from these is ours. */
export const ownAddresses = (settings: SenderSettings): string[] =>
  [...settings.mailboxes.map((m) => m.address), ...(settings.smtp?.from ? [settings.smtp.from] : [])].map((a) => a.toLowerCase());
