import { describe, expect, it } from 'vitest';
import { findThread, formatTicketToken, isReplySubject, subjectKey, threadIndexRoot, type ThreadCandidate, type ThreadLookups } from '../../src/intake/find-thread.js';

const now = new Date('2026-11-23T10:00:00Z');

/** An in-memory set of tickets standing in for the database behind ThreadLookups. */
const world = (tickets: Array<ThreadCandidate & { messageIds?: string[]; subjectKey?: string; updatedAt?: Date; threadRoot?: string }>): ThreadLookups => ({
  ticketsByMessageIds: (ids) => tickets.flatMap((t) => (t.messageIds ?? []).filter((m) => ids.includes(m)).map((messageId) => ({ messageId, ticketId: t.id }))),
  ticketById: (id) => tickets.find((t) => t.id === id) ?? null,
  ticketByThreadIndexRoot: (root, email) => tickets.find((t) => t.threadRoot === root && t.customerEmail === email) ?? null,
  openTicketBySubject: (email, key, since) => tickets.find((t) => t.customerEmail === email && t.subjectKey === key
    && !['resolved', 'closed'].includes(t.status) && (t.updatedAt ?? now) >= since) ?? null,
});

const base = { subject: 'Help', inReplyTo: null, references: [] as string[], headers: {} as Record<string, string[]> };
const opts = { now, ticketTag: '', subjectThreadDays: 14 };

describe('findThread', () => {
  const alice: ThreadCandidate & { messageIds: string[]; subjectKey: string } = {
    id: 7, customerEmail: 'alice@example.com', status: 'open', participants: ['alice@example.com', 'support@acme.test'],
    messageIds: ['a1@example.com', 'reply1@mailroom.local'], subjectKey: 'order missing',
  };

  it('joins by In-Reply-To naming a message of the ticket, whoever writes', () => {
    const m = findThread({ ...opts, message: { ...base, inReplyTo: 'reply1@mailroom.local' }, senderEmail: 'bob@other.test', lookups: world([alice]) });
    expect(m).toMatchObject({ ticketId: 7, matchedBy: 'in-reply-to' });
  });

  it('joins by References when In-Reply-To is unknown, newest reference first', () => {
    const m = findThread({ ...opts, message: { ...base, inReplyTo: 'unknown@x', references: ['a1@example.com', 'nope@x'] }, senderEmail: 'alice@example.com', lookups: world([alice]) });
    expect(m).toMatchObject({ ticketId: 7, matchedBy: 'references' });
  });

  it('files a bounce on the ticket of the message it returns, and says when that is not ours', () => {
    const lookups = world([alice]);
    expect(findThread({ ...opts, message: base, bounceOf: 'reply1@mailroom.local', senderEmail: 'mailer-daemon@mx.test', lookups }))
      .toMatchObject({ ticketId: 7, matchedBy: 'bounce' });
    const foreign = findThread({ ...opts, message: base, bounceOf: 'someone-else@x.test', senderEmail: 'mailer-daemon@mx.test', lookups });
    expect(foreign.ticketId).toBeNull();
    expect(foreign.reasons[0]).toContain('no message of ours');
  });

  it('joins by subject token only for the customer or a participant', () => {
    const lookups = world([alice]);
    expect(findThread({ ...opts, message: { ...base, subject: 'Re: Order missing [#7]' }, senderEmail: 'ALICE@example.com', lookups }))
      .toMatchObject({ ticketId: 7, matchedBy: 'token' });
    const stranger = findThread({ ...opts, message: { ...base, subject: 'Order missing [#7]' }, senderEmail: 'mallory@evil.test', lookups });
    expect(stranger.ticketId).toBeNull();
    expect(stranger.reasons.join(' ')).toContain('not the customer or a participant');
  });

  it('honours a configured tag and ignores foreign tokens', () => {
    const lookups = world([alice]);
    expect(findThread({ ...opts, ticketTag: 'ACME', message: { ...base, subject: 'Re: [ACME #7] x' }, senderEmail: 'alice@example.com', lookups }).ticketId).toBe(7);
    expect(findThread({ ...opts, ticketTag: 'ACME', message: { ...base, subject: 'Re: [#7] x' }, senderEmail: 'alice@example.com', lookups }).ticketId).toBeNull();
    expect(formatTicketToken('ACME', 7)).toBe('[ACME #7]');
    expect(formatTicketToken('', 7)).toBe('[#7]');
  });

  it('matches a reply subject only for the same sender, and never two customers', () => {
    const lookups = world([alice]);
    expect(findThread({ ...opts, message: { ...base, subject: 'RE: AW: Order missing' }, senderEmail: 'alice@example.com', lookups }))
      .toMatchObject({ ticketId: 7, matchedBy: 'subject' });
    expect(findThread({ ...opts, message: { ...base, subject: 'Re: Order missing' }, senderEmail: 'bob@example.com', lookups }).ticketId).toBeNull();
    // not a reply: a new message with the same subject is a new conversation
    expect(findThread({ ...opts, message: { ...base, subject: 'Order missing' }, senderEmail: 'alice@example.com', lookups }).ticketId).toBeNull();
  });

  it('does not match by subject a ticket that is resolved or older than the window', () => {
    const old = { ...alice, updatedAt: new Date('2026-10-01T00:00:00Z') };
    expect(findThread({ ...opts, message: { ...base, subject: 'Re: Order missing' }, senderEmail: 'alice@example.com', lookups: world([old]) }).ticketId).toBeNull();
    const resolved = { ...alice, status: 'resolved' };
    expect(findThread({ ...opts, message: { ...base, subject: 'Re: Order missing' }, senderEmail: 'alice@example.com', lookups: world([resolved]) }).ticketId).toBeNull();
  });

  it('starts a follow-up ticket instead of joining a closed one', () => {
    const closed = { ...alice, status: 'closed' };
    const m = findThread({ ...opts, message: { ...base, inReplyTo: 'a1@example.com' }, senderEmail: 'alice@example.com', lookups: world([closed]) });
    expect(m).toMatchObject({ ticketId: null, followUpOf: 7 });
  });

  it('joins by Outlook Thread-Index root for the same customer only', () => {
    const first = Buffer.alloc(22, 7).toString('base64');
    const later = Buffer.concat([Buffer.alloc(22, 7), Buffer.alloc(5, 1)]).toString('base64');
    const t = { ...alice, threadRoot: threadIndexRoot(first)! };
    expect(findThread({ ...opts, message: { ...base, headers: { 'thread-index': [later] } }, senderEmail: 'alice@example.com', lookups: world([t]) }))
      .toMatchObject({ ticketId: 7, matchedBy: 'thread-index' });
    expect(findThread({ ...opts, message: { ...base, headers: { 'thread-index': [later] } }, senderEmail: 'bob@example.com', lookups: world([t]) }).ticketId).toBeNull();
    expect(threadIndexRoot('c2hvcnQ=')).toBeNull();
  });
});

describe('subjectKey', () => {
  it('strips prefixes in several languages, tokens and list tags', () => {
    expect(subjectKey('Re: AW: Fwd:  Order   missing [#12]')).toBe('order missing');
    expect(subjectKey('SV: VS: [support] Faktura')).toBe('faktura');
    expect(subjectKey('回复: 订单')).toBe('订单');
    expect(isReplySubject('Antw: hallo')).toBe(true);
    expect(isReplySubject('Return policy')).toBe(false);
  });
});
