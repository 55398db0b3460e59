/**
 * Which ticket does a message belong to? Pure: the database is reached only through `ThreadLookups`.
 *
 * Signals, strongest first:
 *  1. In-Reply-To / References naming a Message-ID already on a ticket (ours or the customer's).
 *     Message-IDs are unguessable, so these join whoever writes (a colleague the customer cc'd).
 *     A bounce joins the ticket of the message it returns (its original Message-ID, from the
 *     delivery report), so a failed reply shows on its ticket instead of opening a new one.
 *  2. The ticket token in the subject, `[#123]` (or `[TAG #123]`). A token is easy to type, so it only
 *     joins when the sender is the ticket's customer or already took part in the ticket; otherwise it is
 *     ignored and the trace says so. This is what stops a stranger's mail landing in someone's ticket.
 *  3. Outlook's Thread-Index: the first 22 bytes identify the conversation; same customer only.
 *  4. The subject alone: only a reply (Re:/AW:/SV:/…), from the same sender, to a ticket of theirs that
 *     is still open and was active within `subjectThreadDays`. Two customers never share a ticket by
 *     subject.
 * A message matched to a `closed` ticket starts a new ticket that records the old one as its origin;
 * a `resolved` ticket is reopened by the caller.
 */

export type ThreadCandidate = {
  id: number;
  customerEmail: string;
  status: string;
  /** lower-case addresses that took part (from / to / cc of the ticket's messages) */
  participants: string[];
};

export type ThreadLookups = {
  /** tickets holding a message with any of these Message-IDs, as (messageId, ticketId) pairs */
  ticketsByMessageIds: (ids: string[]) => Array<{ messageId: string; ticketId: number }>;
  ticketById: (id: number) => ThreadCandidate | null;
  ticketByThreadIndexRoot: (root: string, customerEmail: string) => ThreadCandidate | null;
  /** the most recently updated ticket of this customer with this subject key, updated at or after `since`, not resolved or closed */
  openTicketBySubject: (customerEmail: string, subjectKey: string, since: Date) => ThreadCandidate | null;
};

export type ThreadMatchKind = 'in-reply-to' | 'references' | 'bounce' | 'token' | 'thread-index' | 'subject';

export type ThreadMatch = {
  ticketId: number | null;
  matchedBy: ThreadMatchKind | null;
  /** set when the matched ticket was closed: the new ticket is a follow-up of it */
  followUpOf: number | null;
  /** why, in words; goes into the decision trace */
  reasons: string[];
};

export type FindThreadOptions = {
  message: {
    subject: string;
    inReplyTo: string | null;
    references: string[];
    headers: Record<string, string[]>;
  };
  senderEmail: string;
  /** for a bounce: the Message-ID of the message it returns */
  bounceOf?: string | null;
  lookups: ThreadLookups;
  now: Date;
  ticketTag: string;
  subjectThreadDays: number;
};

const REPLY_PREFIX = /^\s*(re|fw|fwd|aw|wg|sv|vs|antw|antwort|r|rif|tr|ref|réf|odp|pd|ynt|atb|enc|res|rv|vá|továbbítás|回复|回覆|答复|転送|返信)\s*(\[\d+\])?\s*[:：]\s*/i;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The token regex for a tag: `[#123]` for an empty tag, `[ACME #123]` otherwise. */
export const ticketTokenPattern = (tag: string): RegExp =>
  tag ? new RegExp(`\\[${escapeRegex(tag)}\\s*#(\\d{1,12})\\]`, 'i') : /\[#(\d{1,12})\]/;

/** The token to put in outgoing subjects. */
export const formatTicketToken = (tag: string, ticketId: number): string => (tag ? `[${tag} #${ticketId}]` : `[#${ticketId}]`);

/** True when the subject starts with a reply or forward prefix in any common language. */
export const isReplySubject = (subject: string): boolean => REPLY_PREFIX.test(subject);

/** Subject without reply/forward prefixes, ticket tokens and list tags; lower case, single-spaced. */
export const subjectKey = (subject: string, tag = ''): string => {
  let s = subject.replace(ticketTokenPattern(tag), ' ');
  for (let i = 0; i < 10; i++) {
    const next = s.replace(REPLY_PREFIX, '').replace(/^\s*\[[^\]]{1,40}\]\s*/, '');
    if (next === s) break;
    s = next;
  }
  return s.replace(/\s+/g, ' ').trim().toLowerCase();
};

/** The conversation part of an Outlook Thread-Index (first 22 of its decoded bytes), base64; null if malformed. */
export const threadIndexRoot = (value: string | undefined): string | null => {
  if (!value) return null;
  const bytes = Buffer.from(value.trim(), 'base64');
  return bytes.length >= 22 ? bytes.subarray(0, 22).toString('base64') : null;
};

const takesPart = (t: ThreadCandidate, sender: string) => t.customerEmail === sender || t.participants.includes(sender);

/** Finds the ticket a message continues, or says why none. */
export const findThread = (opts: FindThreadOptions): ThreadMatch => {
  const { message, lookups } = opts;
  const sender = opts.senderEmail.toLowerCase();
  const reasons: string[] = [];
  const result = (t: ThreadCandidate, matchedBy: ThreadMatchKind, why: string): ThreadMatch => {
    if (t.status === 'closed') {
      reasons.push(`${why}, but ticket #${t.id} is closed: new follow-up ticket`);
      return { ticketId: null, matchedBy, followUpOf: t.id, reasons };
    }
    reasons.push(why);
    return { ticketId: t.id, matchedBy, followUpOf: null, reasons };
  };

  // 1. headers (and, for a bounce, the returned message's id)
  if (opts.bounceOf) {
    const hit = lookups.ticketsByMessageIds([opts.bounceOf])[0];
    const t = hit ? lookups.ticketById(hit.ticketId) : null;
    if (t) return result(t, 'bounce', `bounce of <${opts.bounceOf}>, a message of ticket #${t.id}`);
    reasons.push(`bounce of <${opts.bounceOf}>, which is no message of ours`);
  }
  const refIds = [...(message.inReplyTo ? [message.inReplyTo] : []), ...[...message.references].reverse()];
  if (refIds.length > 0) {
    const found = lookups.ticketsByMessageIds(refIds);
    for (const id of refIds) {
      const hit = found.find((f) => f.messageId === id);
      if (!hit) continue;
      const t = lookups.ticketById(hit.ticketId);
      if (!t) continue;
      const kind: ThreadMatchKind = id === message.inReplyTo ? 'in-reply-to' : 'references';
      return result(t, kind, `${kind === 'in-reply-to' ? 'In-Reply-To' : 'References'} <${id}> is a message of ticket #${t.id}`);
    }
    reasons.push(`none of ${refIds.length} referenced Message-ID(s) is known`);
  }

  // 2. token
  const token = ticketTokenPattern(opts.ticketTag).exec(message.subject);
  if (token) {
    const id = Number(token[1]);
    const t = lookups.ticketById(id);
    if (!t) reasons.push(`subject token #${id} names no ticket`);
    else if (!takesPart(t, sender)) reasons.push(`subject token #${id} ignored: ${sender} is not the customer or a participant of that ticket`);
    else return result(t, 'token', `subject token #${id} and ${sender} takes part in that ticket`);
  }

  // 3. Outlook Thread-Index
  const root = threadIndexRoot(message.headers['thread-index']?.[0]);
  if (root) {
    const t = lookups.ticketByThreadIndexRoot(root, sender);
    if (t) return result(t, 'thread-index', `Outlook Thread-Index matches ticket #${t.id} of the same customer`);
  }

  // 4. subject, same sender only
  const key = subjectKey(message.subject, opts.ticketTag);
  if (isReplySubject(message.subject) && key.length >= 3) {
    const since = new Date(opts.now.getTime() - opts.subjectThreadDays * 86_400_000);
    const t = lookups.openTicketBySubject(sender, key, since);
    if (t) return result(t, 'subject', `reply subject "${key}" matches open ticket #${t.id} of the same sender`);
    reasons.push(`no open ticket of ${sender} with subject "${key}" in the last ${opts.subjectThreadDays} days`);
  }
  reasons.push('new conversation');
  return { ticketId: null, matchedBy: null, followUpOf: null, reasons };
};
