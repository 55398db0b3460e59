/**
 * The parts of an outgoing message that follow from rules rather than from what anyone typed: the
 * reply subject with the ticket token, the threading headers, and the header fields that mark mail a
 * machine wrote. Pure.
 *
 * Marking machine-written mail (acknowledgements, rule auto-replies), and why each field:
 *  - `Auto-Submitted: auto-replied` — RFC 3834 §5; the one standard signal. Every well-behaved
 *    responder (Sieve vacation, Exchange, Gmail, other helpdesks) stays silent on it.
 *  - `X-Auto-Response-Suppress: All` — Exchange and Outlook do not read Auto-Submitted for their own
 *    out-of-office and rule replies; this is the field they honour ([MS-OXCMAIL] 2.2.3.2.14).
 *  - `Precedence: bulk` — not a standard (RFC 3834 §3.1.8 discourages relying on it) but the one
 *    value classic vacation(1), procmail recipes and many older ticket systems check before answering.
 *    `Precedence: auto_reply` is recognised by fewer responders than `bulk`, so `bulk` is sent.
 *  - our loop header (`X-Mailroom-Loop: <domain>`) — so our own mail is recognised when it comes back.
 * Agent replies are written by a person: they get the loop header only. Marking them Auto-Submitted
 * would make the customer's own autoresponder (correctly) ignore them and would be a lie.
 *
 * RFC 3834 §3.3 also recommends sending automatic replies with a null envelope sender (`MAIL FROM:<>`).
 * Many submission servers (Microsoft 365, Gmail, SES) refuse or rewrite a null sender on authenticated
 * submission, so it is an option (`smtp.autoReplyNullSender`), off by default: with the mailbox as
 * envelope sender, a bounce of an acknowledgement (a mistyped form address) comes back to the mailbox,
 * is recognised as a bounce, never answered, and marks the acknowledgement `bounced`.
 */
import { LOOP_HEADER } from '../mail-identity.js';
import { formatTicketToken, isReplySubject, ticketTokenPattern } from '../intake/find-thread.js';
import { headerText, isSafeMessageId } from './header-safe.js';

/** RFC 5322 §3.6.4 lets References grow without bound; keep the first (root) and the latest ones. */
export const MAX_REFERENCES = 20;

/** Header fields on everything a machine wrote. */
export const machineHeaders = (domain: string): Record<string, string> => ({
  'Auto-Submitted': 'auto-replied',
  'X-Auto-Response-Suppress': 'All',
  Precedence: 'bulk',
  [LOOP_HEADER]: domain,
});

/** Header fields on an agent's reply. */
export const personHeaders = (domain: string): Record<string, string> => ({ [LOOP_HEADER]: domain });

/**
 * `Re: <subject> [#id]`: the ticket's subject without any old token, with one reply prefix (the
 * customer's own "Re:"/"AW:" is kept rather than doubled), and the token at the end.
 */
export const replySubject = ({ subject, ticketId, ticketTag }: { subject: string; ticketId: number; ticketTag: string }): string => {
  const token = formatTicketToken(ticketTag, ticketId);
  const pattern = new RegExp(ticketTokenPattern(ticketTag).source, 'gi');
  const base = headerText(subject.replace(pattern, ' '), 200) || '(no subject)';
  return `${isReplySubject(base) ? base : `Re: ${base}`} ${token}`;
};

/**
 * In-Reply-To and References for an answer to `parent` (RFC 5322 §3.6.4): In-Reply-To is the parent's
 * Message-ID; References is the parent's References (or its In-Reply-To) plus the parent's Message-ID,
 * trimmed to the root and the newest MAX_REFERENCES - 1. Ids that could break a header are dropped.
 */
export const threadHeaders = (parent: { messageId: string; inReplyTo: string | null; references: string[] } | null): { inReplyTo: string | null; references: string[] } => {
  if (!parent || !isSafeMessageId(parent.messageId)) return { inReplyTo: null, references: [] };
  const chain = parent.references.length > 0 ? parent.references : (parent.inReplyTo ? [parent.inReplyTo] : []);
  const ids = [...chain, parent.messageId].filter(isSafeMessageId).filter((id, i, all) => all.indexOf(id) === i);
  const references = ids.length > MAX_REFERENCES ? [ids[0], ...ids.slice(ids.length - (MAX_REFERENCES - 1))] : ids;
  return { inReplyTo: parent.messageId, references };
};
