/** The pure parts of the outbound side: auto-reply policy, templates, threading, SMTP error classes, backoff. */
import { describe, expect, it } from 'vitest';
import { autoReplyLimitReached, autoReplyWindowStart, planAutoReply, type AutoReplyFacts } from '../../src/outbound/plan-auto-reply.js';
import { renderTemplate, splitFrontMatter, TemplateError, type TemplateVars } from '../../src/outbound/render-template.js';
import { machineHeaders, replySubject, threadHeaders, MAX_REFERENCES } from '../../src/outbound/compose-outgoing.js';
import { classifySendError } from '../../src/outbound/classify-send-error.js';
import { exponentialBackoffMs } from '../../src/outbound/backoff.js';
import { headerText, isBareAddress } from '../../src/outbound/header-safe.js';
import { loadTemplate } from '../../src/outbound/load-template.js';

const noFlags = { autoReply: false, bounce: false, loop: false, bulk: false, signals: [] };
const facts = (over: Partial<AutoReplyFacts> = {}): AutoReplyFacts => ({
  isNewTicket: true,
  flags: noFlags,
  recipient: 'alice@example.com',
  headers: {},
  configured: { acknowledge: true, template: 'acknowledgement' },
  decision: { acknowledge: null, autoReplyTemplate: null },
  ownAddresses: ['support@acme.test'],
  ownDomain: 'mailroom.local',
  ...over,
});

describe('planAutoReply', () => {
  it('acknowledges a new ticket through a mailbox that acknowledges', () => {
    expect(planAutoReply(facts())).toEqual({ send: true, kind: 'acknowledgement', template: 'acknowledgement' });
  });

  it('lets rules decide first: off, on, or another template', () => {
    expect(planAutoReply(facts({ decision: { acknowledge: false, autoReplyTemplate: 'faq' } }))).toMatchObject({ send: false });
    expect(planAutoReply(facts({ configured: { acknowledge: false, template: 'x' }, decision: { acknowledge: true, autoReplyTemplate: null } }))).toMatchObject({ send: true, template: 'x' });
    expect(planAutoReply(facts({ configured: { acknowledge: false, template: 'x' }, decision: { acknowledge: null, autoReplyTemplate: 'faq' } }))).toEqual({ send: true, kind: 'auto-reply', template: 'faq' });
    expect(planAutoReply(facts({ configured: { acknowledge: false, template: 'x' } }))).toMatchObject({ send: false, reason: expect.stringMatching(/off for this mailbox/) });
    expect(planAutoReply(facts({ configured: null }))).toMatchObject({ send: false, reason: expect.stringMatching(/no configured mailbox/) });
  });

  it.each([
    ['a follow-up', { isNewTicket: false }, /new tickets only/],
    ['a bounce', { flags: { ...noFlags, bounce: true } }, /bounce/],
    ['an auto-reply', { flags: { ...noFlags, autoReply: true } }, /automatic reply/],
    ['a loop', { flags: { ...noFlags, loop: true } }, /loop/],
    ['bulk mail', { flags: { ...noFlags, bulk: true } }, /bulk/],
    ['no recipient', { recipient: null }, /no address/],
    ['our own address', { recipient: 'SUPPORT@acme.test' }, /own addresses/],
    ['our own domain', { recipient: 'robot@mailroom.local' }, /own domain/],
    ['noreply', { recipient: 'no-reply@shop.example' }, /no person reads/],
    ['donotreply', { recipient: 'DoNotReply@bank.example' }, /no person reads/],
    ['mailer-daemon', { recipient: 'mailer-daemon@mx.example' }, /no person reads/],
    ['a list -request address', { recipient: 'users-request@lists.example' }, /no person reads/],
    ['owner-', { recipient: 'owner-users@lists.example' }, /no person reads/],
    ['a null Return-Path', { headers: { 'return-path': ['<>'] } }, /null Return-Path/],
    ['X-Auto-Response-Suppress: OOF', { headers: { 'x-auto-response-suppress': ['DR, OOF'] } }, /asked for no automatic replies/],
    ['Auto-Submitted: auto-generated', { headers: { 'auto-submitted': ['auto-generated'] } }, /Auto-Submitted/],
    ['Precedence: list', { headers: { precedence: ['list'] } }, /Precedence/],
    ['List-Id', { headers: { 'list-id': ['<x.example>'] } }, /list mail/],
  ] as Array<[string, Partial<AutoReplyFacts>, RegExp]>)('never answers %s', (_what, over, reason) => {
    const plan = planAutoReply(facts(over));
    expect(plan.send).toBe(false);
    expect(plan.send === false && plan.reason).toMatch(reason);
  });

  it('answers people whose address merely resembles a robot, and Auto-Submitted: no', () => {
    expect(planAutoReply(facts({ recipient: 'noreen@example.com' })).send).toBe(true);
    expect(planAutoReply(facts({ recipient: 'bounce.house@example.com' })).send).toBe(true);
    expect(planAutoReply(facts({ headers: { 'auto-submitted': ['no'], 'x-auto-response-suppress': ['DR, RN'] } })).send).toBe(true);
  });

  it('counts the hourly limit from now', () => {
    expect(autoReplyLimitReached({ recentCount: 2, limitPerHour: 3 })).toBe(false);
    expect(autoReplyLimitReached({ recentCount: 3, limitPerHour: 3 })).toBe(true);
    expect(autoReplyLimitReached({ recentCount: 0, limitPerHour: 0 })).toBe(true);
    expect(autoReplyWindowStart(new Date('2026-11-23T10:00:00Z')).toISOString()).toBe('2026-11-23T09:00:00.000Z');
  });
});

const vars: TemplateVars = {
  ticket: { id: 42, token: '[#42]', subject: 'Broken <b>thing</b>' },
  customer: { name: 'Eve <script>alert(1)</script>', email: 'eve@example.com' },
  subject: 'Broken <b>thing</b>',
  mailbox: { name: 'support', address: 'support@acme.test', fromName: 'ACME' },
};

describe('renderTemplate', () => {
  it('renders subject from front matter, escapes HTML output, leaves text alone', () => {
    const out = renderTemplate({
      source: { name: 't', text: '---\nsubject: "Got it: {{ subject }}"\n---\nHi {{ customer.name }}, ref {{ ticket.token }}\n', html: '<p>Hi {{ customer.name }}</p>' },
      vars,
    });
    expect(out.subject).toBe('Got it: Broken <b>thing</b> [#42]');
    expect(out.text).toBe('Hi Eve <script>alert(1)</script>, ref [#42]\n');
    expect(out.html).toBe('<p>Hi Eve &lt;script&gt;alert(1)&lt;/script&gt;</p>');
  });

  it('keeps line breaks out of the subject and always carries the token', () => {
    const out = renderTemplate({ source: { name: 't', text: '---\nsubject: "{{ customer.name }}\\r\\nBcc: x@evil.test"\n---\nbody', html: null }, vars: { ...vars, customer: { name: 'A\r\nB', email: 'a@b.c' } } });
    expect(out.subject).toBe('A B Bcc: x@evil.test [#42]');
    const none = renderTemplate({ source: { name: 't', text: 'just a body', html: null }, vars });
    expect(none.subject).toBe('Re: Broken <b>thing</b> [#42]');
  });

  it('cannot reach prototypes, files or code; missing variables are empty; unknown filters are errors', () => {
    const out = renderTemplate({ source: { name: 't', text: '[{{ customer.constructor }}][{{ ticket.__proto__ }}][{{ nothing.here }}][{{ customer.email.length }}]', html: null }, vars });
    expect(out.text).toBe('[][][][15]');
    expect(() => renderTemplate({ source: { name: 't', text: '{% include "/etc/passwd" %}', html: null }, vars })).toThrow(TemplateError);
    expect(() => renderTemplate({ source: { name: 't', text: '{{ customer.name | evil }}', html: null }, vars })).toThrow(/undefined filter/);
  });

  it('splits front matter only at the top', () => {
    expect(splitFrontMatter('no front matter\n---\nsubject: x\n---\n')).toEqual({ subject: null, body: 'no front matter\n---\nsubject: x\n---\n' });
  });

  it('bundled acknowledgement renders', () => {
    const out = renderTemplate({ source: loadTemplate({ templatesDir: '/nonexistent', name: 'acknowledgement' }), vars });
    expect(out.subject).toBe('We received your message: Broken <b>thing</b> [#42]');
    expect(out.text).toContain('[#42]');
    expect(out.html).toContain('Eve &lt;script&gt;');
    expect(() => loadTemplate({ templatesDir: '/nonexistent', name: '../etc/passwd' })).toThrow(/not a valid template name/);
  });
});

describe('threading and subjects', () => {
  it('builds Re: <subject> [#id] without doubling prefixes or tokens', () => {
    expect(replySubject({ subject: 'Help', ticketId: 7, ticketTag: '' })).toBe('Re: Help [#7]');
    expect(replySubject({ subject: 'Re: Help [#7]', ticketId: 7, ticketTag: '' })).toBe('Re: Help [#7]');
    expect(replySubject({ subject: 'AW: Hilfe', ticketId: 7, ticketTag: 'ACME' })).toBe('AW: Hilfe [ACME #7]');
    expect(replySubject({ subject: 'a\r\nBcc: x@y.z', ticketId: 7, ticketTag: '' })).toBe('Re: a Bcc: x@y.z [#7]');
    expect(replySubject({ subject: '', ticketId: 7, ticketTag: '' })).toBe('Re: (no subject) [#7]');
  });

  it('threads to the parent and keeps References bounded', () => {
    expect(threadHeaders({ messageId: 'p@x', inReplyTo: 'o@x', references: [] })).toEqual({ inReplyTo: 'p@x', references: ['o@x', 'p@x'] });
    const many = Array.from({ length: 40 }, (_, i) => `r${i}@x`);
    const t = threadHeaders({ messageId: 'p@x', inReplyTo: null, references: many });
    expect(t.references).toHaveLength(MAX_REFERENCES);
    expect(t.references[0]).toBe('r0@x');
    expect(t.references.at(-1)).toBe('p@x');
    expect(threadHeaders({ messageId: 'bad id\r\nX: y', inReplyTo: null, references: [] })).toEqual({ inReplyTo: null, references: [] });
    expect(threadHeaders(null)).toEqual({ inReplyTo: null, references: [] });
  });

  it('marks machine mail', () => {
    expect(machineHeaders('acme.test')).toEqual({ 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All', Precedence: 'bulk', 'X-Mailroom-Loop': 'acme.test' });
  });

  it('cleans header text and accepts only bare addresses', () => {
    expect(headerText('a\r\n\tb\u2028c\u0000d')).toBe('a b cd');
    expect(isBareAddress('bob@example.com')).toBe(true);
    expect(isBareAddress('bob@example.com\r\nBcc: x@y.z')).toBe(false);
    expect(isBareAddress('Bob <bob@example.com>')).toBe(false);
    expect(isBareAddress('bob@localhost')).toBe(false);
  });
});

describe('SMTP failures and backoff', () => {
  it.each([
    [{ responseCode: 451, code: 'EENVELOPE', message: 'greylisted' }, 'temporary'],
    [{ responseCode: 421, code: 'ECONNECTION', message: 'shutting down' }, 'temporary'],
    [{ responseCode: 550, code: 'EENVELOPE', response: '550 5.1.1 User unknown', message: 'rejected' }, 'permanent'],
    [{ responseCode: 552, code: 'EMESSAGE', message: 'too big' }, 'permanent'],
    [{ responseCode: 535, code: 'EAUTH', message: 'bad credentials' }, 'temporary'],
    [{ code: 'ECONNECTION', message: 'connect ECONNREFUSED' }, 'temporary'],
    [{ code: 'ETIMEDOUT', message: 'timeout' }, 'temporary'],
    [{ code: 'EMESSAGE', message: 'cannot build' }, 'permanent'],
    [{ message: 'something odd' }, 'temporary'],
  ])('%j is %s', (err, kind) => {
    expect(classifySendError(err).kind).toBe(kind);
  });

  it('keeps the server\'s answer', () => {
    expect(classifySendError({ responseCode: 550, response: '550 5.1.1 <a@b.c>: User unknown' }).serverResponse).toBe('550 5.1.1 <a@b.c>: User unknown');
  });

  it('doubles up to the cap, with optional jitter', () => {
    const o = { baseMs: 1000, maxMs: 60_000 };
    expect([1, 2, 3, 4, 7, 8, 100, 5000].map((n) => exponentialBackoffMs(n, o))).toEqual([1000, 2000, 4000, 8000, 60_000, 60_000, 60_000, 60_000]);
    expect(exponentialBackoffMs(0, o)).toBe(1000);
    expect(exponentialBackoffMs(2, { ...o, jitter: 0.5, random: 0 })).toBe(1000);
    expect(exponentialBackoffMs(2, { ...o, jitter: 0.5, random: 1 })).toBe(3000);
  });
});
