/**
 * Should Mailroom answer this message automatically (acknowledgement or a rule's auto-reply template)?
 * Pure: everything it needs is in its argument; the per-recipient hourly count is read by the caller
 * inside the same database transaction that records the reply, so the limit holds across workers.
 *
 * The rules, in the order they are checked, and why each one exists (RFC 3834 §2 is the reference for
 * "when not to respond"):
 *  1. A rule said `acknowledge: false` → no. Rules have the last word.
 *  2. Nothing asks for a reply: no rule auto-reply template, no rule `acknowledge: true`, and the
 *     mailbox or form has acknowledgements off (or the message came through no configured mailbox or
 *     form, so there is no sender identity to answer from) → no.
 *  3. Not a new ticket → no. A customer's follow-up already has a reference; answering every message
 *     of a thread is what turns two autoresponders into a loop.
 *  4. Detection flags: a bounce or delivery report, an auto-reply, a loop (our own mail coming back),
 *     list or bulk mail → no. These are the RFC 3834 §2 "MUST NOT / SHOULD NOT respond" cases.
 *  5. No address to answer → no.
 *  6. The recipient is one of our own addresses, or on our own Message-ID domain → no (self-loop).
 *  7. The recipient's local part says no person reads it: noreply / no-reply / donotreply,
 *     mailer-daemon, postmaster, bounce(s), listserv, majordomo, `owner-*`, `*-request`, `*-owner`,
 *     `*-bounces` (RFC 3834 §2 names the list-management ones) → no.
 *  8. A null `Return-Path: <>`: the sender asked not to be answered (RFC 3834 §2, RFC 5321 §4.5.5)
 *     → no. Detection counts it only as a weak auto-reply signal; here it decides alone.
 *  9. `X-Auto-Response-Suppress` containing All, AutoReply or OOF: Exchange's way of saying "do not
 *     auto-reply to this" ([MS-OXCMAIL] 2.2.3.2.14) → no.
 * 10. `Auto-Submitted` other than `no`, `Precedence: bulk|list|junk`, or `List-Id`/`List-Unsubscribe`,
 *     checked again here in case detection scored them below its threshold → no.
 * 11. The recipient already got `limitPerHour` automatic replies in the last hour → no
 *     (`autoReplyLimitReached`, checked by the caller with the counted number). This is the backstop
 *     that stops a loop with a responder that ignores every header above.
 */
import type { DetectionFlags } from '../decide/types.js';

export type AutoReplyKind = 'acknowledgement' | 'auto-reply';

/** The rolling window of the per-recipient limit. */
export const AUTO_REPLY_WINDOW_MS = 60 * 60 * 1000;

/** Local parts of addresses no person reads; see rule 7. */
export const UNATTENDED_LOCAL_PART = /^(?:no[-_.]?reply|no[-_.]?replies|do[-_.]?not[-_.]?reply|dont[-_.]?reply|mailer[-_.]?daemon|postmaster|bounces?|listserv|majordomo|owner-.+|.+-request|.+-owner|.+-bounces?)(?:[+].*)?$/i;

export type AutoReplyFacts = {
  isNewTicket: boolean;
  flags: DetectionFlags;
  /** the address an answer would go to (lower case), or null */
  recipient: string | null;
  /** the inbound message's headers, lower-case names */
  headers: Record<string, string[]>;
  /** the mailbox's or form's own setting; null when it came through nothing configured */
  configured: { acknowledge: boolean; template: string } | null;
  /** the rule decision's overrides (null = no opinion) */
  decision: { acknowledge: boolean | null; autoReplyTemplate: string | null };
  ownAddresses: readonly string[];
  /** our Message-ID domain (MAILROOM_DOMAIN) */
  ownDomain: string;
};

export type AutoReplyPlan =
  | { send: true; kind: AutoReplyKind; template: string }
  | { send: false; reason: string };

const first = (headers: Record<string, string[]>, name: string): string | undefined => headers[name]?.[0];

const no = (reason: string): AutoReplyPlan => ({ send: false, reason });

/** Decides rules 1–10. Rule 11 (the hourly limit) needs a count: see `autoReplyLimitReached`. */
export const planAutoReply = (f: AutoReplyFacts): AutoReplyPlan => {
  if (f.decision.acknowledge === false) return no('a rule turned the automatic reply off');

  let wanted: { kind: AutoReplyKind; template: string } | null = null;
  if (f.decision.autoReplyTemplate) wanted = { kind: 'auto-reply', template: f.decision.autoReplyTemplate };
  else if (f.decision.acknowledge === true) wanted = { kind: 'acknowledgement', template: f.configured?.template ?? 'acknowledgement' };
  else if (f.configured?.acknowledge) wanted = { kind: 'acknowledgement', template: f.configured.template };
  if (!wanted) {
    return no(f.configured ? 'acknowledgements are off for this mailbox or form' : 'it came through no configured mailbox or form');
  }

  if (!f.isNewTicket) return no('a follow-up on an existing ticket: automatic replies go out for new tickets only');
  if (f.flags.bounce) return no('it is a bounce or delivery report');
  if (f.flags.autoReply) return no('it is an automatic reply itself');
  if (f.flags.loop) return no('it is mail Mailroom sent, coming back (loop)');
  if (f.flags.bulk) return no('it is list or bulk mail');
  if (!f.recipient) return no('there is no address to answer');

  const recipient = f.recipient.toLowerCase();
  const domain = recipient.slice(recipient.lastIndexOf('@') + 1);
  if (f.ownAddresses.some((a) => a.toLowerCase() === recipient)) return no(`${recipient} is one of our own addresses`);
  if (f.ownDomain && domain === f.ownDomain.toLowerCase()) return no(`${recipient} is on our own domain`);
  const local = recipient.slice(0, recipient.lastIndexOf('@'));
  if (UNATTENDED_LOCAL_PART.test(local)) return no(`${recipient} is an address no person reads`);

  const returnPath = first(f.headers, 'return-path');
  if (returnPath !== undefined && /^\s*<?\s*>?\s*$/.test(returnPath)) return no('the message has a null Return-Path (RFC 3834: do not answer)');
  const suppress = first(f.headers, 'x-auto-response-suppress');
  if (suppress && /\b(?:all|autoreply|oof)\b/i.test(suppress)) return no(`the sender asked for no automatic replies (X-Auto-Response-Suppress: ${suppress.slice(0, 60)})`);
  const autoSubmitted = first(f.headers, 'auto-submitted');
  if (autoSubmitted && !/^\s*no\b/i.test(autoSubmitted)) return no(`it is marked Auto-Submitted: ${autoSubmitted.slice(0, 60)}`);
  const precedence = first(f.headers, 'precedence');
  if (precedence && /\b(?:bulk|list|junk)\b/i.test(precedence)) return no(`it is marked Precedence: ${precedence.slice(0, 30)}`);
  if (first(f.headers, 'list-id') !== undefined || first(f.headers, 'list-unsubscribe') !== undefined) return no('it is list mail (List-Id / List-Unsubscribe)');

  return { send: true, ...wanted };
};

/** Rule 11: true when `recentCount` automatic replies in the last hour already reach the limit. */
export const autoReplyLimitReached = ({ recentCount, limitPerHour }: { recentCount: number; limitPerHour: number }): boolean =>
  recentCount >= limitPerHour;

/** The start of the limit's window for a reply sent at `now`. */
export const autoReplyWindowStart = (now: Date): Date => new Date(now.getTime() - AUTO_REPLY_WINDOW_MS);
